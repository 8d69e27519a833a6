"""Analysts' labels: every correction is kept (who, when, what the model said); the latest one counts.

Besides the corrections themselves, this module reads what the labelling screen needs: one item's model
labels, and the newest classified items nobody has labelled yet (the pool active learning ranks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, select

from civicpulse.errors import StoreError
from civicpulse.models import Enrichment, Item
from civicpulse.store.schema import enrichments, item_labels, items, sources
from civicpulse.store.store import Store, _item, aware, now


@dataclass(frozen=True)
class LabelCorrection:
    """An analyst's label for one item and task, with what the model had said."""

    item_id: int
    task: str
    label: str
    previous: str = ""
    analyst: str = ""
    created_at: datetime | None = None


class LabelTables:
    """The `item_labels` table, and the items a labelling screen offers."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, correction: LabelCorrection) -> None:
        """Record one correction (earlier ones for the same item and task stay, for the audit trail).

        The item's title and text are copied with it: training reads the copy, which outlives the item's
        month when old partitions are dropped (store/partitions.py).
        """
        row = {
            "item_id": correction.item_id,
            "task": correction.task,
            "label": correction.label,
            "previous": correction.previous,
            "analyst": correction.analyst,
            "created_at": correction.created_at or now(),
        }
        judged = select(items.c.title, items.c.text).where(items.c.id == correction.item_id)
        with self.store._write(), self.store.engine.begin() as conn:
            found = conn.execute(judged).first()
            if found is None:  # what the foreign key said, before PostgreSQL's items were partitioned
                raise StoreError(f"item {correction.item_id} is not stored (or its month was dropped)")
            row["title"], row["text"] = found.title, found.text
            conn.execute(insert(item_labels), [row])

    def latest(self, task: str) -> list[tuple[str, str, str]]:
        """Return (title, text, label) of every labelled item for `task`, by its latest correction."""
        query = (
            select(item_labels.c.title, item_labels.c.text, item_labels.c.label)
            .where(item_labels.c.id.in_(select(_newest(task).c.id)))
            .order_by(item_labels.c.id)
        )
        with self.store.engine.connect() as conn:
            return [(r.title, r.text, r.label) for r in conn.execute(query)]

    def count(self, task: str) -> int:
        """Return how many corrections were recorded for `task`."""
        query = select(func.count()).select_from(item_labels).where(item_labels.c.task == task)
        with self.store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def history(self, item_id: int) -> list[LabelCorrection]:
        """Return every correction of one item, oldest first."""
        query = select(item_labels).where(item_labels.c.item_id == item_id).order_by(item_labels.c.id)
        with self.store.engine.connect() as conn:
            return [_correction(r._mapping) for r in conn.execute(query)]

    def current(self, item_ids: Sequence[int], task: str) -> dict[int, str]:
        """Return the analysts' latest label for `task` of each of `item_ids` that has one."""
        if not item_ids:
            return {}
        query = (
            select(item_labels.c.item_id, item_labels.c.label)
            .where(item_labels.c.task == task, item_labels.c.item_id.in_(list(item_ids)))
            .order_by(item_labels.c.id)
        )
        with self.store.engine.connect() as conn:
            return {r.item_id: r.label for r in conn.execute(query)}  # later rows overwrite earlier ones

    def labelled_item(self, item_id: int) -> Item | None:
        """Return one item with the labels the classifiers gave it (empty when not yet understood)."""
        query = (
            select(items, sources.c.name.label("source_name"), enrichments.c.labels)
            .select_from(
                items.outerjoin(sources, items.c.source_id == sources.c.id).outerjoin(
                    enrichments, enrichments.c.item_id == items.c.id
                )
            )
            .where(items.c.id == item_id)
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return _with_labels(row._mapping) if row else None

    def unlabelled_recent(self, task: str, scan: int = 2000) -> list[Item]:
        """Return the newest classified items (by id, at most `scan`) that no analyst labelled for `task`.

        Active learning ranks these by how unsure the model was; bounding the scan keeps the screen
        instant at millions of items, and recent items are the ones the city talks about now.
        """
        labelled = exists(
            select(1).where(and_(item_labels.c.item_id == enrichments.c.item_id, item_labels.c.task == task))
        )
        newest = (
            select(enrichments.c.item_id)
            .where(~labelled)
            .order_by(enrichments.c.item_id.desc())
            .limit(scan)
            .subquery()
        )
        query = (
            select(items, sources.c.name.label("source_name"), enrichments.c.labels)
            .select_from(
                items.join(enrichments, enrichments.c.item_id == items.c.id).outerjoin(
                    sources, items.c.source_id == sources.c.id
                )
            )
            .where(items.c.id.in_(select(newest.c.item_id)))
            .order_by(items.c.id.desc())
        )
        with self.store.engine.connect() as conn:
            found = [_with_labels(r._mapping) for r in conn.execute(query)]
        return [i for i in found if isinstance(i.enrichment.labels.get(task), dict)]


def _with_labels(row: Any) -> Item:
    item = _item(row)
    labels = row["labels"] if isinstance(row["labels"], dict) else {}
    return replace(item, enrichment=Enrichment(labels=labels))


def _correction(m: Any) -> LabelCorrection:
    return LabelCorrection(
        item_id=m["item_id"],
        task=m["task"],
        label=m["label"],
        previous=m["previous"],
        analyst=m["analyst"],
        created_at=aware(m["created_at"]),
    )


def latest_labelled_items(store: Store, task: str) -> list[tuple[int, str, str, str]]:
    """Return (item id, title, text, label) of every item labelled for `task`, by its latest correction.

    Title and text are the copies taken at label time, so labels of items whose month was dropped still train.
    """
    query = (
        select(item_labels.c.item_id, item_labels.c.title, item_labels.c.text, item_labels.c.label)
        .where(item_labels.c.id.in_(select(_newest(task).c.id)))
        .order_by(item_labels.c.item_id)
    )
    with store.engine.connect() as conn:
        return [(int(r.item_id), r.title, r.text, r.label) for r in conn.execute(query)]


def _newest(task: str) -> Any:
    """The id of each item's latest correction for `task`."""
    return (
        select(func.max(item_labels.c.id).label("id"))
        .where(item_labels.c.task == task)
        .group_by(item_labels.c.item_id)
        .subquery()
    )
