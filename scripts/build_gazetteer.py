"""Build the Ho Chi Minh City gazetteer, `src/civicpulse/data/places/hcmc.json`, from `vietnamadminunits`.

The MIT package (>= 1.0.4) holds the 168 units with centroids and areas, the old (pre-July-2025) wards and
districts of HCMC, Bình Dương and Bà Rịa–Vũng Tàu with their historic aliases, and the old→new table. Run
time needs only the JSON this writes.
Run: `pip install vietnamadminunits && python scripts/build_gazetteer.py`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import unidecode

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "civicpulse" / "data" / "places" / "hcmc.json"
CITY_KEY = "thanhphohochiminh"
OLD_PROVINCES = {"thanhphohochiminh": "79", "tinhbinhduong": "74", "tinhbariavungtau": "77"}
TYPES = {
    "Phường": "phuong",
    "Xã": "xa",
    "Thị trấn": "thi tran",
    "Đặc khu": "dac khu",
    "Quận": "quan",
    "Huyện": "huyen",
    "Thị xã": "thi xa",
    "Thành phố": "thanh pho",
}
# Districts that the old→new table files under one name but that people still write apart (DESIGN: the
# labelling rules): Thủ Đức city's three former districts by GSO ward-code range, and Long Điền and Đất Đỏ
# (merged into Long Đất in 2024) by theirs.
SUBDISTRICTS = {
    "769": [
        ("769-thuduc", "Quận Thủ Đức", "quan", ["thuduc"], range(26794, 26828)),
        ("769-q9", "Quận 9", "quan", ["9"], range(26830, 26867)),
        ("769-q2", "Quận 2", "quan", ["2"], range(27088, 27119)),
    ],
    "753": [
        ("753-longdien", "Huyện Long Điền", "huyen", ["longdien"], range(26659, 26680)),
        ("753-datdo", "Huyện Đất Đỏ", "huyen", ["datdo"], range(26680, 26700)),
    ],
}
# Aliases of the package that are doubtful in running text: "huyện Tân Thành" (Phú Mỹ before 2018) is also
# Long An's Tân Thạnh once diacritics are gone.
DROP_DISTRICT_ALIASES = {"754": {"tanthanh"}, "753": {"longdien", "datdo"}, "769": {"2", "9"}}
# Former district types kept as accepted spellings: the thị xã → thành phố renamings kept their territory.
EXTRA_DISTRICT_TYPES = {
    "721": ["thi xa"],
    "723": ["thi xa"],
    "724": ["thi xa"],
    "725": ["thi xa"],
    "754": ["thi xa"],
}
CITY_ALIASES = ["hochiminh", "hcm", "tphcm", "hcmc", "saigon", "thanhphohochiminh", "tphochiminh", "sgn"]
# Written forms the labelling rules call doubtful: a 2013 "huyện Tân Uyên/Bến Cát" covered a territory
# that later changed (and Lai Châu has its own huyện Tân Uyên).
DOUBTFUL = ["huyen|bencat", "huyen|tanuyen"]
# District names that are not read on their own, without a type word: halves of the former province's name.
NO_BARE = ["vungtau", "baria"]
FORMER_PROVINCES = {
    "tinhbinhduong": ["binhduong"],
    "tinhbariavungtau": ["bariavungtau", "brvt", "bariavt"],
}


def key(text: str) -> str:
    """Return the unspaced, diacritic-free key the extractor matches: `Phường Đa Kao` -> `phuongdakao`."""
    return "".join(ch for ch in unidecode.unidecode(text).lower() if ch.isalnum())


def short_aliases(keywords: list[str], short_key: str) -> list[str]:
    """Keep the package's keywords without their type prefix; numbers lose leading zeros."""
    plain = set(keywords)
    out = {short_key}
    for word in keywords:
        for prefix in ("phuong", "thitran", "xa", "ward", "p", "f", "quan", "district", "q", "huyen"):
            rest = word.removeprefix(prefix)
            if rest == word or not rest:
                continue
            if rest.isdigit():
                out.add(str(int(rest)))
            elif rest in plain:
                out.add(rest)
        if word.isdigit():
            out.add(str(int(word)))
    if short_key.isdigit():
        number = str(int(short_key))
        out = {number} | {a for a in out if not a.isdigit() or a == number}
    # Drop the typed spellings ("quangovap", "phuong14"), keep names that merely start alike ("quangthanh").
    prefixes = (
        "phuong",
        "thitran",
        "xa",
        "ward",
        "district",
        "quan",
        "huyen",
        "thanhpho",
        "thixa",
        "tx",
        "q",
        "p",
        "f",
    )
    typed = {prefix + alias for prefix in prefixes for alias in out}
    return sorted(a for a in out if a not in typed)


def number_of(short: str) -> str:
    """Return `14` for `Phường 14`'s short name, else the key itself."""
    return str(int(short)) if short.isdigit() else key(short)


def load_package() -> tuple[dict[str, Any], dict[str, Any], sqlite3.Connection]:
    data = resources.files("vietnamadminunits") / "data"
    legacy = json.loads((data / "parser_legacy.json").read_text("utf-8"))
    converter = json.loads((data / "converter_2025.json").read_text("utf-8"))
    conn = sqlite3.connect(str(data / "dataset.db"))
    conn.row_factory = sqlite3.Row
    return legacy, converter, conn


