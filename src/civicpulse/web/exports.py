"""Exports of search results as CSV or JSONL files under DATA_DIR/exports, large ones in a background thread.

Each export is two files: `<id>.<format>` and `<id>.json` (owner, query, status, rows), so the list of
exports survives a restart without a table. Only the owner (or an administrator) may download one.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from civicpulse.models import Item

log = logging.getLogger(__name__)
FORMATS = ("csv", "jsonl")
COLUMNS = ("id", "time", "source", "url", "title", "text", "author", "lang")
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


@dataclass(frozen=True)
class Export:
    """One export: who asked, for what, and how far it got (running, ready or failed)."""

    id: str
    owner: str
    query: str
    filters: dict[str, object]
    format: str
    status: str
    rows: int
    created_at: str
    error: str = ""


def row_of(item: Item) -> dict[str, object]:
    """An item as an export row; the author is the pseudonym the store keeps, never a handle."""
    when = item.published_at or item.collected_at
    return {
        "id": item.id,
        "time": when.isoformat() if when else "",
        "source": item.source_name,
        "url": item.url,
        "title": item.title,
        "text": item.text,
        "author": item.author,
        "lang": item.lang,
    }


def render(items: Iterator[Item] | list[Item], fmt: str) -> Iterator[str]:
    """Yield the export text of `items` in `fmt` chunk by chunk."""
    if fmt == "jsonl":
        for item in items:
            yield json.dumps(row_of(item), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for item in items:
        writer.writerow(row_of(item))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class Exporter:
    """Writes exports into `directory` and tells what became of them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._threads: dict[str, threading.Thread] = {}

    def _meta(self, export_id: str) -> Path:
        return self.directory / f"{export_id}.json"

    def path(self, export: Export) -> Path:
        return self.directory / f"{export.id}.{export.format}"

    def _save(self, export: Export) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._meta(export.id).write_text(json.dumps(asdict(export), ensure_ascii=False), encoding="utf-8")

    def get(self, export_id: str) -> Export | None:
        if not export_id.isalnum():
            return None
        try:
            return Export(**json.loads(self._meta(export_id).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def mine(self, owner: str, limit: int = 50) -> list[Export]:
        """The owner's exports, newest first."""
        if not self.directory.is_dir():
            return []
        found = [self.get(p.stem) for p in self.directory.glob("*.json")]
        return sorted((e for e in found if e and e.owner == owner), key=lambda e: e.created_at, reverse=True)[
            :limit
        ]

    def start(
        self, owner: str, query: str, filters: dict[str, object], fmt: str, rows: Callable[[], Iterator[Item]]
    ) -> Export:
        """Begin writing an export in a background thread; return it (status `running`)."""
        export = Export(
            id=secrets.token_hex(8),
            owner=owner,
            query=query,
            filters=filters,
            format=fmt,
            status="running",
            rows=0,
            created_at=datetime.now(UTC).isoformat(),
        )
        self._save(export)
        thread = threading.Thread(
            target=self._write, args=(export, rows), name=f"export-{export.id}", daemon=True
        )
        self._threads[export.id] = thread
        thread.start()
        return export

    def _write(self, export: Export, rows: Callable[[], Iterator[Item]]) -> None:
        count = 0

        def counted() -> Iterator[Item]:
            nonlocal count
            for item in rows():
                count += 1
                yield item

        partial = self.path(export).with_suffix(".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as out:
                for chunk in render(counted(), export.format):
                    out.write(chunk)
            partial.replace(self.path(export))
            self._save(replace(export, status="ready", rows=count))
        except Exception as exc:
            # The export's page shows the failure; the traceback goes to the log for the administrator.
            log.exception("export %s failed", export.id)
            self._save(replace(export, status="failed", rows=count, error=str(exc)[:500]))

    def wait(self, export_id: str, timeout: float | None = None) -> None:
        """Block until the export's thread is done (for tests and scripts)."""
        thread = self._threads.get(export_id)
        if thread is not None:
            thread.join(timeout)
