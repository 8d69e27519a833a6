"""Finding candidate place mentions in tokens: type words, names, lists; resolution happens later."""

from __future__ import annotations

from dataclasses import dataclass, field

from civicpulse.understand.places.gazetteer import District, Gazetteer, WardEntry
from civicpulse.understand.places.scanning import Token

WARD, DISTRICT, PROVINCE = "ward", "district", "province"
CITY, OWN_PROVINCE, FOREIGN = "city", "own_province", "foreign"

# Type words, folded, with their written form (checked when the text carries diacritics: "phương án" and
# "cơ quan" must not read as "phường"/"quận").
TYPE_WORDS: dict[tuple[str, ...], tuple[str, str, str]] = {
    ("phuong",): (WARD, "phuong", "phường"),
    ("xa",): (WARD, "xa", "xã"),
    ("thi", "tran"): (WARD, "thi tran", "thị trấn"),
    ("dac", "khu"): (WARD, "dac khu", "đặc khu"),
    ("ward",): (WARD, "phuong", "ward"),
    ("quan",): (DISTRICT, "quan", "quận"),
    ("huyen",): (DISTRICT, "huyen", "huyện"),
    ("thi", "xa"): (DISTRICT, "thi xa", "thị xã"),
    ("thanh", "pho"): (DISTRICT, "thanh pho", "thành phố"),
    ("district",): (DISTRICT, "quan", "district"),
    ("tinh",): (PROVINCE, "tinh", "tỉnh"),
}
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "p": (WARD, "phuong"),
    "f": (WARD, "phuong"),
    "x": (WARD, "xa"),
    "tt": (WARD, "thi tran"),
    "q": (DISTRICT, "quan"),
    "h": (DISTRICT, "huyen"),
    "tx": (DISTRICT, "thi xa"),
    "tp": (DISTRICT, "thanh pho"),
}
# Without diacritics "phuong", "quan", "xa" are everyday words; these neighbours give that reading away.
FOLDED_FALSE_FRIENDS = frozenset(
    {"dia", "co", "lien", "song", "don", "da", "tu", "huong", "chinh", "bon", "tuong"}
)
LIST_JOINERS = frozenset({"va", "&"})
NUMBERED = frozenset({"phuong", "quan"})
MAX_NAME_TOKENS = 7


@dataclass
class Mention:
    """A candidate mention: what was written, where, and what it may refer to."""

    kind: str
    first: int
    last: int
    key: str = ""
    type: str = ""
    abbreviation: str = ""
    bare: bool = False
    listed: bool = False
    weak: bool = False
    wards: tuple[WardEntry, ...] = ()
    districts: tuple[District, ...] = ()
    name_first: int = 0
    attached: list[Mention] = field(default_factory=list)


