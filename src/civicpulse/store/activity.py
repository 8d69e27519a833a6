"""What impact measurement reads: the items of some stories over a time window, with their labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from civicpulse.store.response import aware
from civicpulse.store.schema import enrichments, items

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
