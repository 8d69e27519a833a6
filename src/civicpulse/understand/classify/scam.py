"""Scam and fraud signals: named patterns with the matched evidence, combined into a calibrated score."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from civicpulse.understand.classify.base import Evidence, Prediction
from civicpulse.understand.classify.scam_patterns import ANY, COMPILED, DEFAULT_BIAS, DEFAULT_WEIGHTS

LABELS = ("none", "scam")
_EXTRA = {"đ": "d", "Đ": "d"}


def _fold_char(ch: str) -> str:
    base = _EXTRA.get(ch) or unicodedata.normalize("NFD", ch)[:1] or ch
    return base.lower()[:1] or base


# Latin letters with diacritics (Latin-1 to Latin Extended Additional) folded once, used by str.translate.
_FOLD_TABLE = {cp: _fold_char(chr(cp)) for cp in range(0x41, 0x1F00) if _fold_char(chr(cp)) != chr(cp)}


def fold_keep_offsets(text: str) -> str:
    """Return `text` lower-cased and without diacritics, one character for each character of `text`."""
    folded = text.translate(_FOLD_TABLE)
    if len(folded) == len(text):
        return folded
    return "".join(_fold_char(ch) for ch in text)


def find_signals(text: str) -> list[Evidence]:
    """Return every signal match in `text` (NFC), with offsets into it."""
    text = unicodedata.normalize("NFC", text)
    folded = fold_keep_offsets(text)
    if ANY.search(folded) is None:
        return []
    found = []
    for name, pattern in COMPILED.items():
        for match in pattern.finditer(folded):
            found.append(Evidence(name, text[match.start() : match.end()], match.start(), match.end()))
    return sorted(found, key=lambda e: (e.start, e.signal))


class ScamSignals:
    """Scores a text by the distinct fraud tactics it shows: sigmoid(bias + sum of signal weights).

    `learn_many` refits the weights as smoothed naive-Bayes log-odds of each signal on labelled texts
    (labels `scam` and `none`), so a city's own labels can correct the hand-set starting weights.
    """

    def __init__(
        self, name: str = "scam", weights: dict[str, float] | None = None, bias: float = DEFAULT_BIAS
    ) -> None:
        self.name = name
        self.labels: tuple[str, ...] = LABELS
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self.bias = bias

    def predict_one(self, text: str) -> Prediction:
        """Return `scam` or `none`, the probability and the evidence."""
        evidence = tuple(find_signals(text))
        logit = self.bias + sum(self.weights.get(s, 0.0) for s in {e.signal for e in evidence})
        p = 1.0 / (1.0 + math.exp(-logit))
        label = "scam" if p >= 0.5 else "none"
        return Prediction(label, {"none": 1.0 - p, "scam": p}, evidence)

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one prediction per text."""
        return [self.predict_one(t) for t in texts]

    def learn_many(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        """Refit weights and bias from labelled texts (add-one smoothed log-odds per signal)."""
        if len(texts) != len(labels) or not texts:
            raise ValueError("learn_many needs as many labels as texts, and at least one of each")
        scam = [lab == "scam" for lab in labels]
        n_scam, n_none = sum(scam), len(scam) - sum(scam)
        hits = {name: [0, 0] for name in self.weights}
        for text, is_scam in zip(texts, scam, strict=True):
            for signal in {e.signal for e in find_signals(text)}:
                hits.setdefault(signal, [0, 0])[int(is_scam)] += 1
        self.bias = math.log((n_scam + 1) / (n_none + 1))
        self.weights = {
            name: math.log((s + 1) / (n_scam + 2)) - math.log((n + 1) / (n_none + 2))
            for name, (n, s) in hits.items()
        }

    def to_json(self) -> dict[str, Any]:
        """Return the learnt state as a JSON-ready dict."""
        return {"name": self.name, "labels": list(self.labels), "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScamSignals:
        """Read a state written by `to_json`."""
        return cls(
            data.get("name", "scam"), {k: float(v) for k, v in data["weights"].items()}, float(data["bias"])
        )
