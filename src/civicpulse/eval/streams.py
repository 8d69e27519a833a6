"""Synthetic labelled streams for detection: the quality gate's three crises and the latency bench's flood.

Both draw their background from one chatter vocabulary. Seeded, so each is the same stream every run; the
rows follow EVAL.md (`id`, `text`, `time`, `lang`, `event`).
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
GATE_EVENTS = {
    "flood": ("en", "flood water river bridge rescue evacuate rain district road closed boats", 20),
    "ngap": ("vi", "ngập nước triều cường đường phố Thủ Đức mưa lớn xe chết máy kẹt", 40),
    "fire": ("en", "fire smoke factory explosion firefighters injured blaze warehouse sirens", 58),
}
BENCH_EVENTS = (
    ["ngập", "nước", "triều", "cường", "đường", "phố", "mưa", "lớn", "xe", "chết", "máy", "kẹt"],
    ["cháy", "khói", "nhà", "xưởng", "lính", "cứu", "hỏa", "bị", "thương", "kho", "hàng", "còi"],
    ["flood", "water", "river", "bridge", "rescue", "evacuate", "rain", "district", "road", "closed"],
    ["fire", "smoke", "factory", "explosion", "firefighters", "injured", "blaze", "warehouse"],
)


def write_gate_stream(path: Path, seed: int = 4) -> Path:
    """Write three days of chatter (one row every few minutes) and three crises that trickle, then burst."""
    rng = random.Random(seed)
    rows: list[tuple[datetime, str, str, str | None]] = []
    t = START
    while t < START + timedelta(days=3):
        rows.append((t, "en", " ".join(rng.sample(CHATTER, 6)), None))
        t += timedelta(minutes=rng.uniform(1, 6))
    for name, (lang, vocabulary, hour) in GATE_EVENTS.items():
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


def write_bench_stream(path: Path, rows: int, seed: int = 7) -> Path:
    """Write one row per stream second: chatter, and every ~40 minutes an event bursting for ten minutes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(rows):
            minute = n // 60
            burst = minute % 40 < 10 and minute >= 40 and rng.random() < 0.3
            event = BENCH_EVENTS[(minute // 40) % len(BENCH_EVENTS)]
            words = rng.sample(event, 5) if burst else rng.sample(CHATTER, 6)
            when = (START + timedelta(seconds=n)).isoformat()
            record = {"id": str(n), "text": " ".join(words), "time": when, "event": None}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