def build() -> dict[str, Any]:
    legacy, converter, conn = load_package()
    units = []
    code_of_key: dict[str, str] = {}
    for row in conn.execute("SELECT * FROM admin_units WHERE provinceKey = ? ORDER BY wardCode", (CITY_KEY,)):
        code_of_key[row["wardKey"]] = row["wardCode"]
        units.append(
            {
                "code": row["wardCode"],
                "name": row["ward"],
                "short": row["wardShort"],
                "type": TYPES[row["wardType"]],
                "lat": row["wardLat"],
                "lon": row["wardLon"],
                "area_km2": row["wardAreaKm2"],
                "aliases": short_aliases(json.loads(row["wardKeywords"]), row["wardShortKey"]),
            }
        )

    new_of_old: dict[str, set[str]] = defaultdict(set)
    for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][CITY_KEY].items():
        for old in old_keys:
            new_of_old[old].add(code_of_key[new_key])
    for old, targets in converter["DICT_PROVINCE_WARD_DIVIDED"][CITY_KEY].items():
        new_of_old[old].update(code_of_key[t["newWardKey"]] for t in targets)

    wards_by_province = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]
    old_wards = []
    districts = []
    for province_key, province_code in OLD_PROVINCES.items():
        for district_key, district in legacy["DICT_PROVINCE_DISTRICT"][province_key].items():
            dcode = district["districtCode"]
            ward_codes = []
            for ward_key, ward in wards_by_province[province_key][district_key].items():
                old_key = f"{province_key}_{district_key}_{ward_key}"
                if ward_key == "NaN":  # Côn Đảo has no wards: the district itself is the unit
                    continue
                targets = sorted(new_of_old[old_key])
                if not targets:
                    raise SystemExit(f"no new unit for {old_key}")
                ward_codes.append(ward["wardCode"])
                old_wards.append(
                    {
                        "code": ward["wardCode"],
                        "name": ward["ward"],
                        "short": ward["wardShort"],
                        "type": TYPES[ward["wardType"]],
                        "district": dcode,
                        "aliases": short_aliases(ward["wardKeywords"], number_of(ward["wardShort"])),
                        "units": targets,
                    }
                )
            aliases = [
                a
                for a in short_aliases(district["districtKeywords"], number_of(district["districtShort"]))
                if a not in DROP_DISTRICT_ALIASES.get(dcode, set())
            ]
            districts.append(
                {
                    "id": dcode,
                    "name": district["district"],
                    "short": district["districtShort"],
                    "types": [TYPES[district["districtType"]], *EXTRA_DISTRICT_TYPES.get(dcode, [])],
                    "province": province_code,
                    "aliases": aliases,
                    "wards": ward_codes,
                }
            )
            for sub_id, name, dtype, sub_aliases, codes in SUBDISTRICTS.get(dcode, []):
                districts.append(
                    {
                        "id": sub_id,
                        "name": name,
                        "short": name.split(" ", 1)[1],
                        "types": [dtype],
                        "province": province_code,
                        "aliases": sub_aliases,
                        "wards": [c for c in ward_codes if int(c) in codes],
                    }
                )
    units_of_ward = {w["code"]: w["units"] for w in old_wards}
    for district in districts:
        district["units"] = sorted({u for c in district["wards"] for u in units_of_ward[c]})
        if district["id"] == "755":
            district["units"] = ["26732"]
    return {
        "city": {
            "code": "79",
            "name": "Thành phố Hồ Chí Minh",
            "aliases": CITY_ALIASES,
            "former_provinces": FORMER_PROVINCES,
        },
        "doubtful": DOUBTFUL,
        "no_bare": NO_BARE,
        "units": units,
        "districts": districts,
        "old_wards": old_wards,
        "foreign": foreign_names(legacy, conn),
        "source": "vietnamadminunits 1.0.4 (MIT), https://github.com/tranngocminhhieu/vietnamadminunits",
    }


def foreign_names(legacy: dict[str, Any], conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Return the provinces, districts (as `type|key`) and ward names elsewhere in Vietnam."""
    provinces = {
        key(p["provinceShort"]) for k, p in legacy["DICT_PROVINCE"].items() if k not in OLD_PROVINCES
    }
    provinces |= {
        key(r[0])
        for r in conn.execute(
            "SELECT DISTINCT provinceShort FROM admin_units WHERE provinceKey != ?", (CITY_KEY,)
        )
    }
    districts = set()
    for province_key, by_key in legacy["DICT_PROVINCE_DISTRICT"].items():
        if province_key in OLD_PROVINCES:
            continue
        for district in by_key.values():
            districts.add(f"{TYPES[district['districtType']]}|{key(district['districtShort'])}")
    wards = {
        r[0]
        for r in conn.execute(
            "SELECT wardShortKey FROM admin_units_legacy WHERE provinceCode NOT IN (?, ?, ?) "
            "UNION SELECT wardShortKey FROM admin_units WHERE provinceKey != ?",
            (*OLD_PROVINCES.values(), CITY_KEY),
        )
        if r[0] and not r[0].isdigit()
    }
    return {"provinces": sorted(provinces), "districts": sorted(districts), "wards": sorted(wards)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    gazetteer = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(gazetteer, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(
        f"Wrote {args.out}: {len(gazetteer['units'])} units, {len(gazetteer['districts'])} districts, "
        f"{len(gazetteer['old_wards'])} old wards"
    )


if __name__ == "__main__":
    main()
