"""`TermRates`: how often each term turns up in the stream, so a new story's count can be judged by chance.

A story that did not exist an hour ago has no history of its own. What it does have is its defining term:
if that term is common ("tonight", "mưa"), a handful of items sharing it is ordinary; if it was rare until
now ("bundaberg", "sạt lở"), the same handful is a burst. Document frequencies fade with a half-life in
stream time and the vocabulary is capped, so memory stays flat. Stream time stands still while the stream
is silent: a gap between two documents counts for at most `max_gap_s`, so a collection that pauses for weeks
(or a system that was down) does not forget what is common ("like", "get") and take it for news afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

DAY = 86_400.0


class TermRates:
    """Faded document frequency per term; `expected` is the chance count of a term in a window."""

    def __init__(
        self,
        *,
        half_life_s: float = 2 * DAY,
        prior_docs: float = 200.0,
        prior_share: float = 1e-3,
        max_terms: int = 100_000,
        max_gap_s: float = 3_600.0,
    ) -> None:
        self.half_life_s = half_life_s
        self.prior_docs = prior_docs
        self.prior_share = prior_share
        self.max_terms = max_terms
        self.max_gap_s = max_gap_s
        self._reset()

    def _reset(self) -> None:
        self.counts: dict[str, list[float]] = {}
        self.total = 0.0
        self.stamp = 0.0
        self.clock = 0.0
        """Stream time with silent gaps shortened to `max_gap_s`; fading runs on it."""

    @property
    def _rate(self) -> float:
        return math.log(2.0) / self.half_life_s

    def _faded(self, entry: list[float], clock: float) -> float:
        return entry[0] * math.exp(-self._rate * max(0.0, clock - entry[1]))

    def _clock(self, now: float) -> float:
        """Return the fading clock at stream time `now` (silence beyond `max_gap_s` does not count)."""
        return self.clock + min(max(0.0, now - self.stamp), self.max_gap_s)

    def update(self, terms: Iterable[str], now: float) -> None:
        """Count one document's distinct terms at stream time `now`."""
        clock = self._clock(now)
        self.total = self.total * math.exp(-self._rate * (clock - self.clock)) + 1.0
        self.stamp, self.clock = max(self.stamp, now), clock
        now = clock
        counts = self.counts
        for term in set(terms):
            entry = counts.get(term)
            if entry is None:
                counts[term] = [1.0, now]
            else:
                entry[0] = self._faded(entry, now) + 1.0
                entry[1] = now
        if len(counts) > self.max_terms * 5 // 4:
            self._prune(clock)

    def seen(self, term: str) -> float:
        """Return the faded number of documents that held `term` (0 for a term never seen)."""
        entry = self.counts.get(term)
        return 0.0 if entry is None else self._faded(entry, self.clock)

    def share(self, term: str, now: float, *, own: float = 0.0, docs: float = 0.0) -> float:
        """Return the smoothed share of documents holding `term`, leaving out `own` of its documents (the
        subject's own) and `docs` documents in all (the window being judged, when it is left out whole)."""
        clock = self._clock(now)
        entry = self.counts.get(term)
        count = 0.0 if entry is None else max(0.0, self._faded(entry, clock) - own)
        total = max(0.0, self.total * math.exp(-self._rate * (clock - self.clock)) - docs)
        return (count + self.prior_docs * self.prior_share) / (total + self.prior_docs)

    def _prune(self, clock: float) -> None:
        ranked = sorted(self.counts.items(), key=lambda kv: self._faded(kv[1], clock), reverse=True)
        self.counts = dict(ranked[: self.max_terms])

    def to_state(self) -> dict[str, Any]:
        """Return the rates as JSON-ready data."""
        return {"total": self.total, "stamp": self.stamp, "clock": self.clock, "counts": self.counts}

    def load_state(self, state: dict[str, Any]) -> None:
        """Resume from `to_state` output."""
        self._reset()
        self.total, self.stamp = float(state["total"]), float(state["stamp"])
        self.clock = float(state.get("clock", self.stamp))
        self.counts = {str(k): [float(v[0]), float(v[1])] for k, v in state["counts"].items()}
