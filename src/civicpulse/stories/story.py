"""The working state of one active story: a fading TF-IDF centroid plus the counts a `Story` shows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import mul
from typing import Any

MAX_SOURCES = 100
MAX_SURFACE = 32
HOUR = 3600


@dataclass(slots=True)
class StoryState:
    """Mutable state of one story while it is active; `to_state` is what `stories.state` stores."""

    id: int
    first_seen: float
    last_seen: float
    stamp: float = 0.0
    last_seq: int = 0
    # Lazy fading: the centroid is `scale` times `weights`, and `norm2` is the squared norm of `weights`.
    # Fading multiplies `scale` alone, so the inverted index can hold the weights themselves; a cosine is
    # the same with or without the scale.
    weights: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0
    scale: float = 1.0
    mass: float = 0.0
    vector: list[float] | None = None
    vectors: int = 0
    items: int = 0
    distinct: int = 0
    label: str = ""
    label_score: float = -1.0
    sources: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    # Folded term -> accented forms seen with their counts, for the heaviest terms only (key phrases).
    surface: dict[str, dict[str, int]] = field(default_factory=dict)
    # Not part of the saved state: per-hour deltas since the last flush (the table holds the totals).
    buckets: dict[int, list[int]] = field(default_factory=dict)

    def decay_to(self, now: float, rate: float) -> None:
        """Fade the centroid and mass to time `now` (exponential, `rate` per second): only the scale moves."""
        if now <= self.stamp or rate == 0.0:
            self.stamp = max(self.stamp, now)
            return
        factor = math.exp(-rate * (now - self.stamp))
        self.scale *= factor
        self.mass *= factor
        self.stamp = now

    def add_vector(self, terms: dict[str, float], dot: float) -> None:
        """Add a unit document vector whose dot product with `weights` (unscaled) is `dot`."""
        weights, scale = self.weights, self.scale
        for term, w in terms.items():
            weights[term] = weights.get(term, 0.0) + w / scale
        self.norm2 += (2.0 * dot + 1.0 / scale) / scale
        self.mass += 1.0

    def rebase(self) -> None:
        """Fold the scale into the weights (scale 1); the caller re-reads the weights into its index."""
        scale = self.scale
        self.weights = {term: w * scale for term, w in self.weights.items()}
        self.norm2 *= scale * scale
        self.scale = 1.0

    def prune(self, max_terms: int) -> list[str]:
        """Keep the `max_terms` heaviest centroid terms; return the dropped ones."""
        ranked = sorted(self.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        self.weights = dict(ranked[:max_terms])
        self.norm2 = float(sum(map(mul, self.weights.values(), self.weights.values())))
        self.surface = {t: forms for t, forms in self.surface.items() if t in self.weights}
        return [term for term, _ in ranked[max_terms:]]

    def add_dense(self, vector: list[float] | None) -> None:
        """Fold a dense vector into the running mean (no fading: e5 vectors drift little within a story)."""
        if vector is None:
            return
        self.vectors += 1
        if self.vector is None or self.vectors == 1:
            self.vector = list(vector)
            return
        # Only some documents are embedded (the tier), so the mean counts vectors, not documents.
        n = self.vectors
        self.vector = [(a * (n - 1) + b) / n for a, b in zip(self.vector, vector, strict=True)]

    def count(self, time: float, source: str, platform: str, lang: str, *, distinct: bool) -> None:
        """Count one item: totals, hour bucket, first/last seen, sources, platforms, languages."""
        self.items += 1
        self.distinct += int(distinct)
        bucket = self.buckets.setdefault(int(time // HOUR) * HOUR, [0, 0])
        bucket[0] += 1
        bucket[1] += int(distinct)
        self.first_seen = min(self.first_seen, time)
        self.last_seen = max(self.last_seen, time)
        for value, seen in ((source, self.sources), (platform, self.platforms), (lang, self.langs)):
            if value and value not in seen and len(seen) < MAX_SOURCES:
                seen.append(value)

    def note_surface(self, term: str, form: str, n: int = 1) -> None:
        """Count one accented form of a folded term (bounded; `prune` frees the room of dropped terms)."""
        forms = self.surface.get(term)
        if forms is None:
            if len(self.surface) >= MAX_SURFACE:
                return
            forms = self.surface[term] = {}
        forms[form] = forms.get(form, 0) + n

    def key_phrases(self, n: int = 8) -> list[str]:
        """Return the heaviest centroid terms, bigrams first, each in its most frequent accented form."""
        ranked = sorted(self.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        phrases = [t for t, _ in ranked if "_" in t][: n // 2]
        parts = {part for p in phrases for part in p.split("_")}
        words = [t for t, _ in ranked if "_" not in t and t not in parts]
        return [self._surface(t) for t in phrases + words[: n - len(phrases)]]

    def _surface(self, term: str) -> str:
        forms = self.surface.get(term)
        if not forms:
            return term.replace("_", " ")
        return max(forms.items(), key=lambda kv: (kv[1], kv[0]))[0]

    def to_state(self) -> dict[str, Any]:
        """Return everything needed to resume this story, JSON-ready (floats round-trip exactly)."""
        return {
            "stamp": self.stamp,
            "weights": self.weights,
            "norm2": self.norm2,
            "scale": self.scale,
            "mass": self.mass,
            "vector": self.vector,
            "vectors": self.vectors,
            "surface": self.surface,
            "label_score": self.label_score,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "last_seq": self.last_seq,
        }

    @classmethod
    def from_state(cls, story_id: int, state: dict[str, Any], **counts: Any) -> StoryState:
        """Rebuild a story from `to_state` output plus the counts kept in the story's columns."""
        return cls(
            id=story_id,
            first_seen=float(state["first_seen"]),
            last_seen=float(state["last_seen"]),
            stamp=float(state["stamp"]),
            last_seq=int(state["last_seq"]),
            weights={str(k): float(v) for k, v in state["weights"].items()},
            norm2=float(state["norm2"]),
            # States saved before lazy fading hold the faded weights themselves: scale 1.
            scale=float(state.get("scale", 1.0)),
            mass=float(state["mass"]),
            vector=None if state.get("vector") is None else [float(v) for v in state["vector"]],
            vectors=int(state.get("vectors", 1 if state.get("vector") is not None else 0)),
            label_score=float(state["label_score"]),
            surface={
                str(t): {str(f): int(n) for f, n in v.items()} for t, v in state.get("surface", {}).items()
            },
            **counts,
        )


def sparse_dot(terms: dict[str, float], weights: dict[str, float]) -> float:
    """Return the dot product of two sparse vectors, summed in the order of `terms` (so replays agree)."""
    get = weights.get
    return sum([w * get(t, 0.0) for t, w in terms.items()])
