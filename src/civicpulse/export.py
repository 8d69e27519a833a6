"""Export stored items as CSV, JSON Lines or Parquet, streamed in constant memory.

Authors leave only as the pseudonyms the store holds; keys that could name a person are dropped from
`extra` as well, so an export can be shared without re-identifying anyone.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from civicpulse.collect.imports.schema import PERSONAL_KEYS
from civicpulse.errors import InputError
from civicpulse.models import Item
from civicpulse.store import Store

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
COLUMNS = (
    "id",
    "key",
    "source",
    "kind",
    "url",
    "title",
    "text",
    "author",
    "published",
    "collected",
    "lang",
    "platform",
    "platform_id",
    "extra",
)
PARQUET_BATCH = 5000


def item_record(item: Item) -> dict[str, Any]:
    """Return the exported fields of one item (`author` is the stored pseudonym)."""
    return {
        "id": item.id,
        "key": item.key,
        "source": item.source_name,
        "kind": str(item.kind),
        "url": item.url,
        "title": item.title,
        "text": item.text,
        "author": item.author,
        "published": item.published_at,
        "collected": item.collected_at,
        "lang": item.lang,
        "platform": item.platform,
        "platform_id": item.platform_id,
        "extra": {k: v for k, v in item.extra.items() if k.lower() not in PERSONAL_KEYS},
    }


def selected(store: Store, since: date | None) -> Iterator[dict[str, Any]]:
    """Yield the records of items published (or, undated, collected) on or after `since`."""
    start = datetime.combine(since, datetime.min.time(), UTC) if since else None
    for item in store.iter_items():
        when = item.published_at or item.collected_at
        if start is None or (when is not None and when >= start):
            yield item_record(item)


def export_items(store: Store, out: Path, fmt: str, *, since: date | None = None) -> int:
    """Write items to `out` (atomically: a partial file never takes its place); return how many."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if not out.parent.is_dir():
        raise InputError(f"the folder {out.parent} does not exist; create it or choose another --out")
    partial = out.with_name(f".{out.name}.partial")
    try:
        records = selected(store, since)
        if fmt == "parquet":
            count = _parquet(records, partial)
        else:
            with partial.open("w", encoding="utf-8", newline="") as f:
                count = _csv(records, f) if fmt == "csv" else _jsonl(records, f)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _csv(records: Iterator[dict[str, Any]], f: TextIO) -> int:
    writer = csv.writer(f)
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        record["extra"] = json.dumps(record["extra"], ensure_ascii=False) if record["extra"] else ""
        writer.writerow([_iso(record[c]) if record[c] is not None else "" for c in COLUMNS])
        count += 1
    return count


def _jsonl(records: Iterator[dict[str, Any]], f: TextIO) -> int:
    count = 0
    for record in records:
        f.write(json.dumps({k: _iso(v) for k, v in record.items()}, ensure_ascii=False) + "\n")
        count += 1
    return count


def _parquet(records: Iterator[dict[str, Any]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    when = pa.timestamp("us", tz="UTC")
    types = {"id": pa.int64(), "published": when, "collected": when}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    count, batch = 0, []
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for record in records:
            record["extra"] = json.dumps(record["extra"], ensure_ascii=False) if record["extra"] else ""
            batch.append(record)
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count
