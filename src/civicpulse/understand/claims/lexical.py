"""Lexical claim matching: TF-IDF cosine over folded terms, between each claim and each sentence of a text."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from civicpulse.understand.tokens import terms

# A claim is one sentence; an article repeats it inside one sentence, so each sentence is scored on its own
# (the whole text too, for claims a post spreads over two short sentences).
_SENTENCE = re.compile(r"(?<=[.!?…;])\s+|\n+")
MAX_SENTENCES = 40


@dataclass(frozen=True)
class Hit:
    """The best lexical score of one claim in one text, and which window gave it (-1: the whole text)."""

    claim: int
    score: float
    window: int


def windows(text: str) -> list[str]:
    """Return the sentences of `text` worth scoring (at most `MAX_SENTENCES`)."""
    return [s for s in (p.strip() for p in _SENTENCE.split(text)) if s][:MAX_SENTENCES]


class LexicalIndex:
    """Unit TF-IDF vectors of the claims; idf is learnt from the claims, so it needs no corpus to start."""

    def __init__(self, texts: Sequence[tuple[str, str]]) -> None:
        """`texts` are (text, lang) of the claims, in the order scores are returned."""
        counts = [Counter(terms(text, lang)) for text, lang in texts]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        self.vocab = {term: i for i, term in enumerate(sorted(df))}
        n = len(texts)
        self.idf = np.array([math.log((n + 1) / (df[t] + 1)) + 1.0 for t in self.vocab], dtype=np.float64)
        # A term no claim has still lengthens the text's vector, as if it were the rarest term.
        self.unseen_idf = math.log(n + 1) + 1.0
        self.size = n
        rows, cols, vals = [], [], []
        for row, c in enumerate(counts):
            weights = {self.vocab[t]: _tf(tf) * self.idf[self.vocab[t]] for t, tf in c.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for col, w in weights.items():
                rows.append(row)
                cols.append(col)
                vals.append(w / norm)
        shape = (max(n, 1), max(len(self.vocab), 1))
        self.matrix_t = sparse.csr_matrix((vals, (cols, rows)), shape=(shape[1], shape[0]))

    def search(self, texts: Sequence[tuple[str, str]], floor: float) -> list[list[Hit]]:
        """Return, per (text, lang), the claims scoring at least `floor`, best first, each with its window."""
        if not self.size or not self.vocab:
            return [[] for _ in texts]
        owners: list[tuple[int, int]] = []  # (text index, window index) of each matrix row
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for index, (text, lang) in enumerate(texts):
            parts = [Counter(terms(s, lang)) for s in windows(text)]
            whole: Counter[str] = Counter()
            for part in parts:
                whole.update(part)
            candidates = [(-1, whole)] + (list(enumerate(parts)) if len(parts) > 1 else [])
            for window, counted in candidates:
                if self._vector(counted, len(owners), rows, cols, vals):
                    owners.append((index, window))
        if not owners:
            return [[] for _ in texts]
        vectors = sparse.csr_matrix((vals, (rows, cols)), shape=(len(owners), len(self.vocab)))
        scores = (vectors @ self.matrix_t).tocoo()
        best: dict[tuple[int, int], Hit] = {}
        keep = scores.data >= floor
        for row, claim, score in zip(scores.row[keep], scores.col[keep], scores.data[keep], strict=True):
            index, window = owners[row]
            found = best.get((index, int(claim)))
            if found is None or score > found.score:
                best[(index, int(claim))] = Hit(int(claim), min(float(score), 1.0), window)
        out: list[list[Hit]] = [[] for _ in texts]
        for (index, _), hit in best.items():
            out[index].append(hit)
        for hits in out:
            hits.sort(key=lambda h: (-h.score, h.claim))
        return out

    def _vector(
        self, counted: Counter[str], row: int, rows: list[int], cols: list[int], vals: list[float]
    ) -> bool:
        """Append the unit vector of `counted` as `row`; return False when it shares no term with a claim."""
        vocab, idf, unseen = self.vocab, self.idf, self.unseen_idf
        known: list[tuple[int, float]] = []
        total = 0.0
        for term, tf in counted.items():
            col = vocab.get(term)
            weight = _tf(tf) * (unseen if col is None else float(idf[col]))
            total += weight * weight
            if col is not None:
                known.append((col, weight))
        if not known:
            return False
        norm = math.sqrt(total)
        for col, weight in known:
            rows.append(row)
            cols.append(col)
            vals.append(weight / norm)
        return True


def _tf(count: int) -> float:
    return 1.0 + math.log(count) if count > 1 else 1.0
