"""The hotspot score: one number from all detectors, with documented weights (docs/detection.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from civicpulse.detect.baselines import (
    NEWS_KINDS,
    CountModelDetector,
    EmmBaselineDetector,
    WindowBaselineDetector,
)
from civicpulse.detect.dynamics import InformationVoidDetector, SpreadDetector, ToneDetector, VelocityDetector
from civicpulse.detect.findings import Context, Finding
from civicpulse.detect.signals import DAY, HOUR, Series

# Weights sum to 1; the count model carries most because its tail probability is calibrated.
WEIGHTS: dict[str, float] = {
    "count": 0.35,
    "velocity": 0.25,
    "window": 0.15,
    "spread": 0.10,
    "void": 0.10,
    "tone": 0.05,
}
# Volume evidence: a primary detector fires, or, for a topic or unit, a secondary one with the count model's
# support (alone they fire on ordinary chatter: the EMM rule's weakness). Tone only adds to the score;
# negativity is no burst. The support asked of the count model is its own firing alpha (1e-6). A social
# story needs a primary detector: its window ratio is against its own short past, and below the count model's
# mass floor it fired mostly on chatter stories and on old stories a crisis had just joined (decision
# 0050.13); a news story's window is a day against 14 days, a real past, so it keeps the secondary path.
PRIMARY = frozenset({"count", "velocity"})
SECONDARY = frozenset({"window", "spread", "void"})
SUPPORT_P = 1e-6
SECONDARY_KINDS = frozenset({"topic", "unit"})
# Threshold multipliers of the sensitivity presets; analysts' feedback moves a topic within them.
PRESETS: dict[str, float] = {"low": 1.3, "normal": 1.0, "high": 0.75}


class Detector(Protocol):
    """River's detector verbs."""

    name: str

    def update(self, series: Series, ctx: Context) -> None: ...

    @property
    def detected(self) -> bool: ...

    @property
    def finding(self) -> Finding: ...


@dataclass(frozen=True)
class Verdict:
    """The combined result for one subject at one moment."""

    score: float
    hot: bool
    findings: tuple[Finding, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def fired(self) -> list[str]:
        """Return the names of the detectors that fired."""
        return [f.detector for f in self.findings if f.detected]


class HotspotScorer:
    """Run every detector on a subject and combine them: weighted sum, a mass gate, volume evidence."""

    def __init__(
        self,
        *,
        threshold: float = 0.15,
        min_items: int = 5,
        weights: dict[str, float] | None = None,
        detectors: list[Detector] | None = None,
    ) -> None:
        self.threshold = threshold
        self.min_items = min_items
        self.weights = dict(WEIGHTS if weights is None else weights)
        self.detectors: list[Detector] = (
            detectors
            if detectors is not None
            else [
                CountModelDetector(),
                VelocityDetector(),
                WindowBaselineDetector(),
                SpreadDetector(),
                InformationVoidDetector(),
                ToneDetector(),
            ]
        )

    def score(self, series: Series, ctx: Context, multiplier: float = 1.0) -> Verdict:
        """Return the hotspot verdict; `multiplier` scales the threshold (sensitivity and feedback)."""
        window = DAY if series.source_kind in ("feed", "page") else HOUR
        mass = series.window(ctx.now, window)
        if mass < self.min_items:
            return Verdict(0.0, False)
        findings = []
        for detector in self.detectors:
            detector.update(series, ctx)
            findings.append(detector.finding)
        total = sum(self.weights.get(f.detector, 0.0) * f.score for f in findings)
        threshold = self.threshold * multiplier
        secondary = ctx.kind in SECONDARY_KINDS or series.source_kind in NEWS_KINDS
        hot = total >= threshold and self.triggered(findings, secondary=secondary)
        return Verdict(total, hot, tuple(findings), {"threshold": round(threshold, 3), "mass": mass})

    def triggered(self, findings: list[Finding], *, secondary: bool) -> bool:
        """Return whether a primary detector fired, or, when `secondary` triggers are allowed (topics, units,
        news stories), another fired with the count model's support."""
        fired = {f.detector for f in findings if f.detected}
        if fired & PRIMARY:
            return True
        if not PRIMARY & {f.detector for f in findings}:
            return bool(fired)  # a scorer without volume detectors (the EMM reference) trusts what it has
        if not secondary:
            return False
        count = next((f for f in findings if f.detector == "count"), None)
        supported = count is None or float(count.details.get("p_value", 1.0)) < SUPPORT_P
        return bool(fired & SECONDARY) and supported


class EmmScorer(HotspotScorer):
    """The EMM reference rule alone, behind the same interface, for side-by-side evaluation."""

    def __init__(self) -> None:
        super().__init__(threshold=1.0, min_items=1, weights={"emm": 1.0}, detectors=[EmmBaselineDetector()])
