"""Time series against their normal band, and sparklines, laid out for inline SVG.

The band is what the recent past makes ordinary: the mean of the preceding hours ± two Poisson standard
deviations (√mean), so a bar above the band is more than chance would explain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from civicpulse.web.chart import LABEL_EVERY_H, Bar, Tick, nice_ceiling

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 10, 34
SPARK_W, SPARK_H = 96, 22


@dataclass(frozen=True)
class BandChart:
    """Bars per hour, the normal band as an SVG path, and the axes."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: int
    bars: list[Bar]
    band: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    total: int
    peak: int
    above: int


@dataclass(frozen=True)
class Sparkline:
    """A small line of counts: its SVG points, the last value and the peak."""

    width: int
    height: int
    points: str
    area: str
    last: int
    peak: int
    total: int


def rolling_band(counts: Sequence[int], window: int) -> list[tuple[float, float]]:
    """Per position, (low, high) = mean of the `window` values before it ± 2√mean, low clipped at 0."""
    band = []
    for i in range(len(counts)):
        past = counts[max(0, i - window) : i]
        mean = sum(past) / len(past) if past else 0.0
        spread = 2 * math.sqrt(mean)
        band.append((max(0.0, mean - spread), mean + spread))
    return band


def band_chart(
    hours: Sequence[tuple[datetime, int]], band: Sequence[tuple[float, float]], zone: tzinfo
) -> BandChart:
    """Lay out one bar per hour with the band behind it; labels every six local hours."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max((c for _, c in hours), default=0)
    top = nice_ceiling(max(peak, math.ceil(max((h for _, h in band), default=0))))
    slot = plot_w / max(len(hours), 1)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * min(value, top) / top

    bars, x_ticks = [], []
    for i, (start, count) in enumerate(hours):
        x = LEFT + i * slot
        bars.append(Bar(x + 1, y(count), max(slot - 2, 1), TOP + plot_h - y(count), start, count))
        local = start.astimezone(zone)
        if local.hour % LABEL_EVERY_H == 0:
            x_ticks.append(Tick(x, local.strftime("%d/%m") if local.hour == 0 else local.strftime("%H:00")))
    upper = [(LEFT + (i + 0.5) * slot, y(high)) for i, (_, high) in enumerate(band)]
    lower = [(LEFT + (i + 0.5) * slot, y(low)) for i, (low, _) in enumerate(band)]
    outline = upper + lower[::-1]
    path = ("M" + "L".join(f"{px:.1f},{py:.1f}" for px, py in outline) + "Z") if outline else ""
    above = sum(1 for (_, c), (_, high) in zip(hours, band, strict=False) if c > high and c > 0)
    y_ticks = [Tick(y(v), str(v)) for v in sorted({0, top // 2, top})]
    return BandChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=TOP + plot_h,
        bars=bars,
        band=path,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        total=sum(c for _, c in hours),
        peak=peak,
        above=above,
    )


def sparkline(counts: Sequence[int], width: int = SPARK_W, height: int = SPARK_H) -> Sparkline:
    """A line through `counts` scaled to the box, with the area under it."""
    peak = max(counts, default=0)
    step = width / max(len(counts) - 1, 1)
    scale = (height - 2) / peak if peak else 0.0
    points = [(i * step, height - 1 - c * scale) for i, c in enumerate(counts)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"0,{height} {line} {width},{height}" if points else ""
    return Sparkline(width, height, line, area, counts[-1] if counts else 0, peak, sum(counts))
