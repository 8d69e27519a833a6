"""What a detector reads besides the series (`Context`) and what it concludes (`Finding`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Context:
    """Stream-level facts about one subject at one moment."""

    now: float
    kind: str = "story"
    chance: float = 0.0
    """Items the subject's defining term would gather in the window by chance alone."""
    answered: bool = False
    """Whether an official answer (clarification) is linked to the subject; set by the response loop."""


@dataclass(frozen=True)
class Finding:
    """One detector's verdict: fired or not, a score in [0, 1], and the numbers behind it."""

    detector: str
    detected: bool = False
    score: float = 0.0
    observed: float = 0.0
    expected: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as JSON-ready data for the alert's explanation."""
        return {
            "detector": self.detector,
            "detected": self.detected,
            "score": round(self.score, 3),
            "observed": round(self.observed, 3),
            "expected": round(self.expected, 3),
            **self.details,
        }


NOTHING = Finding("none")
