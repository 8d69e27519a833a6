"""The bundled sample stream: load ~300 Dân Trí headlines and ledes through the normal ingestion path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from civicpulse.collect.ingest import Ingestor, RawEntry
from civicpulse.config import Settings
from civicpulse.errors import Quarantine
from civicpulse.models import ItemKind, Source, SourceKind
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store

DEMO_URL = "demo:dantri"
DEMO_NAME = "Dân Trí (demo)"


@dataclass(frozen=True)
class DemoResult:
    """What loading the demo did."""

    source_id: int
    seen: int
    new: int
    quarantined: int
    processed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "source_id": self.source_id,
            "seen": self.seen,
            "new": self.new,
            "quarantined": self.quarantined,
            "processed": self.processed,
        }


def demo_rows() -> list[dict[str, Any]]:
    """Return the rows of the bundled stream, oldest first."""
    path = resources.files("civicpulse") / "data" / "demo" / "stream.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def demo_entries(rows: list[dict[str, Any]], end: datetime) -> Iterator[RawEntry | Quarantine]:
    """Map rows to entries whose times are shifted so that the stream ends at `end`."""
    for row in rows:
        try:
            yield RawEntry(
                text=row["lede"],
                title=row["title"],
                url=row["url"],
                kind=ItemKind.ARTICLE,
                published_at=end - timedelta(seconds=int(row["offset_s"])),
                lang="vi",
                extra={
                    "original_time": row["time"],
                    "section": row.get("section", ""),
                    "publisher": row.get("publisher", "Dân Trí"),
                    "demo": True,
                },
            )
        except (KeyError, TypeError, ValueError) as exc:
            yield Quarantine(
                f"demo row is malformed ({exc!r}); rebuild it with scripts/build_demo.py", str(row)
            )


def load_demo(settings: Settings, store: Store, pipeline: Pipeline | None = None) -> DemoResult:
    """Store the sample stream as the source "Dân Trí (demo)" and pass new items to the pipeline.

    Idempotent: items are keyed by their URL, so loading twice adds nothing the second time. Pass the running
    pipeline so its stateful stages see the demo items; without one, a fresh pipeline is laid.
    """
    source = store.add_source(Source(name=DEMO_NAME, kind=SourceKind.IMPORT, url=DEMO_URL))
    assert source.id is not None  # the store always returns stored sources with their id
    ingestor = Ingestor(store, origin=DEMO_URL, source_id=source.id, batch_size=settings.import_batch_size)
    entries = demo_entries(demo_rows(), end=datetime.now(UTC))
    counts = ingestor.ingest(entries, pseudonym_key=settings.pseudonym_key)
    if pipeline is not None:
        processed = pipeline.submit(ingestor.new_items)
    else:
        with closing(lay_pipe(settings, store)) as own:
            processed = own.submit(ingestor.new_items)
    return DemoResult(
        source_id=source.id,
        seen=counts.seen,
        new=counts.new,
        quarantined=counts.quarantined,
        processed=processed,
    )
