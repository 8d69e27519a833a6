"""Render a briefing as a self-contained HTML page (inline SVG chart, no external assets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from civicpulse.reports.briefing import CITY_ZONE, Briefing

TEMPLATES = Path(__file__).parent / "templates"
CHART_W, CHART_H, PAD = 720, 160, 24


@dataclass(frozen=True)
class Bar:
    """One hour's bar of the activity chart."""

    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


def bars(briefing: Briefing) -> list[Bar]:
    """Lay out one bar per hour of the day, scaled to the busiest hour."""
    peak = max((c for _, c in briefing.hours), default=0) or 1
    slot = (CHART_W - 2 * PAD) / max(len(briefing.hours), 1)
    out = []
    for i, (start, count) in enumerate(briefing.hours):
        height = (CHART_H - 2 * PAD) * count / peak
        label = start.astimezone(CITY_ZONE).strftime("%H:00")
        out.append(Bar(PAD + i * slot + 1, CHART_H - PAD - height, max(slot - 2, 1), height, label, count))
    return out


def to_html(briefing: Briefing) -> str:
    """Return the briefing as one HTML document."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
    )
    env.filters["local"] = lambda value: value.astimezone(CITY_ZONE).strftime("%H:%M %d/%m") if value else ""
    return env.get_template("briefing.html").render(
        b=briefing, bars=bars(briefing), width=CHART_W, height=CHART_H, pad=PAD
    )
