"""The impact chart: items per hour around a clarification's publication, with the expected trend after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 200, 36, 24, 10


@dataclass(frozen=True)
class ImpactChart:
    """Bars (actual), a polyline (expected) and the publication line, in SVG coordinates."""

    width: int
    height: int
    bars: list[tuple[float, float, float, float, int]]
    expected: str
    published_x: float
    peak: int


def impact_chart(hours: list[tuple[datetime, int]], expected: list[float], before: int) -> ImpactChart:
    """Lay out `hours` of counts, the first `before` of them before publication; `expected` follows it."""
    peak = max([c for _, c in hours] + [int(e + 0.999) for e in expected] + [1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(hours), 1)
    bars = []
    for i, (_, count) in enumerate(hours):
        height = plot_h * count / peak
        bars.append((LEFT + i * slot, TOP + plot_h - height, max(slot - 0.5, 0.5), height, count))
    points = [
        f"{LEFT + (before + i + 0.5) * slot:.1f},{TOP + plot_h - plot_h * value / peak:.1f}"
        for i, value in enumerate(expected)
        if before + i < len(hours)
    ]
    return ImpactChart(WIDTH, HEIGHT, bars, " ".join(points), LEFT + before * slot, peak)


def chart_of(impact: Any) -> ImpactChart | None:
    """Chart a desk `Impact` (None when there is nothing to measure)."""
    if impact is None:
        return None
    before = sum(1 for start, _ in impact.hours if start < impact.published_at)
    return impact_chart(list(impact.hours), list(impact.expected), before)
