"""Shape detectors: new-story velocity, cross-source spread, information voids, tone (negativity, harm)."""

from __future__ import annotations

from civicpulse.detect.baselines import _Detector
from civicpulse.detect.findings import Context, Finding
from civicpulse.detect.signals import HARM, HOUR, LABELLED, NEGATIVE, QUESTIONS, Series


class VelocityDetector(_Detector):
    """A story that did not exist an hour ago and is growing fast: distinct items in its first hour."""

    name = "velocity"

    def __init__(self, *, max_age_s: float = HOUR, min_items: int = 10, window_s: float = 1_800) -> None:
        self.max_age_s = max_age_s
        self.min_items = min_items
        self.window_s = window_s
        self._reset()

    def update(self, series: Series, ctx: Context) -> None:
        """Count the young subject's distinct items in the window, and compare with the window before."""
        age = ctx.now - series.first_seen
        young = ctx.kind == "story" and age <= self.max_age_s + self.window_s
        observed = series.window(ctx.now, self.window_s)
        before = series.window(ctx.now - self.window_s, self.window_s)
        self._finding = Finding(
            self.name,
            detected=young and observed >= self.min_items and observed > before,
            score=min(1.0, observed / (2.0 * self.min_items)) if young else 0.0,
            observed=observed,
            expected=before,
            details={"age_s": round(age)},
        )


class SpreadDetector(_Detector):
    """A claim jumping from one channel to many: distinct sources now, and how many are new."""

    name = "spread"

    def __init__(self, *, min_sources: int = 3, min_new: int = 2, window_s: float = HOUR) -> None:
        self.min_sources = min_sources
        self.min_new = min_new
        self.window_s = window_s
        self._reset()

    def update(self, series: Series, ctx: Context) -> None:
        """Count distinct sources and platforms in the window, and those that joined in it."""
        now = ctx.now
        sources = series.distinct_sources(now, self.window_s)
        new = series.new_sources(now, self.window_s)
        platforms = series.distinct_platforms(now, self.window_s)
        before = max(0, len(series.sources) - new)
        self._finding = Finding(
            self.name,
            detected=sources >= self.min_sources and new >= self.min_new,
            score=min(1.0, max(0, sources - 1) / 6.0 + max(0, platforms - 1) / 4.0),
            observed=sources,
            expected=before,
            details={"new_sources": new, "platforms": platforms, "authors": series.authors_last_hour(now)},
        )


class InformationVoidDetector(_Detector):
    """Questions rising in a subject that has no linked official answer yet."""

    name = "void"

    def __init__(self, *, min_questions: int = 3, min_share: float = 0.3, window_s: float = 6 * HOUR) -> None:
        self.min_questions = min_questions
        self.min_share = min_share
        self.window_s = window_s
        self._reset()

    def update(self, series: Series, ctx: Context) -> None:
        """Compare questions in the window with the window before; an answered subject never fires."""
        now = ctx.now
        questions = series.window(now, self.window_s, QUESTIONS)
        before = series.window(now - self.window_s, self.window_s, QUESTIONS)
        share = series.share(now, self.window_s, QUESTIONS) or 0.0
        fired = (
            not ctx.answered
            and questions >= self.min_questions
            and share >= self.min_share
            and questions > before
        )
        self._finding = Finding(
            self.name,
            detected=fired,
            score=0.0 if ctx.answered else min(1.0, share / (2 * self.min_share)) * (questions >= 2),
            observed=questions,
            expected=before,
            details={"question_share": round(share, 3), "answered": ctx.answered},
        )


class ToneDetector(_Detector):
    """Negativity or harm leaving its normal range: the last hour's shares against the past day's."""

    name = "tone"

    def __init__(self, *, rise: float = 0.25, min_labelled: int = 5) -> None:
        self.rise = rise
        self.min_labelled = min_labelled
        self._reset()

    def update(self, series: Series, ctx: Context) -> None:
        """Fire when the negative or harmful share rose by `rise` over the past day's share."""
        now = ctx.now
        negative = series.share(now, HOUR, NEGATIVE)
        harm = series.share(now, HOUR, HARM)
        past_negative = series.share(now - HOUR, 24 * HOUR, NEGATIVE) or 0.0
        past_harm = series.share(now - HOUR, 24 * HOUR, HARM) or 0.0
        enough = series.window(now, HOUR, LABELLED) >= self.min_labelled
        rise = max((negative or 0.0) - past_negative, (harm or 0.0) - past_harm)
        self._finding = Finding(
            self.name,
            detected=enough and rise >= self.rise,
            score=min(1.0, max(0.0, rise) / (2 * self.rise)) if enough else 0.0,
            observed=round(max(negative or 0.0, harm or 0.0), 3),
            expected=round(max(past_negative, past_harm), 3),
            details={"negative_share": negative, "harm_share": harm},
        )
