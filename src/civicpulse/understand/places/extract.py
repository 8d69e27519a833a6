"""Place extraction: mentions in a passage resolved, with their context, to the city's unit codes.

The rules are the labelling rules of the places dev set (docs/decisions/0020-places.md): an old ward maps
to the unit(s) it went into; a numbered ward needs its district; a district alone maps to all the units its
wards went into; same-name places elsewhere in Vietnam and names inside institutions are not ours.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

from civicpulse.understand.places.gazetteer import District, Gazetteer, WardEntry, load_gazetteer
from civicpulse.understand.places.mentions import (
    CITY,
    DISTRICT,
    FOREIGN,
    OWN_PROVINCE,
    WARD,
    Mention,
    MentionFinder,
)
from civicpulse.understand.places.scanning import Token, has_diacritics, scan

ATTACHING_GAPS = frozenset(" ,()-–/;:")
LINK_WORDS = frozenset({"thuoc"})
COMPATIBLE_TYPES = {
    "phuong": {"phuong"},
    "xa": {"xa", "thi tran"},
    "thi tran": {"thi tran", "xa"},
    "dac khu": {"dac khu"},
}


@dataclass(frozen=True)
class PlaceMention:
    """One place a passage is about: the words, where they are, and the acceptable unit codes."""

    text: str
    start: int
    end: int
    codes: tuple[str, ...]
    level: str

    @property
    def joined(self) -> str:
        """Return the codes as one `Enrichment.units` entry: alternatives joined by `|`."""
        return "|".join(self.codes)


class PlaceExtractor:
    """Finds the places of the city a passage is about; one instance per city, safe to share."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or load_gazetteer()
        self._finder = MentionFinder(self.gazetteer)

    def extract(self, text: str) -> list[PlaceMention]:
        """Return the places `text` is about, in order of first mention; spans index the NFC text."""
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        tokens = scan(text)
        if not tokens:
            return []
        accented = has_diacritics(text)
        cased = text != text.lower()
        mentions = self._finder.find(tokens, accented, cased, text)
        if not mentions:
            return []
        _link(tokens, mentions)
        return _Resolver(self.gazetteer, text, tokens, mentions, accented).places()

    def codes(self, text: str) -> list[tuple[str, ...]]:
        """Return each place's acceptable codes (the eval's list-of-lists)."""
        return [m.codes for m in self.extract(text)]


def _link(tokens: list[Token], mentions: list[Mention]) -> None:
    """Attach to each mention the ones that directly follow it ("phường X, quận Y, TP.HCM")."""
    for here, after in itertools.pairwise(mentions):
        if after.listed or here.kind not in (WARD, DISTRICT):
            continue
        between = tokens[here.last + 1 : after.first]
        if any(t.key not in LINK_WORDS for t in between):
            continue
        if all(set(t.gap) <= ATTACHING_GAPS for t in [*between, tokens[after.first]]):
            here.attached.append(after)
            here.attached.extend(after.attached)


