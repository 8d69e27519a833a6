"""The evaluation format of EVAL.md: one JSON object per line, gold keys kept aside in `extra`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicpulse.collect.imports.schema import Context, clean, extra_of, parse_kind, parse_time
from civicpulse.collect.ingest import RawEntry
from civicpulse.errors import Quarantine

EVAL_FIELDS = ("id", "text", "title", "time", "lang", "source", "url")
GOLD_KEYS = ("story", "label", "event", "units")
PLATFORM = "eval"


def eval_entry(record: Mapping[str, Any], ctx: Context) -> RawEntry:
    """Map one evaluation row to a `RawEntry`, keyed `eval:<file stem>:<id>` so re-imports add nothing."""
    row_id = clean(record.get("id")).strip()
    if not row_id:
        raise Quarantine("row has no id; the evaluation format needs an id unique within the file")
    title = clean(record.get("title"))
    extra = extra_of(record, EVAL_FIELDS + GOLD_KEYS)
    # Gold answers ride along for the scorer only; no stage may read `extra["gold"]`.
    gold = {k: record[k] for k in GOLD_KEYS if k in record}
    if gold:
        extra["gold"] = gold
    if source := clean(record.get("source")).strip():
        extra["source"] = source
    return RawEntry(
        text=clean(record.get("text")),
        title=title,
        url=clean(record.get("url")),
        kind=parse_kind(None, titled=bool(title.strip())),
        published_at=parse_time(record.get("time"), "time"),
        lang=clean(record.get("lang")),
        platform=PLATFORM,
        platform_id=f"{ctx.stem}:{row_id}",
        extra=extra,
    )
