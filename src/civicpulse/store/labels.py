"""Analysts' labels: every correction is kept (who, when, what the model said); the latest one counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from civicpulse.store.schema import item_labels, items
from civicpulse.store.store import Store, now


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
    """The `item_labels` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, correction: LabelCorrection) -> None:
        """Record one correction (earlier ones for the same item and task stay, for the audit trail)."""
        row = {
            "item_id": correction.item_id,
            "task": correction.task,
            "label": correction.label,
            "previous": correction.previous,
            "analyst": correction.analyst,
            "created_at": correction.created_at or now(),
        }
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(insert(item_labels), [row])

    def latest(self, task: str) -> list[tuple[str, str, str]]:
        """Return (title, text, label) of every labelled item for `task`, by its latest correction."""
        newest = (
            select(func.max(item_labels.c.id).label("id"))
            .where(item_labels.c.task == task)
            .group_by(item_labels.c.item_id)
            .subquery()
        )
        query = (
            select(items.c.title, items.c.text, item_labels.c.label)
            .join(item_labels, item_labels.c.item_id == items.c.id)
            .where(item_labels.c.id.in_(select(newest.c.id)))
            .order_by(item_labels.c.id)
        )
        with self.store.engine.connect() as conn:
            return [(r.title, r.text, r.label) for r in conn.execute(query)]

    def count(self, task: str) -> int:
        """Return how many corrections were recorded for `task`."""
        query = select(func.count()).select_from(item_labels).where(item_labels.c.task == task)
        with self.store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
