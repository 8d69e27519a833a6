"""Coordinates to units: real boundaries when a city loads them, else centroids and areas.

No official polygons of the 2025 units are public, so the default is an approximation: each unit is a disc
of its own area around its centroid (radius √(area/π)); a point goes to the unit whose disc holds it, the
nearest centroid in disc radii when several do. A point in no disc (sea, another province) is in no unit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse.errors import InputError
from civicpulse.understand.places.gazetteer import Gazetteer, Unit

EARTH_RADIUS_KM = 6371.0088
# Discs are a crude shape for long or ragged units: allow a little slack before calling a point "outside".
SLACK = 1.25

Ring = list[tuple[float, float]]  # (lon, lat) as GeoJSON writes them


@dataclass(frozen=True)
class Boundary:
    """One unit's polygons (outer ring first, then holes), with a bounding box for a quick reject."""

    code: str
    polygons: tuple[tuple[Ring, ...], ...]
    box: tuple[float, float, float, float]

    def contains(self, lon: float, lat: float) -> bool:
        """Return whether the point is inside (even-odd rule over each polygon's rings)."""
        west, south, east, north = self.box
        if not (west <= lon <= east and south <= lat <= north):
            return False
        return any(
            _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, h) for h in rings[1:])
            for rings in self.polygons
        )


class UnitLocator:
    """Maps latitude and longitude to one of the city's units, or None outside the city."""

    def __init__(self, gazetteer: Gazetteer, boundaries: list[Boundary] | None = None) -> None:
        self.gazetteer = gazetteer
        self.boundaries = boundaries or []

    def locate(self, lat: float, lon: float) -> str | None:
        """Return the unit code at (lat, lon): a loaded boundary wins; else the disc approximation."""
        if self.boundaries:
            return next((b.code for b in self.boundaries if b.contains(lon, lat)), None)
        best: tuple[float, Unit] | None = None
        for unit in self.gazetteer.units:
            radius = math.sqrt(max(unit.area_km2, 0.01) / math.pi)
            ratio = distance_km(lat, lon, unit.lat, unit.lon) / radius
            if ratio <= SLACK and (best is None or ratio < best[0]):
                best = (ratio, unit)
        return best[1].code if best else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def load_boundaries(path: Path, code_property: str = "code") -> list[Boundary]:
    """Read a GeoJSON FeatureCollection of Polygon/MultiPolygon units keyed by `code_property`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: cannot read the boundaries ({exc}); give a GeoJSON FeatureCollection"
        ) from exc
    out = []
    for number, feature in enumerate(data.get("features", []), 1):
        code = str((feature.get("properties") or {}).get(code_property, ""))
        geometry = feature.get("geometry") or {}
        if not code or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"{path}: feature {number} needs a '{code_property}' and a (Multi)Polygon geometry"
            )
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        out.append(_boundary(code, polygons))
    return out


def _boundary(code: str, polygons: list[Any]) -> Boundary:
    rings = tuple(
        tuple([(float(p[0]), float(p[1])) for p in ring] for ring in polygon) for polygon in polygons
    )
    points = [p for polygon in rings for ring in polygon for p in ring]
    box = (
        min(p[0] for p in points),
        min(p[1] for p in points),
        max(p[0] for p in points),
        max(p[1] for p in points),
    )
    return Boundary(code, rings, box)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside
