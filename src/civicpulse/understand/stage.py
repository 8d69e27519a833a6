"""Pipeline stages of understanding: `UnderstandStage` (language, analysis text, features, duplicates)
and `TopicStage` (watched topics). Both buffer their writes and store them once per batch in `flush`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import timedelta

from civicpulse.models import Enrichment, Item
from civicpulse.store import Store
from civicpulse.store.store import now
from civicpulse.store.understanding import EnrichmentTables, TopicTables
from civicpulse.understand.dedup import Deduplicator, DedupOptions
from civicpulse.understand.language import LanguageIdentifier, LanguageOptions
from civicpulse.understand.topics import TopicMatcher
from civicpulse.understand.vietnamese import analyse

LANGUAGE_CHARS = 1_000


@dataclass(frozen=True)
class UnderstandOptions:
    """Options of the understanding stage."""

    language: LanguageOptions = field(default_factory=LanguageOptions)
    """How languages are told apart."""
    dedup: DedupOptions = field(default_factory=DedupOptions)
    """How alike copies must be, and how much history is kept."""
    rebuild_limit: int = 200_000
    """At most this many recent items are replayed into the duplicate window on start."""


class UnderstandStage:
    """Adds language, analysis text, features and `dup_of` to each item's enrichment."""

    name = "understand"

    def __init__(self, store: Store, options: UnderstandOptions | None = None) -> None:
        self.options = options or UnderstandOptions()
        self.tables = EnrichmentTables(store)
        self.identifier = LanguageIdentifier(self.options.language)
        self._platform = frozenset(self.options.language.languages)
        self.dedup = Deduplicator(self.options.dedup)
        self._pending: list[tuple[int, Enrichment]] = []
        self._rebuilt = False

    def process(self, item: Item) -> Item:
        """Return `item` with its enrichment filled in; the write waits for `flush`."""
        if not self._rebuilt:
            self.rebuild()
        text = f"{item.title}\n{item.text}" if item.title and item.title not in item.text else item.text
        # The first thousand characters tell the language as well as the whole article, at a fraction.
        lang, score = self.identifier.identify(text[:LANGUAGE_CHARS])
        # Vietnamese abbreviations (`ko`, `hem`, `kg`) are left alone in languages outside the platform's.
        analysis = analyse(text, normalised=True, expand=not lang or lang in self._platform)
        dup_of = None
        if item.id is not None:
            dup_of = self.dedup.check(item.id, analysis.text, item.published_at or item.collected_at)
        enrichment = replace(
            item.enrichment,
            lang=lang,
            lang_score=round(score, 4),
            analysis_text=analysis.text,
            features=analysis.features,
            dup_of=dup_of,
        )
        if item.id is not None:
            self._pending.append((item.id, enrichment))
        return replace(item, enrichment=enrichment)

    def flush(self) -> None:
        """Store the enrichments of the batch in one write."""
        pending, self._pending = self._pending, []
        self.tables.save(pending)

    def rebuild(self) -> None:
        """Replay recent stored items into the duplicate window, so a restart links copies as before."""
        self._rebuilt = True
        since = now() - self.options.dedup.window
        for item_id, text, at in self.tables.recent_texts(since, self.options.rebuild_limit):
            self.dedup.check(item_id, text, at)


class TopicStage:
    """Adds the ids of the watched topics an item matches; picks up added or edited topics."""

    name = "topics"

    def __init__(self, store: Store, reload_every: timedelta = timedelta(seconds=30)) -> None:
        self.tables = TopicTables(store)
        self.reload_every_s = reload_every.total_seconds()
        self.matcher = TopicMatcher(())
        self._version: tuple[int, str] | None = None
        self._checked_at = float("-inf")
        self._pending: list[tuple[int, int]] = []

    def process(self, item: Item) -> Item:
        """Return `item` with `enrichment.topic_ids` set; the matches are stored at `flush`."""
        self.reload()
        text = item.enrichment.analysis_text or f"{item.title}\n{item.text}"
        topic_ids = self.matcher.match(text)
        if item.id is not None:
            self._pending.extend((item.id, topic_id) for topic_id in topic_ids)
        return replace(item, enrichment=replace(item.enrichment, topic_ids=topic_ids))

    def flush(self) -> None:
        """Store the batch's matches in one write."""
        pending, self._pending = self._pending, []
        self.tables.save_matches(pending)

    def reload(self, *, force: bool = False) -> None:
        """Recompile the topics if they changed since the last check (checked at most every few seconds)."""
        if not force and time.monotonic() - self._checked_at < self.reload_every_s:
            return
        self._checked_at = time.monotonic()
        version = self.tables.version()
        if force or version != self._version:
            self._version = version
            self.matcher = TopicMatcher(self.tables.topics(enabled_only=True))
