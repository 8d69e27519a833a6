"""The gazetteer: a city's units, its old wards and districts, and the names that point to them.

A city is one JSON file (see `scripts/build_gazetteer.py` and docs/decisions/0020-places.md); names are
stored as unspaced, diacritic-free keys (`tandinh`, `14`) so matching never depends on spacing or accents.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from civicpulse.errors import InputError

DEFAULT_CITY = "hcmc"


@dataclass(frozen=True)
class Unit:
    """One of the city's current units (ward, commune, special zone), with its centroid and area."""

    code: str
    name: str
    short: str
    type: str
    lat: float
    lon: float
    area_km2: float
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class WardEntry:
    """A ward-level name: a current unit, or an old ward with the unit(s) it went into."""

    code: str
    short: str
    type: str
    units: tuple[str, ...]
    district: str = ""
    old: bool = False


@dataclass(frozen=True)
class District:
    """An old district (or the city of Thủ Đức), with the old wards it held and their new units."""

    id: str
    name: str
    short: str
    types: tuple[str, ...]
    province: str
    units: tuple[str, ...]
    wards: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Everything the extractor and the coordinate mapper need about one city."""

    city_code: str
    city_name: str
    units: tuple[Unit, ...]
    districts: tuple[District, ...]
    ward_names: dict[str, tuple[WardEntry, ...]]
    district_names: dict[str, tuple[District, ...]]
    city_names: frozenset[str]
    own_provinces: frozenset[str]
    foreign_provinces: frozenset[str]
    foreign_districts: frozenset[str]
    foreign_wards: frozenset[str]
    foreign_district_keys: frozenset[str]
    doubtful: frozenset[str]
    bare_districts: frozenset[str]
    by_code: dict[str, Unit] = field(default_factory=dict)
    source: str = ""

    def unit(self, code: str) -> Unit | None:
        """Return the unit with GSO `code`, if it is one of this city's."""
        return self.by_code.get(code)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load a city file; without `path`, the bundled Ho Chi Minh City one (cached)."""
    if path is None:
        return _bundled(DEFAULT_CITY)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: cannot read the gazetteer ({exc}); give a file like data/places/hcmc.json"
        ) from exc
    return from_dict(raw)


@lru_cache(maxsize=4)
def _bundled(city: str) -> Gazetteer:
    text = (resources.files("civicpulse") / "data" / "places" / f"{city}.json").read_text(encoding="utf-8")
    return from_dict(json.loads(text))


def from_dict(raw: dict[str, Any]) -> Gazetteer:
    """Build the gazetteer and its name indexes from the file's JSON object."""
    units = tuple(
        Unit(
            code=u["code"],
            name=u["name"],
            short=u["short"],
            type=u["type"],
            lat=float(u["lat"]),
            lon=float(u["lon"]),
            area_km2=float(u["area_km2"]),
            aliases=tuple(u["aliases"]),
        )
        for u in raw["units"]
    )
    ward_names: dict[str, list[WardEntry]] = defaultdict(list)
    for u in units:
        entry = WardEntry(code=u.code, short=u.short, type=u.type, units=(u.code,))
        for alias in u.aliases:
            ward_names[alias].append(entry)
    for w in raw.get("old_wards", []):
        entry = WardEntry(
            code=w["code"],
            short=w["short"],
            type=w["type"],
            units=tuple(w["units"]),
            district=w["district"],
            old=True,
        )
        for alias in w["aliases"]:
            ward_names[alias].append(entry)
    districts = tuple(
        District(
            id=d["id"],
            name=d["name"],
            short=d["short"],
            types=tuple(d["types"]),
            province=d["province"],
            units=tuple(d["units"]),
            wards=frozenset(d["wards"]),
        )
        for d in raw.get("districts", [])
    )
    district_names: dict[str, list[District]] = defaultdict(list)
    for d, spec in zip(districts, raw.get("districts", []), strict=True):
        for alias in spec["aliases"]:
            district_names[alias].append(d)
    city = raw["city"]
    foreign = raw.get("foreign", {})
    foreign_provinces = frozenset(foreign.get("provinces", []))
    no_bare = set(raw.get("no_bare", []))
    bare = frozenset(
        k for k in district_names if not k.isdigit() and k not in foreign_provinces and k not in no_bare
    )
    own = {alias for aliases in city.get("former_provinces", {}).values() for alias in aliases}
    return Gazetteer(
        city_code=city["code"],
        city_name=city["name"],
        units=units,
        districts=districts,
        ward_names={k: tuple(v) for k, v in ward_names.items()},
        district_names={k: tuple(v) for k, v in district_names.items()},
        city_names=frozenset(city["aliases"]),
        own_provinces=frozenset(own),
        foreign_provinces=foreign_provinces,
        foreign_districts=frozenset(foreign.get("districts", [])),
        foreign_wards=frozenset(foreign.get("wards", [])),
        foreign_district_keys=frozenset(k.split("|", 1)[1] for k in foreign.get("districts", [])),
        doubtful=frozenset(raw.get("doubtful", [])),
        bare_districts=bare,
        by_code={u.code: u for u in units},
        source=raw.get("source", ""),
    )
