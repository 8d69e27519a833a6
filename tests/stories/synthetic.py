"""A small synthetic labelled stream: stories with their own words over shared background words."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2025, 9, 1, tzinfo=UTC)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bdghklmnprstv") + rng.choice("aeiou") for _ in range(3))


def stream(stories: int = 24, per_story: int = 15, seed: int = 7) -> list[dict[str, Any]]:
    """Return rows in the evaluation format (EVAL.md), in time order, each story active for about a day."""
    rng = random.Random(seed)
    background = [_word(rng) for _ in range(300)]
    rows: list[dict[str, Any]] = []
    for s in range(stories):
        own = [_word(rng) for _ in range(10)]
        start = START + timedelta(hours=rng.uniform(0, 24 * 10))
        for k in range(per_story):
            when = start + timedelta(minutes=rng.uniform(0, 24 * 60))
            words = rng.sample(own, 4) + rng.sample(background, 5)
            rng.shuffle(words)
            rows.append(
                {
                    "id": f"s{s}-{k}",
                    "title": " ".join(words[:4]),
                    "text": " ".join(words),
                    "time": when.isoformat(),
                    "lang": "en",
                    "story": f"story-{s}",
                }
            )
    rows.sort(key=lambda r: (r["time"], r["id"]))
    return rows
