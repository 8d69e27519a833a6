"""The activity chart: items per hour as bars, laid out for an inline SVG (no JavaScript)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 10, 34
LABEL_EVERY_H = 6


@dataclass(frozen=True)
class Bar:
    """One hour's bar: where it is drawn and what it stands for."""

    x: float
    y: float
    width: float
    height: float
    start: datetime
    count: int


@dataclass(frozen=True)
class Tick:
    """An axis label at a position."""

    position: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """Everything the template needs to draw the chart."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    total: int
    peak: int


def nice_ceiling(value: int) -> int:
    """Round `value` up to 1, 2 or 5 times a power of ten, so the y axis reads easily."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def hour_bars(hours: list[tuple[datetime, int]], zone: tzinfo) -> BarChart:
    """Lay out one bar per hour; x labels every six local hours, y labels at 0, half and the top."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max((count for _, count in hours), default=0)
    top = nice_ceiling(peak)
    slot = plot_w / max(len(hours), 1)
    bars, x_ticks = [], []
    for i, (start, count) in enumerate(hours):
        height = plot_h * count / top
        x = LEFT + i * slot
        bars.append(Bar(x + 1, TOP + plot_h - height, max(slot - 2, 1), height, start, count))
        local = start.astimezone(zone)
        if local.hour % LABEL_EVERY_H == 0:
            label = local.strftime("%d/%m") if local.hour == 0 else local.strftime("%H:00")
            x_ticks.append(Tick(x, label))
    y_ticks = [Tick(TOP + plot_h - plot_h * v / top, str(v)) for v in sorted({0, top // 2, top}) if v >= 0]
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=TOP + plot_h,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        total=sum(count for _, count in hours),
        peak=peak,
    )


def last_hours(counts: dict[datetime, int], end: datetime, hours: int) -> list[tuple[datetime, int]]:
    """Return `hours` consecutive hourly buckets ending with the one holding `end`, zeros filled in."""
    last = end.replace(minute=0, second=0, microsecond=0)
    starts = [last - timedelta(hours=h) for h in range(hours - 1, -1, -1)]
    return [(start, counts.get(start, 0)) for start in starts]
