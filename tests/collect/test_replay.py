"""Replay: a pure schedule, and rows fed to the pipeline when due with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicpulse.collect.replay import Schedule, replay_file, schedule
from civicpulse.errors import InputError
from civicpulse.models import Item
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store
from tests.conftest import FIXTURES
from tests.factories import TEST_KEY

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def test_schedule_spaces_rows_by_their_times_divided_by_speed() -> None:
    times = [T0, T0 + timedelta(minutes=1), None, T0 + timedelta(minutes=3)]
    assert list(schedule(times, speed=60)) == [0.0, 1.0, 1.0, 3.0]


def test_schedule_keeps_file_order_for_rows_without_or_before_earlier_times() -> None:
    times = [None, T0, T0 + timedelta(seconds=100), T0 + timedelta(seconds=10), None]
    assert list(schedule(times, speed=10)) == [0.0, 0.0, 10.0, 10.0, 10.0]


def test_schedule_at_max_speed_is_all_at_once() -> None:
    assert list(schedule([T0, T0 + timedelta(days=1)], speed=None)) == [0.0, 0.0]


def test_naive_times_are_taken_as_utc() -> None:
    plan = Schedule(speed=1)
    assert plan.due(datetime(2025, 9, 1, 8, 0)) == 0.0
    assert plan.due(T0 + timedelta(seconds=5)) == 5.0


def test_speed_must_be_positive() -> None:
    with pytest.raises(InputError, match="positive"):
        Schedule(speed=0)


class Recorder:
    """A stage that records when (on the fake clock) each item reached the pipeline."""

    name = "recorder"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.seen: list[tuple[float, str]] = []

    def process(self, item: Item) -> Item:
        self.seen.append((self.clock.now, item.platform_id))
        return item


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_replay_feeds_rows_to_the_pipeline_when_due(store: Store) -> None:
    clock = FakeClock()
    stage = Recorder(clock)
    report = replay_file(
        store,
        Pipeline(store, [stage]),
        FIXTURES / "imports" / "eval.jsonl",
        pseudonym_key=TEST_KEY,
        speed=60,
        clock=clock,
        sleep=clock.sleep,
    )
    # Rows at 15:00 and 15:30 (+07:00), one without time, then 16:30Z = 23:30 (+07:00): 8.5 hours later.
    assert clock.sleeps == [30.0, 480.0]
    assert stage.seen == [(100.0, "eval:1"), (130.0, "eval:2"), (130.0, "eval:3"), (610.0, "eval:4")]
    assert report.as_dict() | {"file": ""} == {
        "file": "",
        "speed": 60,
        "seen": 4,
        "new": 4,
        "skipped": 0,
        "quarantined": 0,
        "processed": 4,
    }


def test_replay_at_max_speed_never_sleeps_and_quarantines_bad_rows(
    sqlite_store: Store, tmp_path: Path
) -> None:
    clock = FakeClock()
    stage = Recorder(clock)
    path = tmp_path / "stream.jsonl"
    path.write_text(
        '{"id": "1", "text": "một", "time": "2025-09-01T08:00:00Z"}\n{broken\n'
        '{"id": "2", "text": "hai", "time": "2025-09-09T08:00:00Z"}\n{"text": "no id"}\n',
        encoding="utf-8",
    )
    report = replay_file(
        sqlite_store,
        Pipeline(sqlite_store, [stage]),
        path,
        pseudonym_key=TEST_KEY,
        speed=None,
        batch_size=1,
        clock=clock,
        sleep=clock.sleep,
    )
    assert clock.sleeps == []
    assert [pid for _, pid in stage.seen] == ["stream:1", "stream:2"]
    assert (report.counts.new, report.counts.quarantined) == (2, 2)
    origins = sorted(q.origin for q in sqlite_store.quarantined())
    assert origins == ["replay:stream.jsonl:2", "replay:stream.jsonl:4"]
