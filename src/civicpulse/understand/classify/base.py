"""What every classifier returns and the one interface they all share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Evidence:
    """A piece of text that made a rule-based signal fire: which signal, what matched, where."""

    signal: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Prediction:
    """A label with calibrated probabilities over all labels, and the evidence behind it (if any)."""

    label: str
    probs: dict[str, float]
    evidence: tuple[Evidence, ...] = field(default=())

    @property
    def confidence(self) -> float:
        """Return the probability of the predicted label."""
        return self.probs.get(self.label, 0.0)

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict, as stored in `Enrichment.labels`."""
        out: dict[str, object] = {
            "label": self.label,
            "p": round(self.confidence, 4),
            "probs": {k: round(v, 4) for k, v in self.probs.items()},
        }
        if self.evidence:
            out["evidence"] = [
                {"signal": e.signal, "text": e.text, "start": e.start, "end": e.end} for e in self.evidence
            ]
        return out


class Classifier(Protocol):
    """One interface for every classifier: predict one or many texts, learn from labelled texts."""

    name: str
    labels: tuple[str, ...]

    def predict_one(self, text: str) -> Prediction: ...

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]: ...

    def learn_many(self, texts: Sequence[str], labels: Sequence[str]) -> None: ...