class MentionFinder:
    """Walks the tokens once, reading type words and the longest known name after them."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.g = gazetteer
        self.first_keys = frozenset(k[0] for k in TYPE_WORDS) | frozenset(ABBREVIATIONS)
        g = gazetteer
        names = [*g.ward_names, *g.district_names, *g.city_names, *g.own_provinces, *g.foreign_provinces]
        names += list(g.foreign_district_keys)
        # Names read without a type word; on a tie the city and provinces win over a district's name.
        self.bare_names: dict[str, str] = dict.fromkeys(g.bare_districts, DISTRICT)
        for keys, kind in (
            (g.foreign_provinces, FOREIGN),
            (g.own_provinces, OWN_PROVINCE),
            (g.city_names, CITY),
        ):
            self.bare_names.update(dict.fromkeys(keys, kind))
        # Every prefix of every name: the matcher stops as soon as the joined tokens leave this set.
        self.prefixes = frozenset(name[:i] for name in names for i in range(1, len(name) + 1))

    def find(self, tokens: list[Token], accented: bool, cased: bool, text: str = "") -> list[Mention]:
        """Return the candidate mentions in text order."""
        out: list[Mention] = []
        i, n = 0, len(tokens)
        while i < n:
            found = self._typed(tokens, i, accented) if tokens[i].key in self.first_keys else None
            if found is None:
                found = self._bare(tokens, i, cased, out[-1].last + 1 if out else 0)
                if (
                    found is not None
                    and accented
                    and found.kind == DISTRICT
                    and not _spelled(text, tokens, found)
                ):
                    found = None
            if found is None:
                i += 1
                continue
            out.append(found)
            i = found.last + 1
            if found.kind in (WARD, DISTRICT) and not found.bare:
                listed = self._list(tokens, found)
                out.extend(listed)
                if listed:
                    i = listed[-1].last + 1
        return out

    def _typed(self, tokens: list[Token], i: int, accented: bool) -> Mention | None:
        kind_type = self._type_word(tokens, i, accented)
        if kind_type is None:
            return None
        kind, wtype, width, abbreviation = kind_type
        j = i + width
        if (
            j >= len(tokens)
            or tokens[j].gap.strip(" .")
            or (tokens[j].key.isdigit() and wtype not in NUMBERED)
        ):
            return None  # the name follows its type word; only phường and quận are numbered ("H6" is a car)
        # "Q1", "P14" without a dot are quartiles and models as often as addresses: they must sit in one.
        weak = bool(abbreviation) and tokens[j].key.isdigit() and not tokens[j].gap
        found = self._typed_name(tokens, i, j, kind=kind, wtype=wtype, abbreviation=abbreviation)
        if found is not None:
            found.weak = weak
        return found

    def _typed_name(
        self, tokens: list[Token], i: int, j: int, *, kind: str, wtype: str, abbreviation: str
    ) -> Mention | None:
        if kind == WARD:
            key, size = self.name(tokens, j, self.g.ward_names)
            if not key:
                return None
            return Mention(
                WARD, i, j + size - 1, key, wtype, abbreviation, wards=self.g.ward_names[key], name_first=j
            )
        if kind == DISTRICT and abbreviation == "q" and _is_quarter(tokens, j):
            return None
        return self._district_or_province(tokens, i, j, kind=kind, wtype=wtype, abbreviation=abbreviation)

    def _district_or_province(
        self, tokens: list[Token], i: int, j: int, *, kind: str, wtype: str, abbreviation: str
    ) -> Mention | None:
        g = self.g
        best: Mention | None = None
        if kind == DISTRICT:
            key, size = self.name(tokens, j, g.district_names)
            if key:
                best = Mention(
                    DISTRICT, i, j + size - 1, key, wtype, abbreviation, districts=g.district_names[key]
                )
        for names, mkind in (
            (g.city_names, CITY),
            (g.own_provinces, OWN_PROVINCE),
            (g.foreign_provinces, FOREIGN),
        ):
            key, size = self.name(tokens, j, names)
            if key and (best is None or j + size - 1 > best.last):
                best = Mention(mkind, i, j + size - 1, key, wtype, abbreviation)
        if kind == DISTRICT and (best is None or best.kind == DISTRICT):
            key, size = self.name(tokens, j, _TypedKeys(g.foreign_districts, wtype))
            if key and (best is None or j + size - 1 > best.last or not _exact(best, wtype)):
                best = Mention(FOREIGN, i, j + size - 1, key, wtype, abbreviation)
        if best is not None:
            best.name_first = j
        return best

    def _bare(self, tokens: list[Token], i: int, cased: bool, floor: int) -> Mention | None:
        token = tokens[i]
        if token.key not in self.prefixes or (cased and not token.raw[:1].isupper()) or token.key.isdigit():
            return None
        key, size = self.name(tokens, i, self.bare_names)
        if not key:
            return None
        kind = self.bare_names[key]
        mention = Mention(kind, i, i + size - 1, key, bare=True, name_first=i)
        if kind == DISTRICT:
            mention.districts = self.g.district_names[key]
        return None if _inside_a_name(tokens, mention, cased, floor) else mention

    def _list(self, tokens: list[Token], head: Mention) -> list[Mention]:
        """Read "các quận Tân Bình, Hóc Môn" and "phường 1, 2 và 7": the type word carries over."""
        out: list[Mention] = []
        last = head.last
        while last + 1 < len(tokens):
            j = last + 1
            if tokens[j].key in LIST_JOINERS:
                j += 1
            elif tokens[j].gap.strip() not in (",", ";"):
                break
            if j >= len(tokens):
                break
            numbered = head.key.isdigit()
            index = self.g.ward_names if head.kind == WARD else self.g.district_names
            key, size = self.name(tokens, j, index)
            if not key or key.isdigit() != numbered or (numbered and not _ends_phrase(tokens, j + size)):
                break
            mention = Mention(
                head.kind,
                j,
                j + size - 1,
                key,
                head.type,
                head.abbreviation,
                listed=True,
                weak=head.weak,
                name_first=j,
            )
            if head.kind == WARD:
                mention.wards = self.g.ward_names[key]
            else:
                mention.districts = self.g.district_names[key]
            out.append(mention)
            last = mention.last
        return out

    def _type_word(self, tokens: list[Token], i: int, accented: bool) -> tuple[str, str, int, str] | None:
        token = tokens[i]
        for words, (kind, wtype, written) in TYPE_WORDS.items():
            width = len(words)
            if tuple(t.key for t in tokens[i : i + width]) != words:
                continue
            raw = " ".join(t.raw.lower() for t in tokens[i : i + width])
            if accented and raw != written:
                continue
            if not accented and i > 0 and tokens[i - 1].key in FOLDED_FALSE_FRIENDS:
                continue
            return kind, wtype, width, ""
        abbreviation = ABBREVIATIONS.get(token.key)
        if abbreviation is None or i + 1 >= len(tokens):
            return None
        after = tokens[i + 1].gap
        if i and not token.gap:
            return None  # glued to the word before: "MediQ7", "HavalH6"
        # "P.14", "Q3", "TP.HCM", "Q. Bình Thạnh", and capitalised "P 14"; never a lone lower-case letter.
        if after in ("", ".", ". ") or (after == " " and (token.raw.isupper() or token.key == "tp")):
            return abbreviation[0], abbreviation[1], 1, token.key
        return None

    def name(self, tokens: list[Token], j: int, index: object) -> tuple[str, int]:
        """Return the longest key of `index` spelled by tokens from `j` (joined without spaces)."""
        best, size, key = "", 0, ""
        for n in range(MAX_NAME_TOKENS):
            if j + n >= len(tokens):
                break
            token = tokens[j + n]
            if n and token.gap.strip(" -–") != "":
                break
            key += token.key
            if key not in self.prefixes:
                break
            if key in index:  # type: ignore[operator]
                best, size = key, n + 1
        return best, size


class _TypedKeys:
    """Looks up `type|key` in a set of typed keys, as the name matcher looks up plain keys."""

    def __init__(self, keys: frozenset[str], wtype: str) -> None:
        self.keys = keys
        self.prefix = wtype + "|"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.prefix + key in self.keys


def _spelled(text: str, tokens: list[Token], mention: Mention) -> bool:
    """Return whether a bare name is written with the district's accents ("Bỉnh Thành" is a person)."""
    written = " ".join(text[tokens[mention.first].start : tokens[mention.last].end].lower().split())
    return any(d.short.lower() == written for d in mention.districts)


