"""`TermRates`: how often each term turns up in the stream, so a new story's count can be judged by chance.

A story that did not exist an hour ago has no history of its own. What it does have is its defining term:
if that term is common ("tonight", "mưa"), a handful of items sharing it is ordinary; if it was rare until
now ("bundaberg", "sạt lở"), the same handful is a burst. Document frequencies fade with a half-life in
stream time and the vocabulary is capped, so memory stays flat.
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
    ) -> None:
        self.half_life_s = half_life_s
        self.prior_docs = prior_docs
        self.prior_share = prior_share
        self.max_terms = max_terms
        self._reset()

    def _reset(self) -> None:
        self.counts: dict[str, list[float]] = {}
        self.total = 0.0
        self.stamp = 0.0

    @property
    def _rate(self) -> float:
        return math.log(2.0) / self.half_life_s

    def _faded(self, entry: list[float], now: float) -> float:
        return entry[0] * math.exp(-self._rate * max(0.0, now - entry[1]))

    def update(self, terms: Iterable[str], now: float) -> None:
        """Count one document's distinct terms at stream time `now`."""
        self.total = self.total * math.exp(-self._rate * max(0.0, now - self.stamp)) + 1.0
        self.stamp = max(self.stamp, now)
        counts = self.counts
        for term in set(terms):
            entry = counts.get(term)
            if entry is None:
                counts[term] = [1.0, now]
            else:
                entry[0] = self._faded(entry, now) + 1.0
                entry[1] = now
        if len(counts) > self.max_terms * 5 // 4:
            self._prune(now)

    def share(self, term: str, now: float, *, own: float = 0.0) -> float:
        """Return the smoothed share of documents holding `term`, leaving out `own` (the subject's own)."""
        entry = self.counts.get(term)
        count = 0.0 if entry is None else max(0.0, self._faded(entry, now) - own)
        total = self.total * math.exp(-self._rate * max(0.0, now - self.stamp))
        return (count + self.prior_docs * self.prior_share) / (total + self.prior_docs)

    def _prune(self, now: float) -> None:
        ranked = sorted(self.counts.items(), key=lambda kv: self._faded(kv[1], now), reverse=True)
        self.counts = dict(ranked[: self.max_terms])

    def to_state(self) -> dict[str, Any]:
        """Return the rates as JSON-ready data."""
        return {"total": self.total, "stamp": self.stamp, "counts": self.counts}

    def load_state(self, state: dict[str, Any]) -> None:
        """Resume from `to_state` output."""
        self._reset()
        self.total, self.stamp = float(state["total"]), float(state["stamp"])
        self.counts = {str(k): [float(v[0]), float(v[1])] for k, v in state["counts"].items()}
