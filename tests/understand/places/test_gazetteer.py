"""The bundled gazetteer against the official codes and the old -> new table."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from civicpulse.errors import InputError
from civicpulse.understand.places import Gazetteer, load_gazetteer
from civicpulse.understand.places.gazetteer import from_dict
from tests.understand.places.conftest import official_table, shared

BUNDLED = Path(__file__).resolve().parents[3] / "src" / "civicpulse" / "data" / "places" / "hcmc.json"


def test_the_city_has_168_units_of_three_kinds(gazetteer: Gazetteer) -> None:
    kinds = defaultdict(int)
    for unit in gazetteer.units:
        kinds[unit.type] += 1
    assert len(gazetteer.units) == 168
    assert dict(kinds) == {"phuong": 113, "xa": 54, "dac khu": 1}
    assert gazetteer.unit("26732") is not None and gazetteer.unit("26732").name == "Đặc khu Côn Đảo"


def test_every_unit_has_a_centroid_in_the_region_and_an_area(gazetteer: Gazetteer) -> None:
    for unit in gazetteer.units:
        assert 8.5 < unit.lat < 11.6 and 106.2 < unit.lon < 107.7, unit
        assert unit.area_km2 > 0, unit


def test_codes_and_names_agree_with_the_official_list(gazetteer: Gazetteer) -> None:
    official = json.loads(shared("hcmc_168_units_vietnam_provinces_2026.9.0.json").read_text("utf-8"))
    assert {str(u["code"]): u["name"] for u in official} == {u.code: u.name for u in gazetteer.units}


def test_centroids_are_the_mit_package_ones(gazetteer: Gazetteer) -> None:
    with shared("hcmc_168_units_vietnamadminunits.csv").open(encoding="utf-8") as handle:
        rows = {r["ward_code"]: r for r in csv.DictReader(handle)}
    for unit in gazetteer.units:
        row = rows[unit.code]
        assert (unit.lat, unit.lon, unit.area_km2) == (
            float(row["lat"]),
            float(row["lon"]),
            float(row["area_km2"]),
        )


def test_old_wards_map_to_the_official_new_units() -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for row in official_table():
        expected[row["old_ward_code"]].add(row["new_ward_code"])
    raw = json.loads(BUNDLED.read_text("utf-8"))
    ours = {w["code"]: set(w["units"]) for w in raw["old_wards"]}
    assert ours == dict(expected)


def test_a_district_maps_to_every_unit_its_wards_went_into(gazetteer: Gazetteer) -> None:
    by_id = {d.id: d for d in gazetteer.districts}
    assert by_id["772"].units == ("27211", "27226", "27232", "27238")  # Quận 11
    assert len(by_id["769"].units) == 12  # TP Thủ Đức = quận 2 + quận 9 + quận Thủ Đức
    assert set(by_id["769-q2"].units) | set(by_id["769-q9"].units) | set(by_id["769-thuduc"].units) == set(
        by_id["769"].units
    )
    assert by_id["755"].units == ("26732",)  # Côn Đảo had no wards


def test_another_city_loads_from_the_same_kind_of_file(tmp_path: Path) -> None:
    city = {
        "city": {"code": "01", "name": "Thành phố Hà Nội", "aliases": ["hanoi"]},
        "units": [
            {
                "code": "00004",
                "name": "Phường Ba Đình",
                "short": "Ba Đình",
                "type": "phuong",
                "lat": 21.03,
                "lon": 105.83,
                "area_km2": 2.9,
                "aliases": ["badinh"],
            }
        ],
    }
    path = tmp_path / "hanoi.json"
    path.write_text(json.dumps(city, ensure_ascii=False), encoding="utf-8")
    gazetteer = load_gazetteer(path)
    assert [u.code for u in gazetteer.units] == ["00004"]
    assert from_dict(city).ward_names["badinh"][0].units == ("00004",)


def test_an_unreadable_city_file_says_what_to_give(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json"):
        load_gazetteer(path)
