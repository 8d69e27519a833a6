"""Term bursts over young stories: small stories sharing a term that was rare until now are one hotspot.

A crisis does not arrive as one story. The first hour of a bombing or a flood is a trickle of short posts
that the story clusterer, rightly, keeps apart (different angles, different words), so no single story has
the mass to fire while the event is already plain in the stream. What the posts do share is a term that
was rare until now ("bundaberg", "fertilizer", "sạt lở"). `TermBursts` counts, per term, the distinct items
of *young* stories (first seen within `max_age_s`) in the last `window_s`, and judges the count against the
term's chance count (its faded document share, `TermRates`, times the stream's items in the window) with the
same overdispersed negative-binomial tail as the count model (EMM / TwitterMonitor style burst detection,
with a proper tail probability instead of a ratio). A burst needs `min_items` items from at least
`min_stories` stories: one story alone is the story detectors' business. The alert's subject is the
*group*: the young stories holding the bursting term, whose mass is the sum of theirs. A "term" here is an
observation's burst key when it has them (`detect.termkeys`: "floods", "flooding" and "#yycflood" all count
for "flood"), else its surface term.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from civicpulse.detect.baselines import tail
from civicpulse.detect.chance import TermRates
from civicpulse.detect.signals import HOUR, Observation

MAX_TERM_CHARS = 64


@dataclass(frozen=True)
class Burst:
    """A term whose young-story items left their chance range, with the stories holding them."""

    term: str
    observed: int
    expected: float
    p_value: float
    stories: tuple[str, ...]
    """Story ids, most items first."""
    observations: tuple[Observation, ...]


class TermBursts:
    """Per-term counts of young stories' distinct items in a sliding window, judged against chance."""

    def __init__(
        self,
        *,
        window_s: float = 1.5 * HOUR,
        max_age_s: float = 6 * HOUR,
        min_items: int = 5,
        min_stories: int = 2,
        alpha: float = 1e-8,
        dispersion: float = 4.0,
        min_docs: float = 500.0,
        max_terms: int = 50_000,
    ) -> None:
        self.window_s = window_s
        self.max_age_s = max_age_s
        self.min_items = min_items
        self.min_stories = min_stories
        self.alpha = alpha
        self.dispersion = dispersion
        self.min_docs = min_docs
        self.max_terms = max_terms
        self._reset()

    def _reset(self) -> None:
        self.recent: dict[str, deque[tuple[float, str, Observation]]] = {}
        self._swept_at = 0.0

    def update(
        self, obs: Observation, story: str, story_age_s: float, rates: TermRates, stream_items: float
    ) -> list[Burst]:
        """Count a distinct item of a young story under its terms; return the terms bursting now.

        `stream_items` is the number of items the whole stream brought in the last `window_s`; `rates` must
        not hold this item yet (the stage updates them after detection).
        """
        if not obs.distinct or story_age_s > self.max_age_s:
            return []
        now, cutoff = obs.time, obs.time - self.window_s
        bursts = []
        for term in obs.keys or obs.terms:
            if len(term) > MAX_TERM_CHARS:
                continue  # not a word (a pasted link, a run of tags); and alerts' subject ids are bounded
            queue = self.recent.get(term)
            if queue is None:
                queue = self.recent[term] = deque()
            queue.append((now, story, obs))
            while queue and queue[0][0] < cutoff:
                queue.popleft()
            observed = len(queue)
            if observed < self.min_items or rates.total - stream_items < self.min_docs:
                continue  # too few items, or the rates have not seen enough of the stream to know chance
            # Chance count of the term in the window: its share before the window (the window's documents are
            # in the rates already, this item not yet) times the documents the window brought.
            expected = (
                rates.share(term, now, own=observed - 1, docs=max(0.0, stream_items - 1)) * stream_items
            )
            if observed <= 2.0 * expected:
                continue  # far from any tail worth computing
            stories: dict[str, int] = {}
            for _, sid, _ in queue:
                stories[sid] = stories.get(sid, 0) + 1
            if len(stories) < self.min_stories:
                continue
            p = tail(observed, expected, self.dispersion)
            if p < self.alpha:
                ranked = tuple(sorted(stories, key=lambda s: -stories[s]))
                bursts.append(Burst(term, observed, expected, p, ranked, tuple(o for _, _, o in queue)))
        if now - self._swept_at >= self.window_s or len(self.recent) > self.max_terms:
            self._sweep(cutoff)
            self._swept_at = now
        return bursts

    def _sweep(self, cutoff: float) -> None:
        """Forget terms with nothing in the window (keeps memory flat)."""
        for term in [t for t, q in self.recent.items() if not q or q[-1][0] < cutoff]:
            del self.recent[term]
