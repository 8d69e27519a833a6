"""Model swaps: each decision on a classifier retrained from analysts' labels, accepted or refused."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from civicpulse.store.schema import model_swaps
from civicpulse.store.store import aware, now

if TYPE_CHECKING:
    from civicpulse.store.store import Store


@dataclass(frozen=True)
class ModelSwap:
    """One decision: the candidate and the model it would replace, both scored on the same held-out labels."""

    task: str
    candidate: str
    previous: str
    holdout_items: int
    accepted: bool
    reason: str
    old_metrics: dict[str, Any] = field(default_factory=dict)
    new_metrics: dict[str, Any] = field(default_factory=dict)
    decided_by: str = ""
    command: str = ""
    decided_at: datetime | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (time as ISO 8601)."""
        return {
            "id": self.id,
            "task": self.task,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decided_by": self.decided_by,
            "command": self.command,
            "candidate": self.candidate,
            "previous": self.previous,
            "holdout_items": self.holdout_items,
            "old_metrics": self.old_metrics,
            "new_metrics": self.new_metrics,
            "accepted": self.accepted,
            "reason": self.reason,
        }


def record_swap(store: Store, swap: ModelSwap) -> ModelSwap:
    """Store one decision and return it with its id and time."""
    decided_at = swap.decided_at or now()
    row: dict[str, Any] = {
        "task": swap.task,
        "decided_at": decided_at,
        "decided_by": swap.decided_by,
        "command": swap.command,
        "candidate": swap.candidate,
        "previous": swap.previous,
        "holdout_items": swap.holdout_items,
        "old_metrics": swap.old_metrics,
        "new_metrics": swap.new_metrics,
        "accepted": swap.accepted,
        "reason": swap.reason,
    }
    with store._write(), store.engine.begin() as conn:
        new_id = conn.execute(insert(model_swaps).values(row).returning(model_swaps.c.id)).scalar_one()
    return dataclasses.replace(swap, decided_at=decided_at, id=int(new_id))


def swap_history(store: Store, task: str | None = None, limit: int = 100) -> list[ModelSwap]:
    """Return the latest decisions, newest first, for one task or all."""
    query = (
        select(model_swaps).order_by(model_swaps.c.decided_at.desc(), model_swaps.c.id.desc()).limit(limit)
    )
    if task is not None:
        query = query.where(model_swaps.c.task == task)
    with store.engine.connect() as conn:
        return [
            ModelSwap(
                task=r.task,
                candidate=r.candidate,
                previous=r.previous,
                holdout_items=int(r.holdout_items),
                accepted=bool(r.accepted),
                reason=r.reason,
                old_metrics=dict(r.old_metrics or {}),
                new_metrics=dict(r.new_metrics or {}),
                decided_by=r.decided_by,
                command=r.command,
                decided_at=aware(r.decided_at),
                id=int(r.id),
            )
            for r in conn.execute(query)
        ]
