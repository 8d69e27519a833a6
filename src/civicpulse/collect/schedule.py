"""Polite scheduling: per-host spacing, backoff with jitter, and adaptive polling, as pure functions.

Everything that decides *when* takes the current time as an argument, so tests never sleep; only
`HostGate.wait` sleeps, through an injected `sleep`.
"""

from __future__ import annotations

import itertools
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from civicpulse.config import Settings
from civicpulse.models import SourceState

# The median of this many most recent gaps sets the cadence; older history says little about today.
CADENCE_WINDOW = 30


def is_due(state: SourceState, now: datetime) -> bool:
    """Return whether a source should be fetched at `now`."""
    return state.next_fetch_at is None or state.next_fetch_at <= now


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def adaptive_interval(published: Iterable[datetime | None], current_s: float, settings: Settings) -> float:
    """Return the polling interval from the median gap between recent publish times, clamped.

    With fewer than two distinct times the cadence is unknown and the current interval is kept.
    """
    times = sorted({t for t in published if t is not None}, reverse=True)[: CADENCE_WINDOW + 1]
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(times)]
    gaps = [g for g in gaps if g > 0]
    interval = statistics.median(gaps) if gaps else current_s
    return clamp(interval, settings.min_poll_interval_s, settings.max_poll_interval_s)


def backoff_s(
    streak: int,
    *,
    base_s: float,
    cap_s: float,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Return seconds to wait after `streak` consecutive failures: exponential, jittered, capped.

    The jitter keeps many failing sources from retrying in lock-step; Retry-After is a floor.
    """
    ceiling = min(cap_s, base_s * 2 ** max(0, streak - 1))
    wait = (rng or random).uniform(ceiling / 2, ceiling)
    if retry_after_s is not None:
        wait = max(wait, retry_after_s)
    return min(cap_s, wait)


def after_success(
    state: SourceState,
    now: datetime,
    settings: Settings,
    *,
    published: Iterable[datetime | None] = (),
    etag: str | None = None,
    last_modified: str | None = None,
) -> SourceState:
    """Return the state after a fetch that worked (new content or 304)."""
    interval = adaptive_interval(published, state.interval_s, settings)
    return replace(
        state,
        etag=state.etag if etag is None else etag,
        last_modified=state.last_modified if last_modified is None else last_modified,
        interval_s=interval,
        next_fetch_at=now + timedelta(seconds=interval),
        last_success_at=now,
        last_error="",
        error_streak=0,
    )


def after_failure(
    state: SourceState,
    now: datetime,
    settings: Settings,
    *,
    error: str,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> SourceState:
    """Return the state after a failed fetch: one more in the streak and a backed-off next fetch."""
    streak = state.error_streak + 1
    wait = backoff_s(
        streak,
        base_s=settings.min_poll_interval_s,
        cap_s=settings.max_backoff_s,
        retry_after_s=retry_after_s,
        rng=rng,
    )
    return replace(state, error_streak=streak, last_error=error, next_fetch_at=now + timedelta(seconds=wait))


def next_due(states: Iterable[SourceState], now: datetime, *, idle_s: float) -> float:
    """Return seconds until the earliest source is due (at most `idle_s`, at least 0)."""
    waits = [(s.next_fetch_at - now).total_seconds() if s.next_fetch_at else 0.0 for s in states]
    return clamp(min(waits, default=idle_s), 0.0, idle_s)


class HostGate:
    """Spaces requests to one host at least `delay_s` apart, across threads.

    Each caller reserves the host's next free slot under a lock and then sleeps outside it, so
    callers for other hosts are never held up.
    """

    def __init__(
        self,
        delay_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay_s = delay_s
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, host: str) -> float:
        """Reserve the next slot for `host`; return seconds to wait before using it."""
        key = host.lower().removeprefix("www.")
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + self.delay_s
        return slot - now

    def wait(self, host: str) -> None:
        """Block until a request to `host` is polite."""
        pause = self.reserve(host)
        if pause > 0:
            self._sleep(pause)
