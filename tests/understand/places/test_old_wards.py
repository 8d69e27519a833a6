"""Every old ward of the official table, written in each supported form, resolves to its new unit(s)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest

from civicpulse.understand.places import PlaceExtractor
from civicpulse.understand.text import fold
from tests.understand.places.conftest import official_table

TYPES = ["Thành phố", "Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Xã"]
ABBREVIATIONS = {
    "Phường": "P.",
    "Xã": "X.",
    "Thị trấn": "TT.",
    "Quận": "Q.",
    "Huyện": "H.",
    "Thành phố": "TP.",
    "Thị xã": "TX.",
}


def split(name: str) -> tuple[str, str]:
    """Return ("Phường", "Tân Định") for "Phường Tân Định"."""
    for prefix in TYPES:
        if name.startswith(prefix + " "):
            return prefix, name[len(prefix) + 1 :]
    raise ValueError(name)


def full(ward: str, district: str) -> str:
    return f"Xảy ra tại {ward}, {district}, TP.HCM."


def abbreviated(ward: str, district: str) -> str:
    (wt, wn), (dt, dn) = split(ward), split(district)
    return f"Địa chỉ: 12 Lê Lợi, {ABBREVIATIONS[wt]}{wn}, {ABBREVIATIONS[dt]}{dn}, TP.HCM"


def folded(ward: str, district: str) -> str:
    return fold(f"nha o {ward} {district}")


def parenthesised(ward: str, district: str) -> str:
    return f"UBND {ward.lower()} ({district.lower()}) cho biết."


FORMS: dict[str, Callable[[str, str], str]] = {
    "full": full,
    "abbreviated": abbreviated,
    "folded": folded,
    "parenthesised": parenthesised,
}


@pytest.mark.parametrize("form", FORMS)
def test_every_old_ward_resolves_in_this_form(form: str, extractor: PlaceExtractor) -> None:
    expected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in official_table():
        if (
            row["old_ward_name"] != "?"
        ):  # 6 wards have no name in the table; their codes are checked elsewhere
            expected[(row["old_ward_name"], row["old_district_name"])].add(row["new_ward_code"])
    assert len(expected) > 430
    wrong = []
    for (ward, district), codes in expected.items():
        text = FORMS[form](ward, district)
        found = extractor.codes(text)
        if found != [tuple(sorted(codes))]:
            wrong.append((text, found, sorted(codes)))
    assert not wrong, f"{len(wrong)} of {len(expected)} wrong, e.g. {wrong[:5]}"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("phường 5, quận 3", ("27154",)),
        ("P.5 Q.3", ("27154",)),
        ("phuong 5 quan 3", ("27154",)),
        ("P5, Q3", ("27154",)),
        ("Phường 05, Quận 3", ("27154",)),
        ("Phường Tân Định, Quận 1", ("26737",)),
        ("phường Đa Kao, Q.1", ("26737", "26740")),
        ("xã Phạm Văn Hai, huyện Bình Chánh", ("27601", "27604")),
        ("phường 8, quận 3", ("27139",)),  # merged into Võ Thị Sáu in 2021
        ("phường 7, quận Gò Vấp", ("26890",)),  # merged into phường 1 in 2024
        ("phường Bình Khánh, quận 2", ("27094",)),  # merged into An Khánh in 2020
        ("phường Linh Đông, TP Thủ Đức", ("26809", "26824")),
        ("thị trấn Long Hải, huyện Long Điền", ("26662",)),
        ("xã Cần Thạnh, huyện Cần Giờ", ("27664",)),  # the text says xã; it was a thị trấn
    ],
)
def test_written_forms_of_one_ward(text: str, codes: tuple[str, ...], extractor: PlaceExtractor) -> None:
    assert extractor.codes(text) == [codes]
