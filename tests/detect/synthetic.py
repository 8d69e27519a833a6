"""A small synthetic labelled stream for the detection quality gate: chatter plus three bursting events.

Background rows are random sentences from a shared vocabulary, one every few minutes for three days; each
event trickles (a few rows hours ahead, as real crises do) and then bursts. Seeded, so it is the same stream
every run.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2025, 9, 1, tzinfo=UTC)
CHATTER = [
    "coffee",
    "morning",
    "traffic",
    "lunch",
    "friends",
    "movie",
    "music",
    "weekend",
    "school",
    "homework",
    "game",
    "phone",
    "weather",
    "sunny",
    "dinner",
    "family",
    "birthday",
    "party",
    "shopping",
    "market",
    "football",
    "match",
    "sleep",
    "tired",
    "happy",
    "love",
    "work",
    "office",
    "bus",
]
EVENTS = {
    "flood": ("en", "flood water river bridge rescue evacuate rain district road closed boats", 20),
    "ngap": ("vi", "ngập nước triều cường đường phố Thủ Đức mưa lớn xe chết máy kẹt", 40),
    "fire": ("en", "fire smoke factory explosion firefighters injured blaze warehouse sirens", 58),
}


def write_stream(path: Path, seed: int = 4) -> Path:
    """Write the stream to `path` (JSONL in the EVAL.md format) and return it."""
    rng = random.Random(seed)
    rows: list[tuple[datetime, str, str, str | None]] = []
    t = START
    while t < START + timedelta(days=3):
        words = rng.sample(CHATTER, 6)
        rows.append((t, "en", " ".join(words), None))
        t += timedelta(minutes=rng.uniform(1, 6))
    for name, (lang, vocabulary, hour) in EVENTS.items():
        burst = START + timedelta(hours=hour)
        times = [burst - timedelta(hours=rng.uniform(1, 4)) for _ in range(3)]
        times += [burst + timedelta(minutes=rng.uniform(0, 60)) for _ in range(40)]
        for when in times:
            words = rng.sample(vocabulary.split(), 5) + rng.sample(CHATTER, 1)
            rows.append((when, lang, " ".join(words), name))
    rows.sort(key=lambda r: r[0])
    with path.open("w", encoding="utf-8") as handle:
        for n, (when, lang, text, event) in enumerate(rows):
            record = {"id": str(n), "text": text, "time": when.isoformat(), "lang": lang, "event": event}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
