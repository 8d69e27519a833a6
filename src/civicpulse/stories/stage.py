"""The story stage: clusters each item as it arrives; `flush` writes touched stories in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from civicpulse.models import Item
from civicpulse.store import Store
from civicpulse.store.stories import StoryTables, at
from civicpulse.stories.clusterer import Changes, StoryClusterer
from civicpulse.stories.doc import Doc
from civicpulse.stories.story import StoryState
from civicpulse.understand.tokens import LEAD_WORDS, lead, terms_surface

LABEL_CHARS = 160


class StoryStage:
    """Set `enrichment.story_id` on every item; rebuild the clusterer from the store on start-up."""

    name = "stories"

    def __init__(self, store: Store, clusterer: StoryClusterer | None = None) -> None:
        self.tables = StoryTables(store)
        self.clusterer = clusterer if clusterer is not None else StoryClusterer()
        restore(self.clusterer, self.tables)

    def process(self, item: Item) -> Item:
        story_id = self.clusterer.learn_one(item_doc(item, self.clusterer.clock))
        return replace(item, enrichment=replace(item.enrichment, story_id=story_id))

    def flush(self) -> None:
        save(self.clusterer, self.tables)


def item_doc(item: Item, clock: float = 0.0) -> Doc:
    """Map an item to the clusterer's `Doc`; an item without a time arrives at the clusterer's clock."""
    enrichment = item.enrichment
    lang = enrichment.lang or item.lang
    text = enrichment.analysis_text or "\n".join(t for t in (item.title, item.text) if t)
    when = item.published_at or item.collected_at
    vector = enrichment.features.get("embedding")
    found, surface = terms_surface(lead(text, LEAD_WORDS), lang, surface=True)
    return Doc(
        id=str(item.id) if item.id is not None else item.key,
        terms=found,
        time=when.timestamp() if when is not None else max(clock, 0.0),
        source="" if item.source_id is None else str(item.source_id),
        lang=lang,
        title=(item.title or item.text)[:LABEL_CHARS],
        platform=item.platform,
        vector=vector if isinstance(vector, list) else None,
        dup_of=None if enrichment.dup_of is None else str(enrichment.dup_of),
        text=text,
        surface=surface,
    )


def save(clusterer: StoryClusterer, tables: StoryTables, assignments: Sequence[tuple[int, int]] = ()) -> None:
    """Write what changed since the last save, and the clusterer's global state, in one transaction.

    `assignments` (item id, story id) join the same transaction (the distributed story stage's marks).
    """
    changes = clusterer.drain()
    # Later states win: a story that went dormant and was revived in the same batch is active.
    latest = {s.id: _row(s, "dormant") for s in changes.dormant}
    latest.update({s.id: _row(s, "merged", into) for s, into in changes.merged})
    latest.update({s.id: _row(s, "active") for s in changes.touched})
    rows = [latest[sid] for sid in sorted(latest)]
    history = [{**h, "at": at(h["at"]), "details": h.get("details", {})} for h in changes.history]
    tables.save(rows, _buckets(changes), history, clusterer.to_state(), assignments)


def restore(clusterer: StoryClusterer, tables: StoryTables) -> None:
    """Resume the clusterer from the last save (a fresh store leaves it empty)."""
    state = tables.checkpoint()
    if state is None:
        return
    stories = [_state(row) for row in tables.active_rows()]
    clusterer.load_state(state, stories)


def _row(story: StoryState, status: str, merged_into: int | None = None) -> dict[str, Any]:
    return {
        "id": story.id,
        "label": story.label,
        "key_phrases": story.key_phrases(),
        "first_seen": at(story.first_seen),
        "last_seen": at(story.last_seen),
        "item_count": story.items,
        "distinct_count": story.distinct,
        "source_ids": [int(s) for s in story.sources if s.isdigit()],
        "platforms": list(story.platforms),
        "langs": list(story.langs),
        "units": [],
        "status": status,
        "merged_into": merged_into,
        "state": {**story.to_state(), "label": story.label, "sources": story.sources},
    }


def _buckets(changes: Changes) -> list[dict[str, Any]]:
    rows = []
    for story in [*changes.touched, *changes.dormant, *(s for s, _ in changes.merged)]:
        for hour, (count, distinct) in sorted(story.buckets.items()):
            rows.append(
                {"story_id": story.id, "bucket": at(hour), "items": count, "distinct_items": distinct}
            )
        story.buckets.clear()
    return rows


def _state(row: dict[str, Any]) -> StoryState:
    state = row["state"]
    return StoryState.from_state(
        row["id"],
        state,
        items=row["item_count"],
        distinct=row["distinct_count"],
        label=state["label"],
        sources=list(state["sources"]),
        platforms=list(row["platforms"]),
        langs=list(row["langs"]),
    )
