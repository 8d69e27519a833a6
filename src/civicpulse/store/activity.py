"""What impact measurement reads: the items of some stories over a time window, with their labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from civicpulse.store.schema import enrichments, items, stories, story_buckets
from civicpulse.store.store import aware

if TYPE_CHECKING:
    from civicpulse.store.store import Store


@dataclass(frozen=True)
class Activity:
    """One item of a story: when, its folded text, its labels, and whether it duplicates another."""

    at: datetime
    fold: str
    labels: dict[str, Any]
    duplicate: bool


def story_activity(
    store: Store, story_ids: Sequence[int], since: datetime, until: datetime
) -> list[Activity]:
    """Items of `story_ids` published (else collected) in [since, until), oldest first."""
    if not story_ids:
        return []
    when = func.coalesce(items.c.published_at, items.c.collected_at)
    query = (
        select(when.label("at"), items.c.fold, enrichments.c.labels, enrichments.c.dup_of)
        .select_from(items.join(enrichments, enrichments.c.item_id == items.c.id))
        .where(enrichments.c.story_id.in_(list(story_ids)), when >= since, when < until)
        .order_by(when)
    )
    with store.engine.connect() as conn:
        return [
            Activity(
                at=aware(r.at) or since, fold=r.fold, labels=r.labels or {}, duplicate=r.dup_of is not None
            )
            for r in conn.execute(query)
        ]


def _when(value: datetime | str | None, default: datetime) -> datetime:
    # SQLite returns COALESCE of two timestamps as text.
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return aware(parsed) or default


@dataclass(frozen=True)
class StoryVolume:
    """A story's items within a window, with its label and units (for briefings)."""

    story_id: int
    label: str
    units: tuple[str, ...]
    items: int


def busiest_stories(store: Store, since: datetime, until: datetime, limit: int = 200) -> list[StoryVolume]:
    """Stories by items in [since, until), busiest first (hourly buckets, so to the hour)."""
    # Sum in a subquery: PostgreSQL cannot GROUP BY a JSON column such as `units`.
    totals = (
        select(story_buckets.c.story_id, func.sum(story_buckets.c["items"]).label("total"))
        .where(story_buckets.c.bucket >= since, story_buckets.c.bucket < until)
        .group_by(story_buckets.c.story_id)
        .subquery()
    )
    query = (
        select(stories.c.id, stories.c.label, stories.c.units, totals.c.total)
        .select_from(totals.join(stories, stories.c.id == totals.c.story_id))
        .order_by(totals.c.total.desc(), stories.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [
            StoryVolume(story_id=r.id, label=r.label, units=tuple(r.units or ()), items=int(r.total))
            for r in conn.execute(query)
        ]


def story_unit_counts(store: Store, story_id: int) -> dict[str, int]:
    """How many of a story's items name each unit (alternatives `a|b` count for each)."""
    query = select(enrichments.c.units).where(enrichments.c.story_id == story_id)
    counts: dict[str, int] = {}
    with store.engine.connect() as conn:
        for units in conn.execute(query).scalars():
            for code in {c for entry in units or () for c in str(entry).split("|") if c}:
                counts[code] = counts.get(code, 0) + 1
    return counts
