"""Vietnamese analysis text: one tone-mark convention, teencode and abbreviations expanded, features out.

The original text is never changed; `analyse` returns a separate `analysis_text` for matching and terms.
Tone marks follow the "old style" (`hòa`, `thủy`, `khỏe`) used by 98-99% of the Dân Trí and Baomoi
articles under ../shared/data (see docs/decisions/0012-vietnamese-normalisation.md).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import overload

from civicpulse.understand.text import normalise

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Open rhymes oa/oe/uy after a consonant-only onset are the only syllables whose tone placement differs.
_OPEN_RHYME = re.compile(r"([bcdđghklmnprstvx]*)(oa|oe|uy)")
# Only words ending in o/u + a toned a, e or y can be new-style (`hoà`, `thuỷ`); the rest are skipped fast.
_NEW_STYLE = re.compile(r"\b[^\W\d_]{0,3}[oOuU][àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ]\b")

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
MENTION = re.compile(r"(?<![\w@])@[\w.]{2,60}\w")
HASHTAG = re.compile(r"(?<![\w#&])#(\w{2,100})")
# A cheap candidate scan (a digit run with separators), then a strict check of the digits.
_PHONE_CANDIDATE = re.compile(r"\+?\d[\d .-]{6,14}\d")
_PHONE = re.compile(r"(?:\+?84|0)[35789]\d{8}|(?:\+?84|0)2\d{9}|1[89]00\d{4,6}")
EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff"
    "\U0001f700-\U0001faff\u2600-\u27bf\u2b00-\u2bff]"
    "(?:[\ufe0f\U0001f3fb-\U0001f3ff]|\u200d[\U0001f300-\U0001faff\u2600-\u27bf])*"
)
EMOTICON = re.compile(r"[:;=<^](?:-?[()DPpv/\\|*]+|3|\^)(?!\S)")
_EMOJI_START = "\u2600"  # every emoji range starts at or above this; Vietnamese letters are all below

# Whole-token abbreviations and teencode seen in Vietnamese social media and headlines (lower-case keys).
ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("k", "ko", "kh", "khg", "kg", "hok", "hông", "hk", "hem", "khum"), "không"),
    **dict.fromkeys(("dc", "đc", "dk", "đk", "dx", "đx"), "được"),
    **dict.fromkeys(("ng", "ngta"), "người"),
    **dict.fromkeys(("mn", "mng", "mọi ng"), "mọi người"),
    **dict.fromkeys(("mk", "mik", "mh"), "mình"),
    **dict.fromkeys(("bít", "bik", "bjk", "bjt"), "biết"),
    **dict.fromkeys(("j", "ji"), "gì"),
    **dict.fromkeys(("tphcm", "tp.hcm", "tp hcm", "tp.hồ chí minh"), "thành phố Hồ Chí Minh"),
    "ns": "nói",
    "vs": "với",
    "r": "rồi",
    "cx": "cũng",
    "trc": "trước",
    "ntn": "như thế nào",
    "bh": "bây giờ",
    "tp": "thành phố",
    "hcm": "Hồ Chí Minh",
    "sg": "Sài Gòn",
    "hn": "Hà Nội",
    "bv": "bệnh viện",
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "csgt": "cảnh sát giao thông",
    "cand": "công an nhân dân",
    "pccc": "phòng cháy chữa cháy",
    "tngt": "tai nạn giao thông",
    "atgt": "an toàn giao thông",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "sđt": "số điện thoại",
    "sdt": "số điện thoại",
    "đt": "điện thoại",
    "hs": "học sinh",
    "sv": "sinh viên",
    "gv": "giáo viên",
    "thpt": "trung học phổ thông",
    "thcs": "trung học cơ sở",
    "đh": "đại học",
    "cty": "công ty",
    "kcn": "khu công nghiệp",
    "kdc": "khu dân cư",
    "gplx": "giấy phép lái xe",
    "ctv": "cộng tác viên",
    "cq": "cơ quan",
    "nn": "nhà nước",
    "xh": "xã hội",
}
_LETTERS = re.compile(r"[^\W\d_]+")
# First word of each key -> the keys starting with it, so a text is only searched for what it may contain.
_BY_FIRST_WORD: dict[str, list[str]] = {}
for _key in ABBREVIATIONS:
    _BY_FIRST_WORD.setdefault(_LETTERS.findall(_key)[0], []).append(_key)
# `q1`, `Q.12`, `q 3` -> quận 1; `p5`, `P.Linh Xuân`, `p. 7` -> phường; `tx.`/`tt.` -> thị xã/thị trấn.
_DISTRICT = re.compile(r"(?<!\w)[qQ](?:\.\s?|\s)?(\d{1,2})(?!\d)")
_WARD_NUMBER = re.compile(r"(?<!\w)[pP](?:\.\s?|\s)?(\d{1,2})(?!\d)")
_DOTTED = re.compile(r"(?<!\w)(tp|q|p|tx|tt|h|x)\.\s?(?=[^\W\d_])", re.IGNORECASE)
_DOTTED_NAMES = {"tp": "thành phố", "q": "quận", "p": "phường", "tx": "thị xã", "tt": "thị trấn"}
_DOTTED_NAMES |= {"h": "huyện", "x": "xã"}
_SPACES = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class Analysis:
    """An analysis text and the features taken out of the original."""

    text: str
    features: dict[str, list[str]] = field(default_factory=dict)


def analyse(text: str, *, normalised: bool = False, expand: bool = True) -> Analysis:
    """Return the analysis text of `text` (NFC, tone convention, abbreviations expanded) and its features.

    Pass `normalised=True` for text that already went through `normalise` (an `Item.text`), and
    `expand=False` for text in a language whose words the abbreviations would mangle (Dutch `hem`).
    """
    if not normalised:
        text = normalise(text)
    features = extract_features(text)
    # Each pattern runs only when its marker character is present: most news has none of them.
    if "http" in text or "www." in text:
        text = URL.sub(" ", text)
    if "@" in text:
        text = MENTION.sub(" ", text)
    if "#" in text:
        text = HASHTAG.sub(lambda m: " " + _split_hashtag(m.group(1)) + " ", text)
    if text and max(text) >= _EMOJI_START:
        text = EMOJI.sub(" ", text)
    text = _emoticons(text, " ")
    if expand:
        text = expand_abbreviations(standard_tones(text))
    return Analysis(_SPACES.sub(" ", text).strip(), features)


def extract_features(text: str) -> dict[str, list[str]]:
    """Return URLs, @mentions, #hashtags, emoji and phone numbers found in `text` (only non-empty kinds)."""
    found: dict[str, list[str]] = {}
    if "http" in text or "www." in text:
        found["urls"] = URL.findall(text)
        text = URL.sub(" ", text)
    if "@" in text:
        found["mentions"] = [m.lower() for m in MENTION.findall(text)]
    if "#" in text:
        found["hashtags"] = [h.lower() for h in HASHTAG.findall(text)]
    emoji = EMOJI.findall(text) if text and max(text) >= _EMOJI_START else []
    found["emoji"] = emoji + _emoticons(text)
    found["phones"] = [p for p in map(_phone, _PHONE_CANDIDATE.findall(text)) if p]
    return {kind: values for kind, values in found.items() if values}


