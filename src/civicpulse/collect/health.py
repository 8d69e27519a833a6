"""Source health: last success, error streak, item rate, unusual days and sources that went silent."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from civicpulse.store import Store

WINDOW_DAYS = 28
MIN_HISTORY_DAYS = 7  # fewer baseline days than this and a mean and spread mean little
MIN_STD = 1.0  # a perfectly regular source would otherwise be flagged for one item more or less
STOPPED_GAPS = 6
STOPPED_FLOOR = timedelta(days=1)  # a quiet night is not a stopped source


@dataclass(frozen=True)
class DayCheck:
    """One day's item count against the mean ± 2σ of the days before it (zero days counted)."""

    day: date
    count: int
    mean: float
    std: float
    unusual: str  # "" | "high" | "low"


@dataclass(frozen=True)
class SourceHealth:
    """How one source is doing, with what a person should look at first in `status`."""

    source_id: int
    name: str
    url: str
    enabled: bool
    status: str  # ok | new | unusual | silent | failing | disabled
    last_success_at: datetime | None
    error_streak: int
    last_error: str
    last_fetch_status: str
    items_per_day: float
    last_item_at: datetime | None
    usual_gap_s: float | None
    stopped: bool
    day: DayCheck | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def day_check(counts: Mapping[date, int], day: date, *, first_day: date) -> DayCheck | None:
    """Compare `day` with the up-to-28 days before it since `first_day`; None without enough history."""
    start = max(first_day, day - timedelta(days=WINDOW_DAYS))
    baseline = [counts.get(start + timedelta(days=i), 0) for i in range((day - start).days)]
    if len(baseline) < MIN_HISTORY_DAYS:
        return None
    mean = statistics.fmean(baseline)
    std = max(statistics.pstdev(baseline), MIN_STD)
    count = counts.get(day, 0)
    unusual = "high" if count > mean + 2 * std else "low" if count < mean - 2 * std else ""
    return DayCheck(day, count, mean, std, unusual)


def items_per_day(counts: Mapping[date, int], today: date, *, first_day: date) -> float:
    """Mean items per day over the last 28 days, or since the source's first item if later."""
    start = max(first_day, today - timedelta(days=WINDOW_DAYS - 1))
    days = (today - start).days + 1
    return sum(n for d, n in counts.items() if start <= d <= today) / max(1, days)


def usual_gap_s(times: Sequence[datetime | None]) -> float | None:
    """Median seconds between consecutive item times, or None with fewer than two."""
    ordered = sorted({t for t in times if t is not None})
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ordered) if b > a]
    return statistics.median(gaps) if gaps else None


def is_stopped(last_item_at: datetime | None, gap_s: float | None, at: datetime) -> bool:
    """Whether nothing came for several times the usual gap (and at least a day)."""
    if last_item_at is None or gap_s is None:
        return False
    return at - last_item_at > max(STOPPED_FLOOR, timedelta(seconds=gap_s * STOPPED_GAPS))


def source_health(store: Store, *, at: datetime | None = None) -> list[SourceHealth]:
    """Return the health of every registered source; the last full day is the one checked."""
    at = at or datetime.now(UTC)
    today = at.date()
    all_counts = store.daily_counts(today - timedelta(days=WINDOW_DAYS + 1))
    report = []
    for source in store.sources():
        if source.id is None:
            continue
        state = store.source_state(source.id)
        counts = all_counts.get(source.id, {})
        first = min(counts, default=today)
        recent = store.recent_items(limit=50, source_id=source.id)
        times = [i.published_at or i.collected_at for i in recent]
        last_item = max((t for t in times if t is not None), default=None)
        gap = usual_gap_s(times)
        fetches = store.fetches(source.id, limit=1)
        check = day_check(counts, today - timedelta(days=1), first_day=first)
        stopped = is_stopped(last_item, gap, at)
        report.append(
            SourceHealth(
                source_id=source.id,
                name=source.name,
                url=source.url,
                enabled=source.enabled,
                status=_status(source.enabled, state.error_streak, stopped, check),
                last_success_at=state.last_success_at,
                error_streak=state.error_streak,
                last_error=state.last_error,
                last_fetch_status=fetches[0].status if fetches else "",
                items_per_day=round(items_per_day(counts, today, first_day=first), 2),
                last_item_at=last_item,
                usual_gap_s=gap,
                stopped=stopped,
                day=check,
            )
        )
    return report


def _status(enabled: bool, error_streak: int, stopped: bool, check: DayCheck | None) -> str:
    if not enabled:
        return "disabled"
    if error_streak:
        return "failing"
    if stopped:
        return "silent"
    if check is None:
        return "new"
    return "unusual" if check.unusual else "ok"
