"""Claim matching: a lexical stage over every claim, then embeddings for its candidates and short texts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from civicpulse.store.claims import LINKED, SUGGESTED, Claim
from civicpulse.understand.claims.embedding import Embedder, Vectors, unit_rows
from civicpulse.understand.claims.lexical import Hit, LexicalIndex, windows
from civicpulse.understand.tokens import words


@dataclass(frozen=True)
class Thresholds:
    """Two thresholds per signal: at `suggest` an analyst is asked, at `link` the item is linked.

    Started from Meedan Check's text similarity settings (lexical 0.7 / 0.9, vectors 0.75 / 0.95, no
    auto-link under 7 words) and tuned on tests/fixtures/claims (docs/evaluation_claims.md, decision 0031).
    """

    suggest: float = 0.3
    link: float = 0.6
    semantic_suggest: float = 0.92
    semantic_link: float = 0.96
    candidate: float = 0.2  # lexical score from which a pair is looked at (and embedded) at all
    min_link_words: int = 7
    max_matches: int = 3


@dataclass(frozen=True)
class Found:
    """One claim a text repeats: `score` is on the lexical scale, so one pair of thresholds reads it."""

    claim_id: int
    score: float
    lexical: float
    semantic: float | None
    status: str


class ClaimMatcher:
    """Matches texts against a fixed set of claims; build a new one when the library changes."""

    def __init__(
        self,
        claims: Sequence[Claim],
        thresholds: Thresholds | None = None,
        embedder: Embedder | None = None,
        embed_budget: int = 64,
        vectors: dict[int, Vectors] | None = None,
    ) -> None:
        """`vectors` are claim embeddings by claim id from an earlier matcher, so a reload keeps them."""
        self.claims = [c for c in claims if c.id is not None]
        self.thresholds = thresholds or Thresholds()
        self.embedder = embedder
        self.embed_budget = embed_budget
        self.index = LexicalIndex([(c.text, c.lang) for c in self.claims])
        previous = vectors or {}
        self.vectors: dict[int, Vectors] = {c.id: previous[c.id] for c in self.claims if c.id in previous}
        self.embedded = 0  # texts sent to the embedder, claims included, for the budget and the bench

    def match(self, text: str, lang: str = "") -> list[Found]:
        """Return the claims `text` repeats, best first."""
        return self.match_many([(text, lang)])[0]

    def match_many(self, texts: Sequence[tuple[str, str]]) -> list[list[Found]]:
        """Return, per (text, lang), the claims it repeats, best first."""
        t = self.thresholds
        hits = self.index.search(texts, t.candidate)
        semantic = self._semantic(texts, hits) if self.embedder is not None else {}
        out = []
        for index, (text, _) in enumerate(texts):
            long_enough = len(words(text)) >= t.min_link_words
            lexical = {h.claim: h.score for h in hits[index]}
            pairs = semantic.get(index, {})
            found = []
            for claim in lexical.keys() | pairs.keys():
                score = max(lexical.get(claim, 0.0), self._on_lexical_scale(pairs.get(claim)))
                if score < t.suggest:
                    continue
                status = LINKED if score >= t.link and long_enough else SUGGESTED
                claim_id = self.claims[claim].id or 0
                found.append(
                    Found(claim_id, round(score, 4), lexical.get(claim, 0.0), pairs.get(claim), status)
                )
            found.sort(key=lambda f: (-f.score, f.claim_id))
            out.append(found[: t.max_matches])
        return out

    def _on_lexical_scale(self, similarity: float | None) -> float:
        """Map a cosine onto the lexical scale: the semantic thresholds land on the lexical ones."""
        if similarity is None:
            return 0.0
        t = self.thresholds
        slope = (t.link - t.suggest) / max(t.semantic_link - t.semantic_suggest, 1e-6)
        return float(min(max(t.suggest + (similarity - t.semantic_suggest) * slope, 0.0), 1.0))

    def _semantic(
        self, texts: Sequence[tuple[str, str]], hits: list[list[Hit]]
    ) -> dict[int, dict[int, float]]:
        """Cosine of each text with its lexical candidates (short texts: with every claim), within budget."""
        t = self.thresholds
        wanted: list[tuple[float, int, str, list[int]]] = []
        for index, (text, _) in enumerate(texts):
            if not text.strip():
                continue
            if len(words(text)) < t.min_link_words:
                # Too few words for the lexical score to mean much: compare with every claim.
                wanted.append((0.0, index, text, list(range(len(self.claims)))))
            elif hits[index]:
                best = hits[index][0]
                parts = windows(text)
                window = parts[best.window] if 0 <= best.window < len(parts) else text
                wanted.append((best.score, index, window, [h.claim for h in hits[index]]))
        if not wanted:
            return {}
        # The strongest lexical candidates first; whatever is left over the budget stays lexical.
        wanted.sort(key=lambda w: -w[0])
        # Claim vectors are kept for good, so they take the budget first, leaving at least half for texts.
        missing = list(dict.fromkeys(c for w in wanted for c in w[3] if self._id(c) not in self.vectors))
        spent = self._embed_claims(missing[: self.embed_budget - min(len(wanted), self.embed_budget // 2)])
        ready = [w for w in wanted if any(self._id(c) in self.vectors for c in w[3])]
        chosen = ready[: max(self.embed_budget - spent, 0)]
        if not chosen:
            return {}
        assert self.embedder is not None
        vectors = unit_rows(self.embedder.embed_many([w[2] for w in chosen]))
        self.embedded += len(chosen)
        out: dict[int, dict[int, float]] = {}
        for (_, index, _, claims), vector in zip(chosen, vectors, strict=True):
            known = [c for c in claims if self._id(c) in self.vectors]
            matrix = np.stack([self.vectors[self._id(c)] for c in known])
            out[index] = {c: float(s) for c, s in zip(known, matrix @ vector, strict=True)}
        return out

    def _id(self, claim: int) -> int:
        return self.claims[claim].id or 0

    def _embed_claims(self, claims: list[int]) -> int:
        """Embed the claims at these positions; return how many were embedded."""
        if not claims or self.embedder is None:
            return 0
        vectors = unit_rows(self.embedder.embed_many([self.claims[c].text for c in claims]))
        self.embedded += len(claims)
        self.vectors.update(zip((self._id(c) for c in claims), vectors, strict=True))
        return len(claims)
