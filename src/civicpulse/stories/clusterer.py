"""`StoryClusterer`: single-pass clustering of a document stream into fading stories (river's verbs)."""

from __future__ import annotations

import heapq
import math
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from civicpulse.stories.doc import Doc
from civicpulse.stories.housekeeping import Shelf, centroid_cosine, fold_into
from civicpulse.stories.story import StoryState, sparse_dot
from civicpulse.stories.vectors import EmbedBudget, Vector, VectorIndex
from civicpulse.stories.weighting import TermStats

if TYPE_CHECKING:
    from civicpulse.understand.embed import Embedder

DAY = 86_400.0
# A story whose scale falls below this has it folded into its weights (postings rewritten): with a 2-day
# half-life, once per 64 days of activity, long before the weights could overflow.
REBASE_BELOW = 2.0**-32


@dataclass
class Changes:
    """What happened since the last `drain`: stories to write, stories that went dormant, history rows."""

    touched: list[StoryState] = field(default_factory=list)
    dormant: list[StoryState] = field(default_factory=list)
    merged: list[tuple[StoryState, int]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


class StoryClusterer:
    """Assign each document to the most similar active story, or start a new one; no look-ahead.

    Similarity is the cosine between the document's TF-IDF vector (online document frequencies) and a
    story's fading centroid, times an idle penalty, blended with a dense-vector cosine when both sides have
    one. Candidate stories come from an inverted index of centroid terms, so cost does not grow with the
    number of stories. Hyperparameters are set here; state lives in `_reset` (river's convention).

    The embedding tier (`embed_share` > 0, or an `embedder` given) embeds a document only where the vector
    can change the decision: short documents, documents whose lexical score is below or near the threshold
    (they would start a story, or barely join one), budgeted to `embed_share` per item and `embed_per_s`.
    Such a document is also compared with the stories nearest in vector space, so a Vietnamese and an
    English item that share no term can still meet: a story in another language is joined when the cosine
    reaches `cross_lingual_cosine`. A vector lifts a lexical score and never sinks it (unless
    `dense_can_lower`): the lexical score is the sturdier one on news (docs/decisions/0014-embeddings.md).

    Housekeeping: the last `shelf_size` dormant stories stay searchable, and an item that would start a
    story but matches one of them at `revive_threshold` or more (no fading) revives it; every
    `maintain_every` items, stories that grew and now have a centroid cosine of `merge_threshold` or more
    with another are merged into the older one (the other is recorded as `merged`).
    """

    def __init__(
        self,
        *,
        threshold: float = 0.12,
        half_life_s: float = 2 * DAY,
        idle_half_life_s: float = 7 * DAY,
        idle_half_life_items: float = 1_500,
        idle_horizon_s: float = 30 * DAY,
        max_stories: int = 50_000,
        max_doc_terms: int = 64,
        max_story_terms: int = 200,
        max_postings: int = 100,
        max_candidates: int = 24,
        vector_weight: float = 0.5,
        vector_floor: float = 0.9,
        max_vocabulary: int = 200_000,
        recent_docs: int = 10_000,
        maintain_every: int = 1_000,
        embed_share: float = 0.0,
        embed_per_s: float = 0.0,
        embed_short_words: int = 30,
        embed_band: float = 0.06,
        embed_neighbours: int = 8,
        embed_chars: int = 1_000,
        cross_lingual_cosine: float = 0.85,
        dense_can_lower: bool = False,
        embedder: Embedder | None = None,
        shelf_size: int = 2_000,
        revive_threshold: float = 0.35,
        merge_threshold: float = 0.85,
    ) -> None:
        self.threshold = threshold
        self.half_life_s = half_life_s
        self.idle_half_life_s = idle_half_life_s
        self.idle_half_life_items = idle_half_life_items
        self.idle_horizon_s = idle_horizon_s
        self.max_stories = max_stories
        self.max_doc_terms = max_doc_terms
        self.max_story_terms = max_story_terms
        self.max_postings = max_postings
        self.max_candidates = max_candidates
        self.vector_weight = vector_weight
        self.vector_floor = vector_floor
        self.max_vocabulary = max_vocabulary
        self.recent_docs = recent_docs
        self.maintain_every = maintain_every
        self.embed_share = embed_share if embedder is None or embed_share > 0.0 else 1.0
        self.embed_per_s = embed_per_s
        self.embed_short_words = embed_short_words
        self.embed_band = embed_band
        self.embed_neighbours = embed_neighbours
        self.embed_chars = embed_chars
        self.cross_lingual_cosine = cross_lingual_cosine
        self.dense_can_lower = dense_can_lower
        self.embedder = embedder
        self.shelf_size = shelf_size
        self.revive_threshold = revive_threshold
        self.merge_threshold = merge_threshold
        self._reset()

    def _reset(self) -> None:
        self.stats = TermStats(self.max_vocabulary)
        self.stories: dict[int, StoryState] = {}
        # Term -> the stories whose centroid holds it: story id -> the term's weight in `story.weights`
        # (unscaled, lazy fading), so a candidate's partial dot needs no lookup in the story.
        self.index: dict[str, dict[int, float]] = {}
        # Story id -> the square root of its centroid's norm2, kept with it (ranking divides by it often).
        self.roots: dict[int, float] = {}
        self.recent: OrderedDict[str, int] = OrderedDict()
        self.clock = -math.inf
        self.next_id = 1
        self.seen = 0
        self._changes = Changes()
        self._touched: dict[int, StoryState] = {}
        self.vectors = VectorIndex()
        self.budget = EmbedBudget(self.embed_share, self.embed_per_s)
        self.embedded = 0
        self.shelf = Shelf(self.shelf_size)
        self.redirect: dict[int, int] = {}
        self._grown: set[int] = set()

    # -- river's verbs -------------------------------------------------------------------------------

    def predict_one(self, doc: Doc) -> int | None:
        """Return the story `doc` would join, or None if it would start a new one; changes nothing."""
        vector = self.stats.vector(Counter(doc.terms), self.max_doc_terms)
        best, score = self._best(vector, doc, max(self.clock, doc.time), self._given(doc))
        return best.id if best is not None and score >= self.threshold else None

    def learn_one(self, doc: Doc) -> int:
        """Assign `doc` to a story (joining or starting one), update that story, return its id.

        A doc seen before (a redelivery) gets its story back and is not counted again.
        """
        if (known := self.recent.get(doc.id)) is not None:
            return self._current(known)
        self.clock = now = max(self.clock, doc.time)
        self.seen += 1
        if self.seen % self.maintain_every == 0:
            self._maintain(now)
        counts = Counter(doc.terms)
        self.budget.tick()
        original = self.stories.get(self._current(self.recent.get(doc.dup_of, 0))) if doc.dup_of else None
        if original is not None:
            # A near-duplicate joins its original's story and adds nothing to the centroid or to distinct.
            story = original
        else:
            self.stats.learn(counts)
            vector = self.stats.vector(counts, self.max_doc_terms)
            dense = self._given(doc)
            best, score = self._best(vector, doc, now, dense)
            if dense is None and self._uncertain(doc, score):
                dense = self._embed(doc)
                if dense is not None:
                    best, score = self._best(vector, doc, now, dense)
            if best is None or score < self.threshold:
                best, score = self._revive(vector, now)
            story = best if best is not None and score >= self.threshold else self._start(doc, now)
            self._absorb(story, vector, doc, now, score if story is best else 0.0, dense=dense)
        story.last_seq = self.seen
        self._grown.add(story.id)
        story.count(doc.time, doc.source, doc.platform, doc.lang, distinct=doc.dup_of is None)
        self._touched[story.id] = story
        self._remember(doc.id, story.id)
        return story.id

    # -- scoring -------------------------------------------------------------------------------------

    def _current(self, sid: int) -> int:
        """Follow merges: the story that absorbed `sid`, or `sid`."""
        while sid in self.redirect:
            sid = self.redirect[sid]
        return sid

    def _revive(self, vector: dict[str, float], now: float) -> tuple[StoryState | None, float]:
        """Bring back the shelved dormant story this document clearly matches, if any."""
        sid, score = self.shelf.best(vector)
        if sid is None or score < self.revive_threshold:
            return None, 0.0
        story = self.shelf.take(sid)
        story.last_seq = self.seen  # its stream clock restarts; wall-time fading is decided by the bar
        self.stories[sid] = story
        self.roots[sid] = math.sqrt(story.norm2)
        self._index_all(story)
        if story.vector is not None:
            self.vectors.put(sid, story.vector)
        self._changes.history.append({"story_id": sid, "action": "revived", "at": now})
        return story, score

    def _given(self, doc: Doc) -> Vector | None:
        if doc.vector is None:
            return None
        dense = np.asarray(doc.vector, dtype=np.float32)
        return dense / (float(np.linalg.norm(dense)) or 1.0)

    def _uncertain(self, doc: Doc, score: float) -> bool:
        """Whether an embedding may change this decision: a short text, or a score below or near the bar."""
        if self.embed_share <= 0.0 or not doc.text:
            return False
        short = len(doc.terms) < 2 * self.embed_short_words  # unigrams + bigrams, about two per word
        return (short or score < self.threshold + self.embed_band) and self.budget.take()

    def _embed(self, doc: Doc) -> Vector | None:
        if self.embedder is None:
            from civicpulse.understand.embed import load_embedder

            self.embedder = load_embedder()
        self.embedded += 1
        vectors = self.embedder.embed_many([doc.text[: self.embed_chars]])
        return vectors[0] if len(vectors) else None

    def _best(
        self, vector: dict[str, float], doc: Doc, now: float, dense: Vector | None = None
    ) -> tuple[StoryState | None, float]:
        """Return the best candidate story and its score (cosine x idle penalty, dense blend)."""
        partial, common = self._candidates(vector)
        stories = self.stories
        ranked = self._ranked(partial)
        near: list[int] = []
        if dense is not None and len(self.vectors):
            # Stories near in vector space join the lexical candidates (another language shares no term).
            near = [sid for sid, _ in self.vectors.search(dense, self.embed_neighbours) if sid not in partial]
        dense_room = self.vector_weight if dense is not None else 0.0
        # Cauchy-Schwarz: the skipped terms add at most the norm of their weights to a cosine.
        slack = math.sqrt(sum([w * w for w in common.values()]))
        best: StoryState | None = None
        best_score = -math.inf
        for cosine, negative_id, partial_dot in ranked:
            # Fading only lowers a score, so once the cosine bound cannot win, no later candidate can.
            bound = (1.0 - dense_room) * min(1.0, cosine + slack) + dense_room
            if dense is not None:
                bound = max(bound, self.threshold + 1.0 - self.cross_lingual_cosine)
            if bound <= best_score:
                break
            story = stories[-negative_id]
            dot = partial_dot + sparse_dot(common, story.weights) if common else partial_dot
            score = self._score(story, dot, now, dense, doc.lang)
            if score > best_score:
                best, best_score = story, score
        for sid in near:
            score = self._score(stories[sid], self._dot(vector, sid), now, dense, doc.lang)
            if score > best_score:
                best, best_score = stories[sid], score
        return (best, best_score) if best is not None else (None, 0.0)

    def _candidates(self, vector: dict[str, float]) -> tuple[dict[int, float], dict[str, float]]:
        """Return the stories sharing a term with `vector` (id -> partial dot), and the terms too common
        to retrieve by (term -> weight), whose share the candidates' full dot products add."""
        partial: dict[int, float] = {}
        common: dict[str, float] = {}
        index = self.index
        for term, w in vector.items():
            posting = index.get(term)
            if posting is None:
                continue
            if len(posting) > self.max_postings:
                common[term] = w
                continue
            if not partial:
                partial = {sid: w * weight for sid, weight in posting.items()}
                continue
            for sid, weight in posting.items():
                if sid in partial:
                    partial[sid] += w * weight
                else:
                    partial[sid] = w * weight
        return partial, common

    def _ranked(self, partial: dict[int, float]) -> list[tuple[float, int, float]]:
        """Return the `max_candidates` best (cosine, -id, dot) of the candidates, best first.

        Same as sorting them all; the cosines alone are sorted first (floats sort fastest) to find the bar,
        and only the few candidates at or above it become tuples.
        """
        roots, k = self.roots, self.max_candidates
        cosines = [dot / roots[sid] for sid, dot in partial.items()]
        cut = sorted(cosines, reverse=True)[k - 1] if len(cosines) > k > 0 else -math.inf
        top = [(c, -sid, dot) for c, (sid, dot) in zip(cosines, partial.items(), strict=True) if c >= cut]
        top.sort(reverse=True)
        return top[:k]

    def _dot(self, vector: dict[str, float], sid: int) -> float:
        weights = self.stories[sid].weights
        return sparse_dot(vector, weights)

    def _score(
        self, story: StoryState, dot: float, now: float, dense: Vector | None = None, lang: str = ""
    ) -> float:
        """Blend lexical and dense similarity, then fade by how long the story has been idle."""
        score = dot / math.sqrt(story.norm2) if story.norm2 > 0.0 else 0.0
        mean = self.vectors.get(story.id) if dense is not None else None
        if dense is not None and mean is not None and self.vector_weight > 0.0:
            cosine = float(mean @ dense)
            similarity = max(0.0, (cosine - self.vector_floor) / (1.0 - self.vector_floor))
            if not self.dense_can_lower:
                # The lexical score is the sturdier one on news: a vector may lift it, never sink it.
                score = max(score, (1.0 - self.vector_weight) * score + self.vector_weight * similarity)
            else:
                score = (1.0 - self.vector_weight) * score + self.vector_weight * similarity
            if lang and story.langs and lang not in story.langs and cosine >= self.cross_lingual_cosine:
                # Translations score below same-language hard negatives, so another language has its own bar.
                score = max(score, self.threshold + cosine - self.cross_lingual_cosine)
        # Two clocks: wall time, and how many items arrived since the story last grew (stream time).
        halvings = 0.0
        if self.idle_half_life_s > 0.0:
            halvings += max(0.0, now - story.last_seen) / self.idle_half_life_s
        if self.idle_half_life_items > 0.0:
            halvings += (self.seen - story.last_seq) / self.idle_half_life_items
        return score * 0.5**halvings if halvings > 0.0 else score

    # -- updates -------------------------------------------------------------------------------------

    def _start(self, doc: Doc, now: float) -> StoryState:
        story = StoryState(id=self.next_id, first_seen=doc.time, last_seen=doc.time, stamp=now)
        self.next_id += 1
        self.stories[story.id] = story
        self._changes.history.append({"story_id": story.id, "action": "created", "at": doc.time})
        return story

    def _absorb(
        self,
        story: StoryState,
        vector: dict[str, float],
        doc: Doc,
        now: float,
        score: float,
        *,
        dense: Vector | None = None,
    ) -> None:
        """Add the document to the faded centroid, index new terms, keep the most central title."""
        self._fade(story, now)
        weights, index, sid = story.weights, self.index, story.id
        story.add_vector(vector, sparse_dot(vector, weights))
        for term in vector:
            posting = index.get(term)
            if posting is None:
                index[term] = {sid: weights[term]}
            else:
                posting[sid] = weights[term]
        if dense is not None:
            story.add_dense([float(x) for x in dense])
            if story.vector is not None:
                self.vectors.put(story.id, story.vector)
        if len(weights) > self.max_story_terms * 3 // 2:
            for term in story.prune(self.max_story_terms):
                self._unindex(term, story.id)
        self.roots[story.id] = math.sqrt(story.norm2)
        if doc.surface:
            for term, _ in heapq.nlargest(16, vector.items(), key=itemgetter(1)):
                form = doc.surface.get(term)
                if form is not None:
                    story.note_surface(term, form)
        if doc.title and score > story.label_score:
            story.label, story.label_score = doc.title, score

    def _fade(self, story: StoryState, now: float) -> None:
        """Fade `story` to `now` (its scale); rebase it, postings too, once the scale gets small."""
        story.decay_to(now, math.log(2.0) / self.half_life_s if self.half_life_s > 0.0 else 0.0)
        if story.scale < REBASE_BELOW:
            story.rebase()
            self._index_all(story)

    def _index_all(self, story: StoryState) -> None:
        """Post every centroid term of `story` with its weight."""
        index, sid = self.index, story.id
        for term, w in story.weights.items():
            posting = index.get(term)
            if posting is None:
                index[term] = {sid: w}
            else:
                posting[sid] = w

    def _unindex(self, term: str, sid: int) -> None:
        posting = self.index.get(term)
        if posting is not None:
            posting.pop(sid, None)
            if not posting:
                del self.index[term]

    def _remember(self, doc_id: str, sid: int) -> None:
        self.recent[doc_id] = sid
        if len(self.recent) > self.recent_docs:
            self.recent.popitem(last=False)

    def _maintain(self, now: float) -> None:
        """Send stories idle beyond the horizon (or beyond the size cap, oldest first) to the store."""
        idle = [s for s in self.stories.values() if now - s.last_seen > self.idle_horizon_s]
        excess = len(self.stories) - len(idle) - self.max_stories
        if excess > 0:
            gone = {s.id for s in idle}
            rest = sorted((s for s in self.stories.values() if s.id not in gone), key=_by_age)
            idle += rest[: excess + self.max_stories // 10]
        for story in sorted(idle, key=lambda s: s.id):
            self.evict(story.id)
        self._merge(now)

    def _merge(self, now: float) -> None:
        """Merge each story that grew since the last pass into an older one it has converged with."""
        grown, self._grown = sorted(self._grown), set()
        if self.merge_threshold <= 0.0:
            return
        for sid in grown:
            story = self.stories.get(sid)
            if story is None:
                continue
            partial: dict[int, float] = {}
            for term, w in heapq.nlargest(16, story.weights.items(), key=itemgetter(1)):
                posting = self.index.get(term, {})
                if len(posting) <= self.max_postings:
                    for other, weight in posting.items():
                        if other < sid:
                            if other in partial:
                                partial[other] += w * weight
                            else:
                                partial[other] = w * weight
            # Only the two most promising older stories get a full centroid cosine (dots with their scale).
            stories = self.stories
            ranked = sorted([(-dot * stories[other].scale, other) for other, dot in partial.items()])
            for _, other in ranked[:2]:
                if centroid_cosine(story, self.stories[other]) >= self.merge_threshold:
                    self.merge(sid, other, now)
                    break

    def merge(self, sid: int, into: int, now: float) -> None:
        """Fold story `sid` into story `into`; `sid` goes out with the next `drain` as merged."""
        absorbed, survivor = self.stories.pop(sid), self.stories[into]
        del self.roots[sid]
        absorbed.decay_to(now, math.log(2.0) / self.half_life_s if self.half_life_s > 0.0 else 0.0)
        self._fade(survivor, now)
        for term in absorbed.weights:
            self._unindex(term, sid)
        self.vectors.remove(sid)
        fold_into(survivor, absorbed)
        index, weights = self.index, survivor.weights
        for term in absorbed.weights:
            index.setdefault(term, {})[into] = weights[term]
        if len(survivor.weights) > self.max_story_terms * 3 // 2:
            for term in survivor.prune(self.max_story_terms):
                self._unindex(term, into)
        self.roots[into] = math.sqrt(survivor.norm2)
        if survivor.vector is not None:
            self.vectors.put(into, survivor.vector)
        self.redirect[sid] = into
        if len(self.redirect) > self.recent_docs:
            self.redirect.pop(next(iter(self.redirect)))
        self._touched.pop(sid, None)
        self._touched[into] = survivor
        self._changes.merged.append((absorbed, into))
        details = {"merged_into": into}
        self._changes.history.append({"story_id": sid, "action": "merged", "at": now, "details": details})

    def evict(self, sid: int) -> None:
        """Drop a story from memory; it goes out with the next `drain` as dormant."""
        story = self.stories.pop(sid)
        del self.roots[sid]
        for term in story.weights:
            self._unindex(term, sid)
        self.vectors.remove(sid)
        self._touched.pop(sid, None)
        self._changes.dormant.append(story)
        self.shelf.add(story)
        self._changes.history.append({"story_id": sid, "action": "dormant", "at": self.clock})

    # -- persistence ---------------------------------------------------------------------------------

    def drain(self) -> Changes:
        """Return and forget what changed since the last call (the stage writes it in one transaction)."""
        changes = self._changes
        changes.touched = sorted(self._touched.values(), key=lambda s: s.id)
        self._changes, self._touched = Changes(), {}
        return changes

    def to_state(self) -> dict[str, Any]:
        """Return the global state (term statistics, clock, ids, recent documents), JSON-ready."""
        return {
            "stats": self.stats.to_state(),
            "clock": self.clock if math.isfinite(self.clock) else None,
            "next_id": self.next_id,
            "seen": self.seen,
            "recent": list(self.recent.items()),
            "embed_tokens": self.budget.tokens,
            "shelf": self.shelf.to_state(),
            "redirect": list(self.redirect.items()),
            "grown": sorted(self._grown),
        }

    def load_state(self, state: dict[str, Any], stories: list[StoryState]) -> None:
        """Resume from `to_state` output and the active stories read back from the store."""
        self._reset()
        self.stats.load_state(state["stats"])
        self.clock = -math.inf if state["clock"] is None else float(state["clock"])
        self.next_id = int(state["next_id"])
        self.seen = int(state["seen"])
        self.recent = OrderedDict((str(k), int(v)) for k, v in state["recent"])
        self.budget.tokens = float(state.get("embed_tokens", 0.0))
        self.shelf.load_state(state.get("shelf", []))
        self.redirect = {int(k): int(v) for k, v in state.get("redirect", [])}
        self._grown = {int(s) for s in state.get("grown", [])}
        for story in sorted(stories, key=lambda s: s.id):
            self.stories[story.id] = story
            self.roots[story.id] = math.sqrt(story.norm2)
            self._index_all(story)
            if story.vector is not None:
                self.vectors.put(story.id, story.vector)


def _by_age(story: StoryState) -> tuple[float, int]:
    return story.last_seen, story.id
