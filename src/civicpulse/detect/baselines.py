"""Volume detectors: multi-window baselines, a negative-binomial count model, and the EMM reference rule.

Each is a small class with river's verbs: hyperparameters in `__init__`, state in `_reset`, `update` with a
subject's series, and read-only `detected` and `finding`.
"""

from __future__ import annotations

import math
from statistics import fmean

from scipy.special import betainc

from civicpulse.detect.findings import NOTHING, Context, Finding
from civicpulse.detect.signals import DAY, HOUR, WEEK, Series

NEWS_KINDS = frozenset({"feed", "page"})


class _Detector:
    """Shared read-only results; subclasses set `self._finding` in `update`."""

    name = "detector"

    def _reset(self) -> None:
        self._finding = NOTHING

    @property
    def detected(self) -> bool:
        """Whether the last update found a hotspot."""
        return self._finding.detected

    @property
    def finding(self) -> Finding:
        """The last update's verdict with its numbers."""
        return self._finding


class WindowBaselineDetector(_Detector):
    """Last hour against the past 12 hours (social) or last day against the past 14 days (news),
    confirmed against the same hour (or weekday) of previous days, so a daily rhythm does not fire."""

    name = "window"

    def __init__(self, *, ratio: float = 3.0, min_count: int = 5, seasonal_days: int = 7) -> None:
        self.ratio = ratio
        self.min_count = min_count
        self.seasonal_days = seasonal_days
        self._reset()

    def update(self, series: Series, ctx: Context) -> None:
        """Compare the current window with the recent past and with the same time on previous days."""
        now = ctx.now
        if series.source_kind in NEWS_KINDS:
            window, past = DAY, series.day_counts(now, 14)
            seasonal = series.day_counts(now, self.seasonal_days * 7)[6::7]
        else:
            window, past = HOUR, series.hour_counts(now, 12)
            seasonal = series.hour_counts(now, self.seasonal_days, step=24)
        observed = series.window(now, window)
        history = max(0.0, now - series.first_seen)
        # Only the part of the past the subject existed for counts; a young subject has a short memory.
        known = [c for i, c in enumerate(past, start=1) if i * window <= history + window] or [0]
        expected = max(fmean(known), 0.5)
        same_time = [c for i, c in enumerate(seasonal, start=1) if i * DAY <= history]
        seasonal_mean = fmean(same_time) if same_time else 0.0
        ratio = observed / expected
        confirmed = not same_time or observed >= self.ratio * max(seasonal_mean, 0.5)
        # A subject younger than two windows has no past to compare with; the count model judges it.
        mature = history >= 2 * window
        fired = mature and observed >= self.min_count and ratio >= self.ratio and confirmed
        self._finding = Finding(
            self.name,
            detected=fired,
            score=min(1.0, math.log2(max(ratio, 1.0)) / 4.0)
            if mature and observed >= self.min_count
            else 0.0,
            observed=observed,
            expected=expected,
            details={"window_s": window, "same_time_mean": round(seasonal_mean, 3), "confirmed": confirmed},
        )


class CountModelDetector(_Detector):
    """A negative-binomial tail probability of the current hour's count against an hour-of-week baseline.

    The expectation is the largest of: the mean of the same hour of week in past weeks, the recent hourly
    mean, the chance count of the subject's defining term, and a floor; `min_count` keeps small counts quiet.
    """

    name = "count"

    def __init__(
        self,
        *,
        alpha: float = 1e-6,
        dispersion: float = 4.0,
        min_count: int = 10,
        floor: float = 0.2,
        weeks: int = 4,
        window_s: float = HOUR / 2,
    ) -> None:
        self.alpha = alpha
        self.dispersion = dispersion
        self.min_count = min_count
        self.floor = floor
        self.weeks = weeks
        self.window_s = window_s
        self._reset()

    def expected(self, series: Series, ctx: Context) -> tuple[float, str]:
        """Return the expected count in the window and which baseline gave it."""
        now, history = ctx.now, max(0.0, ctx.now - series.first_seen)
        candidates = {"floor": self.floor, "chance": ctx.chance}
        weeks = [
            c for i, c in enumerate(series.hour_counts(now, self.weeks, step=168), 1) if i * WEEK <= history
        ]
        if weeks:
            candidates["hour_of_week"] = fmean(weeks)
        recent = [c for i, c in enumerate(series.hour_counts(now, 24), 1) if i * HOUR <= history]
        if recent:
            candidates["recent"] = fmean(recent)
        name = max(candidates, key=lambda k: candidates[k])
        return candidates[name] * self.window_s / HOUR, name

    def update(self, series: Series, ctx: Context) -> None:
        """Score the current window's count by its tail probability under the baseline."""
        observed = series.window(ctx.now, self.window_s)
        expected, basis = self.expected(series, ctx)
        p = tail(observed, expected, self.dispersion)
        self._finding = Finding(
            self.name,
            detected=observed >= self.min_count and p < self.alpha,
            score=min(1.0, -math.log10(max(p, 1e-300)) / 12.0) if observed >= self.min_count else 0.0,
            observed=observed,
            expected=expected,
            details={"p_value": float(f"{p:.3g}"), "baseline": basis},
        )


def tail(observed: float, expected: float, dispersion: float) -> float:
    """Return P(X >= observed) for a negative binomial with mean `expected` (variance mu + mu^2/r).

    Computed as the regularized incomplete beta I_{1-p}(observed, r), which is what `nbinom.sf` evaluates
    underneath, without its argument checking and broadcasting (about 1 ms a call, on every item's subjects).
    """
    if observed <= 0:
        return 1.0
    r = dispersion
    return float(betainc(observed, r, max(expected, 1e-9) / (r + max(expected, 1e-9))))


class EmmBaselineDetector(_Detector):
    """The EMM rule, as a reference: the current interval's count against the mean of past intervals."""

    name = "emm"

    def __init__(
        self, *, interval_s: float = HOUR, past: int = 24 * 14, factor: float = 3.0, min_count: int = 5
    ):
        self.interval_s = interval_s
        self.past = past
        self.factor = factor
        self.min_count = min_count
        self._reset()

    def update(self, series: Series, ctx: Context) -> None:
        """Fire when the current interval exceeds `factor` times the mean of the past intervals."""
        observed = series.window(ctx.now, self.interval_s)
        mean = fmean(series.hour_counts(ctx.now, self.past))
        fired = observed >= self.min_count and observed > self.factor * mean
        self._finding = Finding(
            self.name,
            detected=fired,
            score=1.0 if fired else 0.0,
            observed=observed,
            expected=mean,
        )
