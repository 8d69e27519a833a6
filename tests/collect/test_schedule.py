"""Scheduling decisions as pure functions: no test here sleeps."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from civicpulse.collect.schedule import (
    HostGate,
    adaptive_interval,
    after_failure,
    after_success,
    backoff_s,
    is_due,
    next_due,
)
from civicpulse.config import Settings
from civicpulse.models import SourceState

NOW = datetime(2025, 9, 12, 8, 0, tzinfo=UTC)


def minutes_apart(*minutes: int) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_interval_follows_the_median_gap_between_entries(settings: Settings) -> None:
    times = minutes_apart(0, 20, 40, 60, 300)  # one long gap does not move the median
    assert adaptive_interval(times, 900.0, settings) == 20 * 60


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (minutes_apart(0, 1, 2, 3), 300.0),  # clamped to min_poll_interval_s
        (minutes_apart(0, 24 * 60, 48 * 60), 21600.0),  # clamped to max_poll_interval_s
        ([NOW], 900.0),  # one time says nothing: keep the current interval
        ([None, None], 900.0),
        (minutes_apart(0, 0, 0), 900.0),  # duplicates are one time
    ],
)
def test_interval_is_clamped_and_kept_without_evidence(
    settings: Settings, times: list[datetime | None], expected: float
) -> None:
    assert adaptive_interval(times, 900.0, settings) == expected


def test_backoff_doubles_with_jitter_and_stops_at_the_cap() -> None:
    rng = random.Random(7)
    waits = [backoff_s(n, base_s=300, cap_s=3600, rng=rng) for n in range(1, 7)]
    for streak, wait in enumerate(waits, start=1):
        ceiling = min(3600, 300 * 2 ** (streak - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert backoff_s(50, base_s=300, cap_s=3600, rng=rng) <= 3600


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert backoff_s(1, base_s=300, cap_s=86400, retry_after_s=7200, rng=random.Random(1)) == 7200
    assert backoff_s(1, base_s=300, cap_s=3600, retry_after_s=7200, rng=random.Random(1)) == 3600


def test_success_resets_the_streak_and_schedules_by_cadence(settings: Settings) -> None:
    failing = SourceState(error_streak=3, last_error="HTTP 500", etag='"old"')
    state = after_success(failing, NOW, settings, published=minutes_apart(0, 30, 60), etag='"new"')
    assert (state.error_streak, state.last_error, state.etag) == (0, "", '"new"')
    assert state.interval_s == 1800
    assert state.next_fetch_at == NOW + timedelta(minutes=30)
    assert state.last_success_at == NOW


def test_a_304_keeps_validators_and_interval(settings: Settings) -> None:
    before = SourceState(etag='"v1"', last_modified="Mon, 01 Sep 2025", interval_s=1200.0)
    state = after_success(before, NOW, settings)
    assert (state.etag, state.last_modified, state.interval_s) == ('"v1"', "Mon, 01 Sep 2025", 1200.0)


def test_failure_backs_off_from_the_streak(settings: Settings) -> None:
    state = after_failure(SourceState(error_streak=2), NOW, settings, error="HTTP 503", rng=random.Random(3))
    assert (state.error_streak, state.last_error) == (3, "HTTP 503")
    assert state.next_fetch_at is not None
    assert NOW + timedelta(seconds=600) <= state.next_fetch_at <= NOW + timedelta(seconds=1200)


def test_due_and_next_due() -> None:
    assert is_due(SourceState(), NOW)
    assert not is_due(SourceState(next_fetch_at=NOW + timedelta(seconds=1)), NOW)
    later = [SourceState(next_fetch_at=NOW + timedelta(seconds=s)) for s in (90, 30)]
    assert next_due(later, NOW, idle_s=60) == 30
    assert next_due([SourceState(next_fetch_at=NOW + timedelta(hours=1))], NOW, idle_s=60) == 60
    assert next_due([SourceState(next_fetch_at=NOW - timedelta(hours=1))], NOW, idle_s=60) == 0
    assert next_due([], NOW, idle_s=60) == 60


def test_host_gate_spaces_requests_per_host_without_sleeping() -> None:
    slept: list[float] = []
    gate = HostGate(3.0, clock=lambda: 100.0, sleep=slept.append)
    assert [gate.reserve(h) for h in ("a.vn", "www.a.vn", "b.vn", "A.VN")] == [0.0, 3.0, 0.0, 6.0]
    gate.wait("b.vn")
    assert slept == [3.0]


def test_host_gate_frees_a_host_once_the_delay_has_passed() -> None:
    now = [0.0]
    gate = HostGate(3.0, clock=lambda: now[0], sleep=lambda _s: None)
    assert gate.reserve("a.vn") == 0.0
    now[0] = 10.0
    assert gate.reserve("a.vn") == 0.0
