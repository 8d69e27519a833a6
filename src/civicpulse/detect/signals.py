"""Signals: time-bucketed counts per story, topic and unit (minutes rolled up to hours and days).

One `Series` per subject keeps sparse minute buckets for the last few hours, hour buckets for four weeks
(enough for an hour-of-week baseline) and day buckets for four weeks, plus small capped sets for spread.
`SignalBook` holds the series of every active subject, evicts the idle ones beyond a cap, and round-trips
through JSON so a restart resumes with the same state.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MINUTE, HOUR, DAY, WEEK = 60, 3_600, 86_400, 604_800
MINUTES_KEPT = 180
HOURS_KEPT = 4 * 7 * 24
DAYS_KEPT = 28
# Fields of one bucket, in order; shares divide by LABELLED, not by ITEMS, so unlabelled items do not dilute.
ITEMS, DISTINCT, NEGATIVE, HARM, QUESTIONS, LABELLED = range(6)
FIELDS = ("items", "distinct", "negative", "harm", "questions", "labelled")
MAX_SPREAD = 200
MAX_TERMS = 40
MAX_SAMPLES = 8
# Identifiers of a subject, e.g. ("story", "12"), ("topic", "3"), ("unit", "26734").
Subject = tuple[str, str]


@dataclass(frozen=True)
class Observation:
    """What detection reads from one item: when, whether it is new content, labels, spread, terms."""

    time: float
    item_id: str = ""
    distinct: bool = True
    negative: bool = False
    harm: bool = False
    question: bool = False
    labelled: bool = False
    source: str = ""
    source_kind: str = "social"
    platform: str = ""
    author: str = ""
    terms: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    """Term bursts' keys (stems, hashtag parts: `detect.termkeys`); empty means the terms themselves."""
    units: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    label: str = ""


def _add(buckets: dict[int, list[int]], key: int, obs: Observation) -> None:
    row = buckets.get(key)
    if row is None:
        row = buckets[key] = [0, 0, 0, 0, 0, 0]
    row[ITEMS] += 1
    row[DISTINCT] += obs.distinct
    row[NEGATIVE] += obs.negative
    row[HARM] += obs.harm
    row[QUESTIONS] += obs.question
    row[LABELLED] += obs.labelled


