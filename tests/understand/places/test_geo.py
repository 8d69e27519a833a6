"""Coordinates to units: the disc approximation and loaded boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicpulse.errors import InputError
from civicpulse.understand.places import Gazetteer, UnitLocator, load_boundaries
from civicpulse.understand.places.geo import distance_km


def test_every_centroid_is_in_its_own_unit(gazetteer: Gazetteer) -> None:
    locator = UnitLocator(gazetteer)
    assert all(locator.locate(u.lat, u.lon) == u.code for u in gazetteer.units)


def test_outside_the_city_is_no_unit(gazetteer: Gazetteer) -> None:
    locator = UnitLocator(gazetteer)
    assert locator.locate(21.0285, 105.8542) is None  # Hà Nội
    assert locator.locate(10.0, 105.0) is None  # the Mekong delta


def test_the_distance_is_the_great_circle_one() -> None:
    assert distance_km(10.7769, 106.7009, 10.7769, 106.7009) == 0
    assert 1130 < distance_km(10.7769, 106.7009, 21.0285, 105.8542) < 1150


def _square(code: str, lon: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_loaded_boundaries_take_precedence(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / "units.geojson"
    features = [_square("X1", 106.0, 10.0, 1.0)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    locator = UnitLocator(gazetteer, load_boundaries(path))
    assert locator.locate(10.5, 106.5) == "X1"
    assert locator.locate(10.7769, 107.2) is None


def test_a_hole_is_outside(gazetteer: Gazetteer, tmp_path: Path) -> None:
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    feature = {
        "type": "Feature",
        "properties": {"code": "H"},
        "geometry": {"type": "Polygon", "coordinates": [outer, hole]},
    }
    path = tmp_path / "holed.geojson"
    path.write_text(json.dumps({"features": [feature]}), encoding="utf-8")
    locator = UnitLocator(gazetteer, load_boundaries(path))
    assert locator.locate(0.5, 0.5) == "H"
    assert locator.locate(2.0, 2.0) is None


def test_a_feature_without_a_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(
        json.dumps({"features": [{"properties": {}, "geometry": {"type": "Point"}}]}), encoding="utf-8"
    )
    with pytest.raises(InputError, match="feature 1"):
        load_boundaries(path)
