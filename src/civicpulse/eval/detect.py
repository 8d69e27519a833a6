"""`civicpulse eval detect`: replay a labelled stream through the full pipeline, score alerts against `event`.

The real stages run on a temporary SQLite store (understanding, topics, places, stories, detect), fed by
the same replay as `civicpulse replay` at the rows' times, as fast as possible. The EMM reference rule runs
beside the hotspot score on the same items, so both are scored on one pass.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings, with_secrets
from civicpulse.detect.score import EmmScorer
from civicpulse.detect.signals import DAY, Subject
from civicpulse.detect.stage import DetectStage
from civicpulse.errors import InputError
from civicpulse.eval.rows import _row as parse_row
from civicpulse.models import Item
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import open_store

Progress = Callable[[int], None]


@dataclass
class Recorder:
    """A last stage that remembers each item's subjects, time and gold event (for the scorer only)."""

    name: str = "record"
    members: dict[Subject, list[tuple[float, str | None]]] = field(default_factory=lambda: defaultdict(list))
    event_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    days: set[int] = field(default_factory=set)
    items: int = 0

    def process(self, item: Item) -> Item:
        when = item.published_at or item.collected_at
        t = when.timestamp() if when is not None else 0.0
        gold = item.extra.get("gold", {}).get("event")
        event = None if gold is None else str(gold)
        e = item.enrichment
        subjects: list[Subject] = [("story", str(e.story_id))] if e.story_id is not None else []
        subjects += [("topic", str(i)) for i in e.topic_ids] + [("unit", u) for u in e.units]
        for subject in subjects:
            self.members[subject].append((t, event))
        if event is not None:
            self.event_times[event].append(t)
        self.days.add(int(t // DAY))
        self.items += 1
        return item


def evaluate_detect(path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Replay `path` through the pipeline on a temporary store; return the EVAL.md keys plus the baseline."""
    repeated = check_rows(path)
    ours: list[tuple[Subject, float]] = []
    emm: list[tuple[Subject, float]] = []
    with tempfile.TemporaryDirectory(prefix="civicpulse-eval-") as tmp:
        settings = with_secrets(Settings(data_dir=Path(tmp), _env_file=None))
        store = open_store(f"sqlite:///{Path(tmp) / 'eval.db'}", upgrade=True)
        try:
            pipeline = lay_pipe(settings, store)
            stage = next(s for s in pipeline.stages if isinstance(s, DetectStage))
            stage.sink = None  # nobody to notify in an evaluation
            stage.on_alert = lambda _id, subject, t, event: (
                ours.append((subject, t)) if event == "new" else None
            )
            reference = DetectStage(
                None,
                scorer=EmmScorer(),
                on_alert=lambda _i, s, t, ev: emm.append((s, t)) if ev == "new" else None,
            )
            recorder = Recorder()
            pipeline.stages += [reference, recorder]
            started = time.perf_counter()
            replay_file(
                store, pipeline, path, pseudonym_key=settings.pseudonym_key, speed=None, progress=progress
            )
            elapsed = time.perf_counter() - started
        finally:
            store.close()
    result = score_alerts(ours, recorder, stage.alert_members)
    result["items_per_s"] = round(recorder.items / elapsed, 1) if elapsed > 0 else 0.0
    result["baseline_emm"] = score_alerts(emm, recorder)
    result["repeated_ids"] = repeated
    return result


def score_alerts(
    alerts: list[tuple[Subject, float]],
    recorder: Recorder,
    covers: dict[tuple[Subject, float], tuple[Subject, ...]] | None = None,
) -> dict[str, Any]:
    """Score alerts as EVAL.md says: detection by the first alert whose subject is mostly the event's.

    A group alert (young stories sharing a bursting term) covers several stories: `covers` names them, as
    they were when it was raised, and all their items up to the alert's time are its story's items.
    """
    onset = onsets(recorder)
    detected: dict[str, float] = {}
    true = 0
    for subject, t in sorted(alerts, key=lambda a: a[1]):
        parts = (covers or {}).get((subject, t), (subject,))
        event = majority([m for part in parts for m in recorder.members.get(part, [])], t)
        if event is not None:
            true += 1
            detected.setdefault(event, t)
    delays = sorted(detected[e] - onset[e] for e in detected if e in onset)
    days = max(1, len(recorder.days))
    return {
        "items": recorder.items,
        "events": len(onset),
        "events_detected": len(detected),
        "recall": round(len(detected) / len(onset), 4) if onset else 0.0,
        "median_delay_s": round(statistics.median(delays), 1) if delays else None,
        "p90_delay_s": round(_quantile(delays, 0.9), 1) if delays else None,
        "alerts": len(alerts),
        "true_alerts": true,
        "alert_precision": round(true / len(alerts), 4) if alerts else 0.0,
        "false_alerts_per_day": round((len(alerts) - true) / days, 3),
        "delays_s": {e: round(detected[e] - onset[e], 1) for e in sorted(detected)},
    }


def onsets(recorder: Recorder) -> dict[str, float]:
    """Return each gold event's onset: the time of its 5th row."""
    return {e: ts[min(4, len(ts) - 1)] for e, ts in recorder.event_times.items()}


def majority(members: list[tuple[float, str | None]], until: float) -> str | None:
    """Return the gold event most of a subject's items up to `until` belong to, or None."""
    counts = Counter(event for t, event in members if t <= until)
    total = sum(counts.values())
    if not total:
        return None
    event, count = counts.most_common(1)[0]
    return event if event is not None and count * 2 > total else None


def _quantile(values: list[float], q: float) -> float:
    """Return the nearest-rank quantile of sorted `values`."""
    return values[min(len(values) - 1, max(0, round(q * len(values) + 0.5) - 1))]


def check_rows(path: Path) -> int:
    """Fail early, naming the line, on a malformed row or a missing `event`; return repeated ids.

    A repeated id is the same post delivered twice, which live streams do: the replay's natural keys store
    it once, as `civicpulse run` would, so it is counted here rather than refused.
    """
    seen: set[str] = set()
    repeated = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = parse_row(path, number, line)
            if "event" not in row.record:
                raise InputError(f"{path}:{number}: `event` is missing; use null for background rows")
            repeated += row.id in seen
            seen.add(row.id)
    return repeated