def _exact(mention: Mention, wtype: str) -> bool:
    return any(wtype in d.types for d in mention.districts)


def _is_quarter(tokens: list[Token], j: int) -> bool:
    """Return whether "Q1" is a quarter ("Q1/2021", "Q1-2020", "Q1 2020"), not quận 1."""
    if j + 1 >= len(tokens) or not tokens[j].key.isdigit():
        return False
    after = tokens[j + 1]
    return after.key.isdigit() and (after.gap in ("/", "-", " ") and len(after.key) == 4)


def _ends_phrase(tokens: list[Token], j: int) -> bool:
    if j >= len(tokens):
        return True
    token = tokens[j]
    return token.gap.strip() != "" or token.key in LIST_JOINERS or token.key in ("quan", "q", "huyen")


INSTITUTIONS = frozenset(
    {
        "vien",  # bệnh viện, viện, công viên
        "bv",
        "truong",
        "cho",
        "cau",
        "duong",
        "kenh",
        "rach",
        "song",
        "ho",  # hồ Dầu Tiếng is a lake
        "vuon",  # vườn quốc gia
        "bien",  # bãi biển Thuận An is in Huế
        "kcn",
        "kcx",
        "xe",  # bến xe
        "ty",  # công ty
        "hang",  # ngân hàng
        "cang",
        "bay",  # sân bay
        "ga",
        "chua",
        "tho",  # nhà thờ
        "clb",
        "fc",
        "thcs",
        "thpt",
        "hoc",  # đại học, trường học
        "tam",  # trung tâm
        "may",  # nhà máy
        "thi",  # siêu thị
        "bao",  # báo
        "dai",  # đài
        "lo",  # quốc lộ, tỉnh lộ
        "hem",
        "ngo",
        "nghiep",  # khu công nghiệp
        "becamex",
        "nuoc",  # cấp nước
        "doan",
        "hoi",
    }
)


PREPOSITIONS = frozenset(
    {
        "o",
        "tai",
        "thuoc",
        "cua",
        "va",
        "den",
        "tu",
        "ve",
        "qua",
        "khu",
        "vuc",
        "dia",
        "ban",
        "la",
        "co",
        "voi",
    }
)


def _inside_a_name(tokens: list[Token], mention: Mention, cased: bool, floor: int) -> bool:
    """Return whether a bare name is part of an institution, street or brand ("đường Phú Lợi")."""
    if mention.kind != DISTRICT:
        before = tokens[mention.first - 1] if mention.first else None
        return before is not None and before.key in ("ngan", "hang", "bao", "dai") and before.gap != "."
    # Look back through the same phrase ("Bệnh viện dã chiến Củ Chi") but stop at a preposition ("ở").
    k = mention.first
    while k > max(floor, mention.first - 6) and tokens[k].gap.strip(" -") == "":
        k -= 1
        if tokens[k].key in PREPOSITIONS:
            break
        if tokens[k].key in INSTITUTIONS:
            return True
    after = mention.last + 1
    if cased and after < len(tokens):
        nxt = tokens[after]
        if nxt.gap.strip() == "" and nxt.raw[:1].isupper() and not nxt.key.isdigit():
            return True
    return False
