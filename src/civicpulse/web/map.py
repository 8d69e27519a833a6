"""The map of the city's units as inline SVG: a Voronoi tessellation of the centroids, each cell clipped.

No official polygons exist, only each unit's centroid and area. A unit's cell is its Voronoi region (the
points nearer its centroid than any other), clipped to a disc of about twice its area, so the coast and the
city's edge get a plausible outline instead of running off to infinity. A unit far from all others (Côn Đảo)
is drawn in an inset. The geometry is computed once per process; only the colours change per request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.spatial import Voronoi

from civicpulse.web.workbench import UnitPlace

WIDTH = 720
MARGIN = 8
KM_PER_DEG_LAT = 110.57
# A cell extends at most this many times the radius of a disc as large as the unit.
CLIP_FACTOR = 1.9
CIRCLE_SIDES = 28
OUTLIER_KM = 60.0  # farther than this from every other unit: drawn in the inset
INSET = 96
NO_DATA = "#e8e6e1"
# Sequential palettes (light to dark), five classes each: activity in teal, negativity in red.
PALETTES = {
    "activity": ("#d6efe9", "#9fd8cb", "#5fb8a6", "#2a8f7e", "#0b5f52"),
    "negativity": ("#fbe3d6", "#f5b899", "#ec8664", "#d2523a", "#a3261b"),
}


@dataclass(frozen=True)
class Cell:
    """One unit's shape on the map, in SVG coordinates."""

    code: str
    name: str
    path: str
    x: float
    y: float
    inset: bool


@dataclass(frozen=True)
class Geometry:
    """Every unit's cell and the drawing's size."""

    width: int
    height: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Shape:
    """A cell with its colour and its tooltip."""

    cell: Cell
    fill: str
    value: float | None
    label: str


@dataclass(frozen=True)
class LegendEntry:
    fill: str
    label: str


@dataclass(frozen=True)
class UnitMap:
    """What the template draws: shapes, the legend and what is measured."""

    width: int
    height: int
    shapes: list[Shape]
    legend: list[LegendEntry]
    measure: str


def _disc(x: float, y: float, r: float) -> list[tuple[float, float]]:
    step = 2 * math.pi / CIRCLE_SIDES
    return [(x + r * math.cos(i * step), y + r * math.sin(i * step)) for i in range(CIRCLE_SIDES)]


