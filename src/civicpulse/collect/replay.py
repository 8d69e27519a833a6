"""Replay an evaluation-format file into the live pipeline at its rows' timestamps, N times faster.

The schedule is a pure function of the rows' times, and the clock and sleep are injected, so tests replay a
day of rows without waiting. Rows are read, stored and submitted in file order, one at a time as a live
stream would deliver them; rows that are due together are written and submitted as one batch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicpulse.collect.imports.evaluation import eval_entry
from civicpulse.collect.imports.reading import Position, detect_encoding, json_rows, sample
from civicpulse.collect.imports.schema import Context
from civicpulse.collect.ingest import IngestCounts, Ingestor, make_item
from civicpulse.errors import InputError, Quarantine, Skip
from civicpulse.models import Source, SourceKind
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store


class Schedule:
    """When each row is due, in seconds after the replay starts; `speed` None means as fast as possible."""

    def __init__(self, speed: float | None) -> None:
        if speed is not None and speed <= 0:
            raise InputError(f"speed {speed} must be a positive number, or `max`")
        self.speed = speed
        self._first: datetime | None = None
        self._last = 0.0

    def due(self, when: datetime | None) -> float:
        """Return when a row with time `when` is due; rows without time, or earlier ones, follow the last."""
        if self.speed is None or when is None:
            return self._last
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        if self._first is None:
            self._first = when
        self._last = max(self._last, (when - self._first).total_seconds() / self.speed)
        return self._last


def schedule(times: Iterable[datetime | None], speed: float | None) -> Iterator[float]:
    """Yield the due offset of each row, in order (the pure heart of replay)."""
    plan = Schedule(speed)
    for when in times:
        yield plan.due(when)


@dataclass
class ReplayReport:
    """What a replay did: rows read and stored, and items the pipeline finished."""

    file: str
    speed: float | None
    counts: IngestCounts = field(default_factory=IngestCounts)
    processed: int = 0

    def as_dict(self) -> dict[str, Any]:
        speed = "max" if self.speed is None else self.speed
        return {"file": self.file, "speed": speed, **self.counts.as_dict(), "processed": self.processed}


def replay_file(
    store: Store,
    pipeline: Pipeline,
    path: Path,
    *,
    pseudonym_key: str,
    speed: float | None,
    batch_size: int = 500,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Store each row of `path` when it is due and submit the new items to `pipeline`."""
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file; check the path")
    encoding = detect_encoding(sample(path), path)
    source = store.add_source(Source(name=path.name, kind=SourceKind.IMPORT, url=path.resolve().as_uri()))
    ingestor = Ingestor(store, origin=f"replay:{path.name}", source_id=source.id, batch_size=batch_size)
    report = ReplayReport(file=str(path), speed=speed, counts=ingestor.counts)
    plan, ctx = Schedule(speed), Context(stem=path.stem)

    def push() -> None:
        ingestor.flush()
        if ingestor.new_items:
            report.processed += pipeline.submit(ingestor.new_items)
            ingestor.new_items.clear()
        if progress:
            progress(ingestor.counts.seen)

    start = clock()
    for row in json_rows(path, encoding, Position()):
        try:
            if isinstance(row.value, Quarantine):
                raise row.value
            entry = eval_entry(row.value, ctx)
        except Quarantine as problem:
            sample_ = "" if isinstance(row.value, Quarantine) else json.dumps(row.value, ensure_ascii=False)
            ingestor.reject(Quarantine(problem.reason, problem.payload or sample_[:500]), row.where)
            continue
        wait = start + plan.due(entry.published_at) - clock()
        if wait > 0:
            push()  # everything due before this row goes down the pipeline before we wait
            sleep(wait)
        try:
            ingestor.add(make_item(entry, source_id=source.id, pseudonym_key=pseudonym_key))
        except Skip as skip:
            ingestor.skip(skip.reason)
        if ingestor.new_items:
            push()
    push()
    return report
