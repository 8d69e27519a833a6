"""Who can be routed a case: the city's administrative units and a registry of organisations.

The 168 units come from the gazetteer; organisations come from an editable TOML file
(`data/organisations.toml` by default). Contact points of either are stored in the `responders` table, so
an import can add contacts to a ward as well as define an organisation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from civicpulse.errors import InputError
from civicpulse.models import Responder
from civicpulse.store import Store
from civicpulse.store.response import ResponseTables
from civicpulse.understand.places import Gazetteer, load_gazetteer

UNIT_KINDS = ("phuong", "xa", "dac khu")
KINDS = ("department", "police", "front", "mass_organisation", "press", *UNIT_KINDS)
CONTACT_PREFIXES = ("mailto:", "https://", "http://")


def unit_responders(gazetteer: Gazetteer | None = None) -> list[Responder]:
    """Return the city's administrative units as responders (kind: phuong, xa or dac khu)."""
    gazetteer = gazetteer or load_gazetteer()
    return [Responder(code=u.code, name=u.name, kind=u.type, units=(u.code,)) for u in gazetteer.units]


def parse_organisations(text: str, origin: str = "organisations file") -> list[Responder]:
    """Read `[[organisation]]` and `[[unit]]` contact tables from TOML text; raise `InputError` if wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{origin} is not valid TOML ({exc}); fix the line it names") from exc
    found = [_organisation(entry, origin, n) for n, entry in enumerate(data.get("organisation", []), 1)]
    found += [_unit_contacts(entry, origin, n) for n, entry in enumerate(data.get("unit", []), 1)]
    codes = [r.code for r in found]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InputError(f"{origin}: codes used twice: {', '.join(duplicates)}; give each entry its own code")
    return found


def bundled_organisations() -> list[Responder]:
    """Return the organisations shipped in `data/organisations.toml`."""
    text = (resources.files("civicpulse") / "data" / "organisations.toml").read_text(encoding="utf-8")
    return parse_organisations(text, "data/organisations.toml")


def import_file(store: Store, path: Path) -> int:
    """Load organisations and unit contact points from `path` into the store; return how many."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}; give the path of a TOML file") from exc
    entries = parse_organisations(text, str(path))
    gazetteer = load_gazetteer()
    units = {r.code: r for r in unit_responders(gazetteer)}
    merged = [replace(units[e.code], contacts=e.contacts) if e.code in units else e for e in entries]
    unknown = sorted({u for e in merged for u in e.units} - set(units))
    if unknown:
        raise InputError(f"{path}: unknown unit codes {', '.join(unknown)}; see `civicpulse units list`")
    return ResponseTables(store).save_responders(merged)


@dataclass(frozen=True)
class Directory:
    """Every responder by code: units from the gazetteer, organisations and contacts from the store."""

    by_code: dict[str, Responder]

    def get(self, code: str) -> Responder | None:
        return self.by_code.get(code)

    def name(self, code: str) -> str:
        found = self.by_code.get(code)
        return found.name if found else code

    def contacts(self, codes: tuple[str, ...] | list[str]) -> list[str]:
        """Contact points of `codes`, each once, in order."""
        return list(dict.fromkeys(c for code in codes for c in self.by_code.get(code, _NONE).contacts))

    def all(self) -> list[Responder]:
        return list(self.by_code.values())

    def units_with_contacts(self) -> list[Responder]:
        """The administrative units that have contact points (those a unit briefing can reach), by code."""
        return sorted(
            (r for r in self.by_code.values() if r.kind in UNIT_KINDS and r.contacts), key=lambda r: r.code
        )


_NONE = Responder(code="", name="", kind="")


def directory(store: Store, gazetteer: Gazetteer | None = None) -> Directory:
    """Return the directory: gazetteer units first, then the bundled organisations, then what was imported."""
    by_code = {r.code: r for r in unit_responders(gazetteer)}
    by_code |= {r.code: r for r in bundled_organisations()}
    by_code |= {r.code: r for r in ResponseTables(store).responders()}
    return Directory(by_code)


def _organisation(entry: dict[str, Any], origin: str, number: int) -> Responder:
    where = f"{origin}: organisation {number}"
    code, name, kind = entry.get("code"), entry.get("name"), entry.get("kind", "department")
    if not isinstance(code, str) or not code or not isinstance(name, str) or not name:
        raise InputError(f"{where} needs a code and a name")
    if kind not in KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    return Responder(
        code=code,
        name=name,
        name_en=str(entry.get("name_en", "")),
        kind=str(kind),
        contacts=_contacts(entry.get("contacts", []), where),
        units=tuple(str(u) for u in entry.get("units", [])),
    )


def _unit_contacts(entry: dict[str, Any], origin: str, number: int) -> Responder:
    where = f"{origin}: unit {number}"
    code = entry.get("code")
    if not isinstance(code, str) or not code:
        raise InputError(f"{where} needs the unit's code (see `civicpulse units list`)")
    return Responder(
        code=code, name=code, kind="phuong", contacts=_contacts(entry.get("contacts", []), where)
    )


def _contacts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise InputError(f"{where}: contacts must be a list of strings")
    bad = [c for c in value if not c.startswith(CONTACT_PREFIXES)]
    if bad:
        raise InputError(f"{where}: contact {bad[0]!r} must start with mailto:, https:// or http://")
    return tuple(value)