def _clip(subject: list[tuple[float, float]], clip: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of polygon `subject` inside the convex, counter-clockwise `clip`."""
    output = subject
    for (ax, ay), (bx, by) in zip(clip, clip[1:] + clip[:1], strict=True):
        if not output:
            break
        points, output = output, []

        def inside(p: tuple[float, float]) -> bool:
            return (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) >= 0  # noqa: B023

        def crossing(p: tuple[float, float], q: tuple[float, float]) -> tuple[float, float]:
            dx, dy = q[0] - p[0], q[1] - p[1]
            denominator = (bx - ax) * dy - (by - ay) * dx  # noqa: B023
            t = ((bx - ax) * (ay - p[1]) - (by - ay) * (ax - p[0])) / denominator  # noqa: B023
            return p[0] + t * dx, p[1] + t * dy

        for p, q in zip(points, points[1:] + points[:1], strict=True):
            if inside(q):
                if not inside(p):
                    output.append(crossing(p, q))
                output.append(q)
            elif inside(p):
                output.append(crossing(p, q))
    return output


def _ccw(polygon: list[tuple[float, float]]) -> list[tuple[float, float]]:
    area = sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True)
    )
    return polygon if area > 0 else polygon[::-1]


def _path(polygon: list[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in polygon) + "Z"


@cache
def geometry(units: tuple[tuple[str, str, float, float, float], ...]) -> Geometry:
    """Lay out the cells of `units` (code, name, lat, lon, km²) once."""
    lat0 = sum(u[2] for u in units) / len(units)
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))
    # Kilometres east and north; y grows downwards in SVG, so north is negated.
    points = np.array([(u[3] * km_per_deg_lon, -u[2] * KM_PER_DEG_LAT) for u in units])
    nearest = [
        min(float(np.hypot(*(points[i] - points[j]))) for j in range(len(units)) if j != i)
        for i in range(len(units))
    ]
    main = [i for i in range(len(units)) if nearest[i] <= OUTLIER_KM]
    outliers = [i for i in range(len(units)) if nearest[i] > OUTLIER_KM]
    radius = [CLIP_FACTOR * math.sqrt(u[4] / math.pi) for u in units]
    low = np.min([points[i] - radius[i] for i in main], axis=0)
    high = np.max([points[i] + radius[i] for i in main], axis=0)
    scale = (WIDTH - 2 * MARGIN) / float(high[0] - low[0])
    height = round(float(high[1] - low[1]) * scale + 2 * MARGIN)

    def svg(x: float, y: float) -> tuple[float, float]:
        return (x - float(low[0])) * scale + MARGIN, (y - float(low[1])) * scale + MARGIN

    # A ring of far points closes every real cell, so no region of the diagram runs to infinity.
    centre, span = (low + high) / 2, float(np.max(high - low)) * 3
    ring = [centre + span * np.array([math.cos(a), math.sin(a)]) for a in np.linspace(0, 2 * math.pi, 16)]
    diagram = Voronoi(np.vstack([points[main], np.array(ring)]))
    cells = []
    for k, i in enumerate(main):
        region = diagram.regions[diagram.point_region[k]]
        polygon = _ccw([(float(diagram.vertices[v][0]), float(diagram.vertices[v][1])) for v in region])
        clipped = _clip(polygon, _ccw(_disc(float(points[i][0]), float(points[i][1]), radius[i])))
        shape = [svg(x, y) for x, y in clipped]
        cx, cy = svg(float(points[i][0]), float(points[i][1]))
        cells.append(Cell(units[i][0], units[i][1], _path(shape), cx, cy, inset=False))
    for n, i in enumerate(outliers):
        # Drawn as a disc of its own area in a box at the lower left, at the main map's scale.
        cx, cy = MARGIN + INSET / 2 + n * (INSET + MARGIN), height - MARGIN - INSET / 2
        r = max(4.0, math.sqrt(units[i][4] / math.pi) * scale)
        cells.append(Cell(units[i][0], units[i][1], _path(_disc(cx, cy, r)), cx, cy, inset=True))
    return Geometry(WIDTH, height, tuple(cells))


def breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Upper bounds of `classes` classes over `values`: quantiles, so every colour is used."""
    ordered = sorted(values)
    if not ordered:
        return []
    found = [
        ordered[min(len(ordered) - 1, math.ceil(len(ordered) * (k + 1) / classes) - 1)]
        for k in range(classes)
    ]
    return sorted(set(found))


def unit_map(
    units: Sequence[UnitPlace],
    values: Mapping[str, float],
    measure: str,
    labels: Mapping[str, str],
    fmt: str = "{:.0f}",
) -> UnitMap:
    """Colour each unit by `values[code]` (none: grey); `labels` are tooltips, `measure` the palette."""
    shape = geometry(tuple((u.code, u.name, u.lat, u.lon, u.area_km2) for u in units))
    palette = PALETTES[measure]
    limits = breaks([v for v in values.values() if v > 0])
    colours = palette[len(palette) - len(limits) :] if limits else ()
    shapes = []
    for cell in shape.cells:
        value = values.get(cell.code)
        fill = NO_DATA
        if value is not None and value > 0 and limits:
            fill = colours[next((k for k, top in enumerate(limits) if value <= top), len(limits) - 1)]
        shapes.append(Shape(cell, fill, value, labels.get(cell.code, cell.name)))
    legend, lower = [], 0.0
    for colour, top in zip(colours, limits, strict=True):
        legend.append(LegendEntry(colour, f"{fmt.format(lower)}–{fmt.format(top)}"))
        lower = top
    return UnitMap(shape.width, shape.height, shapes, legend, measure)
