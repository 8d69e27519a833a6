"""From raw fields to a stored `Item`: normalise, key, pseudonymise; write in batches; quarantine the bad."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from civicpulse.collect.keys import content_hash, item_key, pseudonymise
from civicpulse.errors import Quarantine, Skip
from civicpulse.models import Item, ItemKind, QuarantineEntry
from civicpulse.store import Store
from civicpulse.understand.text import normalise

MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class RawEntry:
    """The fields a connector extracts from one entry, before keys and pseudonyms."""

    text: str
    title: str = ""
    url: str = ""
    kind: ItemKind = ItemKind.ARTICLE
    author: str = ""
    published_at: datetime | None = None
    lang: str = ""
    platform: str = ""
    platform_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def make_item(entry: RawEntry, *, source_id: int | None, pseudonym_key: str) -> Item:
    """Turn a connector's raw entry into an `Item`; raise `Skip` for an empty one."""
    raw = entry.text[:MAX_TEXT_CHARS].replace("\x00", "")  # PostgreSQL text cannot hold NUL
    text, title = normalise(raw), normalise(entry.title)[:2000]
    if not text and not title:
        raise Skip("empty entry: no title and no text")
    published = entry.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return Item(
        key=item_key(
            platform=entry.platform, platform_id=entry.platform_id, url=entry.url, title=title, text=text
        ),
        text=text,
        title=title,
        url=entry.url.strip(),
        kind=entry.kind,
        source_id=source_id,
        author=pseudonymise(entry.author, pseudonym_key),
        published_at=published,
        collected_at=datetime.now(UTC),
        lang=entry.lang.strip().lower()[:12],
        platform=entry.platform,
        platform_id=entry.platform_id,
        content_hash=content_hash(title, text),
        raw_text=raw if raw != text else "",
        extra=entry.extra,
    )


@dataclass
class IngestCounts:
    """What one ingestion run did; printed by the CLI and kept in the fetch log."""

    seen: int = 0
    new: int = 0
    skipped: int = 0
    quarantined: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"seen": self.seen, "new": self.new, "skipped": self.skipped, "quarantined": self.quarantined}


class Ingestor:
    """Writes items in batches; each bad entry is quarantined with its reason and the run goes on."""

    def __init__(self, store: Store, *, origin: str, source_id: int | None, batch_size: int = 500) -> None:
        self.store = store
        self.origin = origin
        self.source_id = source_id
        self.batch_size = batch_size
        self.counts = IngestCounts()
        self.new_items: list[Item] = []
        self._pending: list[Item] = []

    def add(self, item: Item) -> None:
        self.counts.seen += 1
        self._pending.append(item)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def skip(self, _reason: str) -> None:
        self.counts.seen += 1
        self.counts.skipped += 1

    def reject(self, problem: Quarantine, where: str = "") -> None:
        """Quarantine one bad entry (`where` names the line or entry) and count it."""
        self.counts.seen += 1
        self.counts.quarantined += 1
        origin = f"{self.origin}{where}"
        self.store.quarantine(
            QuarantineEntry(
                origin=origin, reason=problem.reason, payload=_text(problem.payload), source_id=self.source_id
            )
        )

    def flush(self) -> list[Item]:
        """Write what is pending; return the items that were new."""
        if not self._pending:
            return []
        fresh = self.store.add_items(self._pending)
        self._pending = []
        self.counts.new += len(fresh)
        self.new_items.extend(fresh)
        return fresh

    def ingest(self, entries: Iterable[RawEntry | Quarantine], *, pseudonym_key: str) -> IngestCounts:
        """Make, write and count every entry; `Quarantine` values in the stream are kept aside."""
        for entry in entries:
            if isinstance(entry, Quarantine):
                self.reject(entry)
                continue
            try:
                self.add(make_item(entry, source_id=self.source_id, pseudonym_key=pseudonym_key))
            except Skip as skip:
                self.skip(skip.reason)
        self.flush()
        return self.counts


def _text(payload: bytes | str) -> str:
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload


def take(iterable: Iterable[Any], n: int) -> Iterator[Any]:
    """Yield at most `n` values (used to cap entries per feed)."""
    for i, value in enumerate(iterable):
        if i >= n:
            return
        yield value
