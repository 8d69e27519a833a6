"""Units and organisations: 168 units from the gazetteer, organisations from the editable file."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicpulse.errors import InputError
from civicpulse.respond.units import bundled_organisations, directory, import_file, parse_organisations
from civicpulse.store import Store


def test_the_directory_has_the_168_units_and_the_organisations(store: Store) -> None:
    found = directory(store)
    units = [r for r in found.all() if r.kind in ("phuong", "xa", "dac khu")]
    assert len(units) == 168
    kinds = {r.kind for r in bundled_organisations()}
    assert {"department", "front", "mass_organisation", "press"} <= kinds


def test_import_adds_contacts_and_organisations(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "orgs.toml"
    path.write_text(
        '[[organisation]]\ncode = "bao-moi"\nname = "Báo Mới"\nkind = "press"\ncontacts = ["https://hooks.example/x"]\n'
        '[[unit]]\ncode = "26824"\ncontacts = ["mailto:ubnd@example.vn"]\n',
        encoding="utf-8",
    )
    assert import_file(store, path) == 2
    found = directory(store)
    assert found.contacts(["26824", "bao-moi"]) == ["mailto:ubnd@example.vn", "https://hooks.example/x"]
    assert found.name("26824") == "Phường Thủ Đức"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[organisation]]\ncode = "x"\n', "needs a code and a name"),
        ('[[organisation]]\ncode = "x"\nname = "X"\ncontacts = ["x@y"]\n', "must start with mailto"),
        ('[[organisation]]\ncode = "x"\nname = "X"\nkind = "club"\n', "kind 'club'"),
        ("[[organisation]\n", "not valid TOML"),
    ],
)
def test_bad_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_organisations(text)