@dataclass
class Series:
    """The signal of one subject: bucketed counts, first and last seen, spread and explanation material."""

    first_seen: float
    last_seen: float
    source_kind: str = "social"
    total: int = 0
    minutes: dict[int, list[int]] = field(default_factory=dict)
    hours: dict[int, list[int]] = field(default_factory=dict)
    days: dict[int, list[int]] = field(default_factory=dict)
    # Last time each source / platform was seen, and when it first appeared (for "one channel to many").
    sources: dict[str, list[float]] = field(default_factory=dict)
    platforms: dict[str, list[float]] = field(default_factory=dict)
    # Authors only as 32-bit hashes of their pseudonyms, per hour, for a distinct count; never listed.
    authors: dict[int, list[int]] = field(default_factory=dict)
    terms: Counter[str] = field(default_factory=Counter)
    units: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    topics: Counter[str] = field(default_factory=Counter)
    label: str = ""
    # Window sums (every field at once) since the last `add`: the detectors read the same few windows of a
    # subject many times per item. Not part of the state.
    _sums: dict[tuple[bool, int, int], list[int]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, obs: Observation) -> None:
        """Count one observation in its minute, hour and day."""
        self._sums.clear()
        t = obs.time
        self.total += 1
        self.first_seen = min(self.first_seen, t)
        if t > self.last_seen:
            self.last_seen = t
            self._prune(t)
        _add(self.minutes, int(t // MINUTE), obs)
        _add(self.hours, int(t // HOUR), obs)
        _add(self.days, int(t // DAY), obs)
        _seen(self.sources, obs.source, t)
        _seen(self.platforms, obs.platform, t)
        if obs.author:
            hashed = self.authors.setdefault(int(t // HOUR), [])
            code = zlib.crc32(obs.author.encode())
            if code not in hashed and len(hashed) < MAX_SPREAD * 5:
                hashed.append(code)
        if obs.distinct:
            _bounded_count(self.terms, obs.terms, MAX_TERMS)
            self.units.update(obs.units)
            self.topics.update(str(t) for t in obs.topics)
            if not self.label:
                self.label = obs.label
            if obs.item_id and len(self.samples) < MAX_SAMPLES:
                self.samples.append(obs.item_id)

    def _prune(self, now: float) -> None:
        minute, hour, day = int(now // MINUTE), int(now // HOUR), int(now // DAY)
        for buckets, oldest in (
            (self.minutes, minute - MINUTES_KEPT),
            (self.hours, hour - HOURS_KEPT),
            (self.days, day - DAYS_KEPT),
            (self.authors, hour - 2),
        ):
            if buckets and min(buckets) < oldest:
                for key in [k for k in buckets if k < oldest]:
                    del buckets[key]

    # -- reads ---------------------------------------------------------------------------------------

    def window(self, now: float, seconds: float, what: int = DISTINCT) -> int:
        """Return the count in (now - seconds, now]: minute resolution up to three hours, else hours."""
        fine = seconds <= MINUTES_KEPT * MINUTE
        unit = MINUTE if fine else HOUR
        key = (fine, int(now // unit), int(seconds // unit))
        sums = self._sums.get(key)
        if sums is None:
            sums = self._sums[key] = _span(self.minutes if fine else self.hours, key[1], key[2])
        return sums[what]

    def hour_counts(self, now: float, back: int, what: int = DISTINCT, *, step: int = 1) -> list[int]:
        """Return counts of the hours `step`, 2x`step`, ... `back`x`step` hours before the current one."""
        current = int(now // HOUR)
        return [_get(self.hours, current - i * step, what) for i in range(1, back + 1)]

    def day_counts(self, now: float, back: int, what: int = DISTINCT) -> list[int]:
        """Return counts of the `back` days before the current one, most recent first."""
        current = int(now // DAY)
        return [_get(self.days, current - i, what) for i in range(1, back + 1)]

    def distinct_sources(self, now: float, seconds: float) -> int:
        """Return how many sources were seen in the last `seconds`."""
        return sum(1 for last, _ in self.sources.values() if last > now - seconds)

    def new_sources(self, now: float, seconds: float) -> int:
        """Return how many sources appeared for the first time in the last `seconds`."""
        return sum(1 for _, first in self.sources.values() if first > now - seconds)

    def distinct_platforms(self, now: float, seconds: float) -> int:
        """Return how many platforms were seen in the last `seconds`."""
        return sum(1 for last, _ in self.platforms.values() if last > now - seconds)

    def authors_last_hour(self, now: float) -> int:
        """Return the number of distinct author pseudonyms in the current and previous hour."""
        hour = int(now // HOUR)
        return len(set(self.authors.get(hour, [])) | set(self.authors.get(hour - 1, [])))

    def share(self, now: float, seconds: float, what: int) -> float | None:
        """Return the share of labelled items in the window that carry `what`; None without labels."""
        labelled = self.window(now, seconds, LABELLED)
        return None if labelled == 0 else self.window(now, seconds, what) / labelled

    def chart(self, now: float, hours: int = 24) -> list[dict[str, Any]]:
        """Return the last `hours` hourly buckets (oldest first) for a chart."""
        current = int(now // HOUR)
        return [
            {
                "hour": (current - i) * HOUR,
                **{f: _get(self.hours, current - i, n) for n, f in enumerate(FIELDS)},
            }
            for i in reversed(range(hours))
        ]

    # -- persistence ---------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Return the series as JSON-ready data."""
        return {
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "source_kind": self.source_kind,
            "total": self.total,
            "minutes": _pairs(self.minutes),
            "hours": _pairs(self.hours),
            "days": _pairs(self.days),
            "sources": self.sources,
            "platforms": self.platforms,
            "authors": _pairs(self.authors),
            "terms": dict(self.terms),
            "units": dict(self.units),
            "samples": self.samples,
            "topics": dict(self.topics),
            "label": self.label,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Series:
        """Rebuild a series from `to_state` output."""
        return cls(
            first_seen=float(state["first_seen"]),
            last_seen=float(state["last_seen"]),
            source_kind=str(state["source_kind"]),
            total=int(state["total"]),
            minutes=_unpairs(state["minutes"]),
            hours=_unpairs(state["hours"]),
            days=_unpairs(state["days"]),
            sources={k: [float(x) for x in v] for k, v in state["sources"].items()},
            platforms={k: [float(x) for x in v] for k, v in state["platforms"].items()},
            authors=_unpairs(state["authors"]),
            terms=Counter({k: int(v) for k, v in state["terms"].items()}),
            units=Counter({k: int(v) for k, v in state["units"].items()}),
            samples=[str(s) for s in state["samples"]],
            topics=Counter({k: int(v) for k, v in state["topics"].items()}),
            label=str(state["label"]),
        )


def _span(buckets: dict[int, list[int]], last: int, span: int) -> list[int]:
    """Sum every field over the keys (last - span, last]: by key lookups when the span is the shorter walk
    (a busy subject fills every minute bucket, and detectors read short windows on each item)."""
    if span < len(buckets):
        rows = [row for key in range(last - span + 1, last + 1) if (row := buckets.get(key)) is not None]
    else:
        rows = [row for key, row in buckets.items() if last - span < key <= last]
    return [sum(column) for column in zip(*rows, strict=True)] if rows else [0] * len(FIELDS)


def _get(buckets: dict[int, list[int]], key: int, what: int) -> int:
    row = buckets.get(key)
    return 0 if row is None else row[what]


def _seen(seen: dict[str, list[float]], name: str, t: float) -> None:
    if not name:
        return
    entry = seen.get(name)
    if entry is None:
        if len(seen) >= MAX_SPREAD:
            # Forget the source seen least recently; spread only looks at the recent ones.
            del seen[min(seen, key=lambda k: seen[k][0])]
        seen[name] = [t, t]
    else:
        entry[0] = max(entry[0], t)


def _bounded_count(counter: Counter[str], terms: tuple[str, ...], cap: int) -> None:
    """Count terms, keeping at most `cap` (Misra-Gries: the frequent ones survive, memory stays flat)."""
    for term in set(terms):
        if term in counter or len(counter) < cap:
            counter[term] += 1
            continue
        for key in list(counter):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]


def _pairs(buckets: dict[int, list[int]]) -> list[list[Any]]:
    return [[key, row] for key, row in sorted(buckets.items())]


def _unpairs(pairs: list[list[Any]]) -> dict[int, list[int]]:
    return {int(key): [int(x) for x in row] for key, row in pairs}