class _Resolver:
    """Resolves one passage's mentions with what the passage says around them."""

    def __init__(
        self, g: Gazetteer, text: str, tokens: list[Token], mentions: list[Mention], accented: bool
    ) -> None:
        self.g, self.text, self.tokens, self.mentions, self.accented = g, text, tokens, mentions, accented
        self.foreign = any(m.kind == FOREIGN for m in mentions)
        self.own = any(m.kind in (CITY, OWN_PROVINCE) for m in mentions) or any(
            m.kind == DISTRICT and not m.bare and self._district(m) is not None for m in mentions
        )
        self.consumed: set[int] = set()

    def places(self) -> list[PlaceMention]:
        wards: list[tuple[Mention, tuple[str, ...], str]] = []
        for m in self.mentions:
            if m.kind == WARD:
                resolved = self._ward(m)
                if resolved is not None:
                    wards.append((m, *resolved))
        ward_codes = {code for _, codes, _ in wards for code in codes}
        ward_olds = {code for m, _, level in wards if level == "ward" for code in self._old_codes(m)}
        found: list[tuple[Mention, tuple[str, ...], str]] = list(wards)
        for m in self.mentions:
            if m.kind != DISTRICT or id(m) in self.consumed:
                continue
            district = self._district(m)
            if district is None or not self._district_stands(m, district):
                continue
            if district.wards & ward_olds or (not district.wards and set(district.units) <= ward_codes):
                continue  # the district of a ward already found is not a separate place
            found.append((m, district.units, "district"))
        found.sort(key=lambda f: f[0].first)
        out: list[PlaceMention] = []
        seen: set[tuple[str, ...]] = set()
        for m, place_codes, level in found:
            codes = tuple(sorted(set(place_codes)))
            if codes in seen:
                continue
            seen.add(codes)
            start, end = self.tokens[m.first].start, self.tokens[m.last].end
            out.append(PlaceMention(self.text[start:end], start, end, codes, level))
        return out

    def _old_codes(self, m: Mention) -> set[str]:
        return {w.code for w in m.wards if w.old}

    def _ward(self, m: Mention) -> tuple[tuple[str, ...], str] | None:
        district_m = next((a for a in m.attached if a.kind in (DISTRICT, FOREIGN)), None)
        if any(a.kind == FOREIGN for a in m.attached):
            return None
        entries = self._by_spelling(m)
        if district_m is not None:
            return self._ward_in(m, entries, district_m)
        # A bare "P14" needs its district right after it; "F1" is far more often a COVID contact level than
        # phường 1; a name shared with wards elsewhere needs this city, and no other province, around it.
        shared = m.key in self.g.foreign_wards and (self.foreign or not self.own)
        if m.weak or m.abbreviation == "f" or shared:
            return None
        here = self._passage_districts(m)
        if m.key.isdigit():
            picked = [w for w in entries if w.old and any(w.code in d.wards for d in here)]
            if len({w.units for w in picked}) != 1:
                return None
            m.wards = tuple(picked)
            return picked[0].units, "ward"
        return self._named_ward(m, entries, here)

    def _ward_in(
        self, m: Mention, entries: tuple[WardEntry, ...], district_m: Mention
    ) -> tuple[tuple[str, ...], str] | None:
        """Resolve a ward written with its district; a ward unknown there falls back to the district."""
        district = self._district(district_m)
        if district is None:
            return None
        self.consumed.add(id(district_m))
        in_district = self._in_district(entries, district) or self._in_district(m.wards, district)
        if in_district:
            m.wards = tuple(in_district)
            return _union(in_district), "ward"
        return district.units, "district"

    @staticmethod
    def _in_district(entries: tuple[WardEntry, ...], district: District) -> list[WardEntry]:
        """Return the old wards of `district` among `entries`, else the new units inside it."""
        olds = [w for w in entries if w.old and w.code in district.wards]
        return olds or [w for w in entries if not w.old and w.code in district.units]

    def _named_ward(
        self, m: Mention, entries: tuple[WardEntry, ...], here: list[District]
    ) -> tuple[tuple[str, ...], str] | None:
        typed = [w for w in entries if w.type in COMPATIBLE_TYPES.get(m.type, {m.type})]
        local = [w for w in typed if w.old and any(w.code in d.wards for d in here)]
        if local:
            m.wards = tuple(local)
            return _union(local), "ward"
        olds = [w for w in typed if w.old]
        news = [w for w in typed if not w.old]
        if len({w.units for w in olds}) > 1:
            return None  # an old name shared by several wards needs its district
        if olds and news and not set(olds[0].units) & {w.code for w in news}:
            return _union([*olds, *news]), "ward"  # an old name that is also a new unit elsewhere
        chosen = olds or news
        if not chosen:
            return None
        m.wards = tuple(chosen)
        return _union(chosen), "ward"

    def _by_spelling(self, m: Mention) -> tuple[WardEntry, ...]:
        """Keep the entries spelled as written when accents tell apart names that fold alike."""
        if not self.accented or len(m.wards) < 2 or m.key.isdigit():
            return m.wards
        start, end = self.tokens[m.name_first].start, self.tokens[m.last].end
        written = " ".join(self.text[start:end].lower().split())
        exact = tuple(w for w in m.wards if w.short.lower() == written)
        return exact or m.wards

    def _passage_districts(self, ward: Mention) -> list[District]:
        out = []
        for m in self.mentions:
            if m.kind == DISTRICT and m is not ward:
                district = self._district(m)
                if district is not None and self._district_stands(m, district):
                    out.append(district)
        return out

    def _district(self, m: Mention) -> District | None:
        """Pick which district a district mention means, or None when it is not one of ours."""
        if m.kind != DISTRICT or not m.districts:
            return None
        if m.type and f"{m.type}|{m.key}" in self.g.doubtful:
            return None
        exact = [d for d in m.districts if m.type in d.types]
        pool = exact or list(m.districts)
        return min(pool, key=lambda d: (len(d.units), d.id))

    def _district_stands(self, m: Mention, district: District) -> bool:
        """Return whether a district mention holds in context (not another province's same name)."""
        if any(a.kind == FOREIGN for a in m.attached):
            return False
        if any(a.kind in (CITY, OWN_PROVINCE) for a in m.attached):
            return True
        if m.weak:
            return False
        shared = m.key in self.g.foreign_provinces or m.key in self.g.foreign_district_keys
        if m.bare or m.type not in district.types:
            if shared:
                return self.own and not self.foreign
            return self.own or not self.foreign
        return True


def _union(entries: list[WardEntry]) -> tuple[str, ...]:
    return tuple(sorted({code for w in entries for code in w.units}))
