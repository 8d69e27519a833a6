"""Story housekeeping: a shelf of recently dormant stories that a clear match revives, and merges."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

from civicpulse.stories.story import StoryState, sparse_dot

SHELF_TERMS = 64


class Shelf:
    """The most recently dormant stories (bounded), searchable by their heaviest terms.

    A dormant story left memory because it was idle; if a later item matches it clearly (cosine at or above
    the revive threshold, with no idle fading), the story comes back instead of a near-copy starting.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.stories: OrderedDict[int, StoryState] = OrderedDict()
        self.index: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self.stories)

    def add(self, story: StoryState) -> None:
        """Shelve `story` (its centroid cut to its heaviest terms); the oldest shelved one falls off."""
        if self.size <= 0:
            return
        story.prune(SHELF_TERMS)
        self.stories[story.id] = story
        for term in story.weights:
            self.index.setdefault(term, set()).add(story.id)
        while len(self.stories) > self.size:
            self.take(next(iter(self.stories)))

    def take(self, sid: int) -> StoryState:
        """Remove and return a shelved story."""
        story = self.stories.pop(sid)
        for term in story.weights:
            posting = self.index[term]
            posting.discard(sid)
            if not posting:
                del self.index[term]
        return story

    def best(self, vector: dict[str, float]) -> tuple[int | None, float]:
        """Return the shelved story most similar to a unit vector, and the cosine (ties: lower id)."""
        dots: dict[int, float] = {}
        for term, w in vector.items():
            for sid in self.index.get(term, ()):
                dots[sid] = dots.get(sid, 0.0) + w * self.stories[sid].weights[term]
        best, best_score = None, 0.0
        for sid in sorted(dots):
            norm2 = self.stories[sid].norm2
            score = dots[sid] / math.sqrt(norm2) if norm2 > 0.0 else 0.0
            if score > best_score:
                best, best_score = sid, score
        return best, best_score

    def to_state(self) -> list[dict[str, Any]]:
        """Shelved stories in shelf order, each with its counts (the checkpoint carries them)."""
        return [story_state(s) for s in self.stories.values()]

    def load_state(self, rows: list[dict[str, Any]]) -> None:
        """Restore `to_state` output."""
        self.stories.clear()
        self.index.clear()
        for row in rows:
            story = from_story_state(row)
            self.stories[story.id] = story
            for term in story.weights:
                self.index.setdefault(term, set()).add(story.id)


def story_state(story: StoryState) -> dict[str, Any]:
    """A story's resumable state plus its counts, JSON-ready."""
    counts = {"items": story.items, "distinct": story.distinct, "label": story.label}
    lists = {"sources": story.sources, "platforms": story.platforms, "langs": story.langs}
    return {"id": story.id, **story.to_state(), **counts, **lists}


def from_story_state(row: dict[str, Any]) -> StoryState:
    """Inverse of `story_state`."""
    return StoryState.from_state(
        int(row["id"]),
        row,
        items=int(row["items"]),
        distinct=int(row["distinct"]),
        label=str(row["label"]),
        sources=list(row["sources"]),
        platforms=list(row["platforms"]),
        langs=list(row["langs"]),
    )


def centroid_cosine(a: StoryState, b: StoryState) -> float:
    """Cosine of two centroids (a scale, and so fading, does not change a cosine)."""
    small, large = (a, b) if len(a.weights) <= len(b.weights) else (b, a)
    norm = math.sqrt(a.norm2 * b.norm2)
    return sparse_dot(small.weights, large.weights) / norm if norm > 0.0 else 0.0


def fold_into(survivor: StoryState, absorbed: StoryState) -> None:
    """Add `absorbed` to `survivor`: centroid, mass, counts, first/last seen, sources, vectors, phrases."""
    weights = survivor.weights
    # Both centroids are scale x weights: `absorbed`'s weights count `ratio` times in `survivor`'s.
    ratio = absorbed.scale / survivor.scale
    product = sparse_dot(absorbed.weights, weights)
    for term, w in absorbed.weights.items():
        weights[term] = weights.get(term, 0.0) + w * ratio
    survivor.norm2 += (2.0 * product + absorbed.norm2 * ratio) * ratio
    survivor.mass += absorbed.mass
    survivor.items += absorbed.items
    survivor.distinct += absorbed.distinct
    survivor.first_seen = min(survivor.first_seen, absorbed.first_seen)
    survivor.last_seen = max(survivor.last_seen, absorbed.last_seen)
    survivor.last_seq = max(survivor.last_seq, absorbed.last_seq)
    for mine, theirs in (
        (survivor.sources, absorbed.sources),
        (survivor.platforms, absorbed.platforms),
        (survivor.langs, absorbed.langs),
    ):
        mine.extend(v for v in theirs if v not in mine)
    if absorbed.vector is not None:
        if survivor.vector is None:
            survivor.vector, survivor.vectors = list(absorbed.vector), absorbed.vectors
        else:
            n, m = survivor.vectors, absorbed.vectors
            mixed = zip(survivor.vector, absorbed.vector, strict=True)
            survivor.vector = [(a * n + b * m) / (n + m) for a, b in mixed]
            survivor.vectors = n + m
    for term, forms in absorbed.surface.items():
        for form, n in forms.items():
            survivor.note_surface(term, form, n)
    if absorbed.label_score > survivor.label_score:
        survivor.label, survivor.label_score = absorbed.label, absorbed.label_score