@overload
def _emoticons(text: str) -> list[str]: ...
@overload
def _emoticons(text: str, replace: str) -> str: ...
def _emoticons(text: str, replace: str | None = None) -> list[str] | str:
    """Find (or replace) emoticons standing alone: `:(`, `:))`, `<3`, `^^`."""
    spans = [m for m in EMOTICON.finditer(text) if m.start() == 0 or text[m.start() - 1].isspace()]
    if replace is None:
        return [m.group(0) for m in spans]
    for m in reversed(spans):
        text = text[: m.start()] + replace + text[m.end() :]
    return text


def _phone(candidate: str) -> str:
    """Return the digits of a Vietnamese phone or hotline number, or "" if `candidate` is not one."""
    digits = candidate.replace(" ", "").replace(".", "").replace("-", "")
    return digits if _PHONE.fullmatch(digits) else ""


def standard_tones(text: str) -> str:
    """Return `text` with old-style tone placement on open oa/oe/uy syllables: `hoà` -> `hòa`."""
    return _NEW_STYLE.sub(lambda m: _place_tone(m.group(0)), text)


def expand_abbreviations(text: str) -> str:
    """Return `text` with teencode and common abbreviations spelled out (`ko dc` -> `không được`)."""
    # One pass collects the words; each pattern below then runs only if its word occurs at all.
    present = set(_LETTERS.findall(text.lower()))
    if "q" in present:
        text = _DISTRICT.sub(r"quận \1", text)
    if "p" in present:
        text = _WARD_NUMBER.sub(r"phường \1", text)
    if not present.isdisjoint(_DOTTED_NAMES):
        text = _DOTTED.sub(lambda m: _DOTTED_NAMES.get(m.group(1).lower(), m.group(1)) + " ", text)
    keys = frozenset(key for word in present.intersection(_BY_FIRST_WORD) for key in _BY_FIRST_WORD[word])
    if not keys:
        return text
    return _abbreviation_pattern(keys).sub(lambda m: ABBREVIATIONS[m.group(1).lower()], text)


@lru_cache(maxsize=4096)
def _abbreviation_pattern(keys: frozenset[str]) -> re.Pattern[str]:
    """Return a pattern matching any of `keys` as whole tokens, longest first."""
    alternatives = "|".join(sorted(map(re.escape, keys), key=len, reverse=True))
    return re.compile(r"(?<![\w.])(" + alternatives + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=16384)
def _place_tone(word: str) -> str:
    """Move the tone mark of one open oa/oe/uy syllable onto its first vowel; other words pass through."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return word
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    match = _OPEN_RHYME.fullmatch(base.lower())
    if match is None or match.group(1) == "q":
        return word  # `quý`: the u belongs to the onset, so the mark stays on y
    at = len(match.group(1))
    return unicodedata.normalize("NFC", base[: at + 1] + tones[0] + base[at + 1 :])


def _split_hashtag(tag: str) -> str:
    """Return a hashtag's words: `NgapLut` -> `Ngap Lut`; `ngập_lụt` -> `ngập lụt`."""
    out = [tag[0]] if tag else []
    for before, ch in itertools.pairwise(tag):
        out.append(" " + ch if before.islower() and ch.isupper() else ch)
    return "".join(out).replace("_", " ")
