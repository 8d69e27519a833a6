"""Active learning: which recent items would teach a model most if an analyst labelled them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from civicpulse.models import Item


def margin_uncertainty(probs: Mapping[str, float]) -> float:
    """Return 1 minus the gap between the two most probable labels (1 = a coin toss, 0 = sure)."""
    top = sorted(probs.values(), reverse=True)
    if len(top) < 2:
        return 0.0
    return 1.0 - (top[0] - top[1])


def most_uncertain(items: Sequence[Item], task: str, limit: int = 20) -> list[tuple[Item, float]]:
    """Return up to `limit` items classified for `task`, most uncertain first (margin sampling)."""
    scored = []
    for item in items:
        label: Any = item.enrichment.labels.get(task)
        if isinstance(label, Mapping) and isinstance(label.get("probs"), Mapping):
            scored.append((item, margin_uncertainty(label["probs"])))
    scored.sort(key=lambda pair: pair[1], reverse=True)
    return scored[:limit]
