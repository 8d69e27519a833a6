"""Impact: did a clarification change how its stories went? Before versus after, against the expected trend.

For each horizon (+24 h, +72 h, +7 days) the items of the clarification's stories after publication are
compared with what the trend before publication projects (a log-linear fit to the last 72 hours, never
allowed to grow: a conservative counterfactual) and with the 72 hours before. docs/impact.md states the
method and its limits; these are associations, not proof that the clarification caused the change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicpulse.models import Clarification
from civicpulse.store import Store
from civicpulse.store.activity import Activity, story_activity
from civicpulse.understand.text import fold

HORIZONS_H = (24, 72, 168)
BEFORE_H = 72
MIN_HISTORY_ITEMS = 10
MIN_HISTORY_HOURS = 12
MATCH_SHARE = 0.6
CITING_TERMS = ("dinh chinh", "bac bo", "cai chinh", "thong tin chinh thuc", "khong dung su that", "tin gia")


@dataclass(frozen=True)
class Horizon:
    """The figures at one horizon after publication; shares are None when nothing could be measured."""

    hours: int
    complete: bool
    items: int
    expected: float | None
    velocity: float
    velocity_before: float
    negativity_before: float | None
    negativity_after: float | None
    repeating_before: float | None
    repeating_after: float | None
    citing_after: float | None

    @property
    def change(self) -> float | None:
        """Relative difference between actual and expected volume (−0.4 is 40 % below the trend)."""
        if self.expected is None or self.expected <= 0:
            return None
        return (self.items - self.expected) / self.expected


@dataclass(frozen=True)
class Impact:
    """A clarification's impact: one `Horizon` per horizon, hourly counts and the expected curve."""

    clarification_id: int
    published_at: datetime
    items_before: int
    horizons: tuple[Horizon, ...]
    hours: tuple[tuple[datetime, int], ...]
    expected: tuple[float, ...]


def measure(store: Store, clarification: Clarification, now: datetime) -> Impact | None:
    """Measure a published clarification as of `now`; None for drafts."""
    published = clarification.published_at
    if published is None or clarification.id is None:
        return None
    start = published - timedelta(hours=BEFORE_H)
    end = published + timedelta(hours=max(HORIZONS_H))
    activity = story_activity(store, clarification.story_ids, start, min(end, max(now, published)))
    before = [a for a in activity if a.at < published]
    counts = hourly(activity, start, BEFORE_H + max(HORIZONS_H))
    expected = expected_counts([c for _, c in counts[:BEFORE_H]], max(HORIZONS_H))
    claims = [_tokens(c.text) for c in clarification.claims]
    citing = _tokens(clarification.title_vi)
    horizons = []
    for hours in HORIZONS_H:
        after = [a for a in activity if published <= a.at < published + timedelta(hours=hours)]
        elapsed = min(hours, max((now - published).total_seconds() / 3600, 0.0))
        horizons.append(
            Horizon(
                hours=hours,
                complete=now >= published + timedelta(hours=hours),
                items=len(after),
                expected=round(sum(expected[: int(elapsed)]), 1) if expected else None,
                velocity=round(len(after) / elapsed, 2) if elapsed else 0.0,
                velocity_before=round(len(before) / BEFORE_H, 2),
                negativity_before=negativity(before),
                negativity_after=negativity(after),
                repeating_before=_share(before, lambda a: any(_matches(a.fold, c) for c in claims))
                if claims
                else None,
                repeating_after=_share(after, lambda a: any(_matches(a.fold, c) for c in claims))
                if claims
                else None,
                citing_after=_share(after, lambda a: _cites(a.fold, citing, clarification.id or 0)),
            )
        )
    return Impact(
        clarification_id=clarification.id,
        published_at=published,
        items_before=len(before),
        horizons=tuple(horizons),
        hours=tuple(counts),
        expected=tuple(expected),
    )


def hourly(activity: list[Activity], start: datetime, hours: int) -> list[tuple[datetime, int]]:
    """Count items per hour from `start`, `hours` buckets, zeros included."""
    counts = [0] * hours
    for a in activity:
        slot = int((a.at - start).total_seconds() // 3600)
        if 0 <= slot < hours:
            counts[slot] += 1
    return [(start + timedelta(hours=h), counts[h]) for h in range(hours)]


def expected_counts(before: list[int], ahead: int) -> list[float]:
    """Project the hourly counts `ahead` hours from a log-linear fit of `before`; [] with too little history.

    The slope is capped at zero: a story is never assumed to keep growing, so a drop credited to a
    clarification is not an artefact of an optimistic forecast.
    """
    active = [i for i, c in enumerate(before) if c]
    if (
        sum(before) < MIN_HISTORY_ITEMS
        or (active and len(before) - active[0] < MIN_HISTORY_HOURS)
        or not active
    ):
        return []
    xs = list(range(active[0], len(before)))
    ys = [math.log1p(before[x]) for x in xs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0
    slope = min(slope, 0.0)
    intercept = mean_y - slope * mean_x
    return [max(math.expm1(intercept + slope * (len(before) + h)), 0.0) for h in range(ahead)]


def negativity(activity: list[Activity]) -> float | None:
    """Share of sentiment-labelled items labelled negative; None when none carries the label."""
    labelled = [a.labels["sentiment"] for a in activity if isinstance(a.labels.get("sentiment"), dict)]
    if not labelled:
        return None
    return round(sum(1 for s in labelled if s.get("label") == "negative") / len(labelled), 3)


def _share(activity: list[Activity], test: Callable[[Activity], bool]) -> float | None:
    if not activity:
        return None
    return round(sum(1 for a in activity if test(a)) / len(activity), 3)


def _tokens(text: str) -> set[str]:
    return {t for t in "".join(c if c.isalnum() else " " for c in fold(text)).split() if len(t) > 1}


def _matches(text: str, tokens: set[str]) -> bool:
    if not tokens:
        return False
    words = set(text.split()) | _tokens(text)
    return len(tokens & words) / len(tokens) >= MATCH_SHARE


def _cites(text: str, title: set[str], clarification_id: int) -> bool:
    return (
        f"/portal/{clarification_id}" in text or any(t in text for t in CITING_TERMS) or _matches(text, title)
    )
