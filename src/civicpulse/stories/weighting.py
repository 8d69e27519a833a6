"""Online TF-IDF: document frequencies learnt from the stream, with a bounded vocabulary."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from operator import itemgetter
from typing import Any


class TermStats:
    """Document frequencies of the terms seen so far; rare terms are pruned when the vocabulary is full."""

    def __init__(self, max_terms: int = 200_000) -> None:
        self.max_terms = max_terms
        self.df: dict[str, int] = {}
        self.docs = 0

    def learn(self, counts: Counter[str]) -> None:
        """Count one document's distinct terms."""
        self.docs += 1
        df = self.df
        for term in counts:
            df[term] = df.get(term, 0) + 1
        if len(df) > self.max_terms:
            self._prune()

    def vector(self, counts: Counter[str], max_terms: int) -> dict[str, float]:
        """Return the unit sublinear TF-IDF vector of `counts`, keeping its `max_terms` heaviest terms."""
        df_get, log = self.df.get, math.log
        base = log(self.docs + 1) + 1.0
        weights: dict[str, float] = {}
        for term, tf in counts.items():
            weight = base - log(df_get(term, 0) + 1)
            weights[term] = weight * (1.0 + log(tf)) if tf > 1 else weight
        if len(weights) > max_terms:
            # nlargest is stable, so ties keep first-appearance order and a replay keeps the same terms.
            weights = dict(heapq.nlargest(max_terms, weights.items(), key=itemgetter(1)))
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: w / norm for term, w in weights.items()}

    def _prune(self) -> None:
        # Dropping the rarest fifth keeps idf right for every term that matters twice or more.
        keep = int(self.max_terms * 0.8)
        ranked = sorted(self.df.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
        self.df = dict(ranked)

    def to_state(self) -> dict[str, Any]:
        """Return a JSON-ready snapshot."""
        return {"docs": self.docs, "df": self.df}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore a snapshot made by `to_state`."""
        self.docs = int(state["docs"])
        self.df = {str(k): int(v) for k, v in state["df"].items()}
