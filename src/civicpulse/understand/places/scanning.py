"""Tokens for place matching: folded keys with their spans in the original text, glued words split."""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import NamedTuple


def _fold_table() -> dict[int, str]:
    # One character in, one character out, so token spans in the folded text are spans in the original.
    # Unchanged characters map to themselves: a character missing from the table costs `str.translate` a
    # KeyError, which doubled the time of folding Vietnamese text.
    table: dict[int, str] = {code: chr(code) for code in range(0x2100)}
    for code in range(0xC0, 0x2000):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", ch.lower()) if unicodedata.category(c) != "Mn")
        if len(base) == 1 and base != ch:
            table[code] = base
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


FOLD = _fold_table()
_WORD = re.compile(r"[^\W_]+")
# Glued words seen in scraped news: "huyệnNhà Bèvà huyệnCần Giờ", "vàquận", "P14", "Q.3".
_GLUED_TYPES = ("quận", "huyện", "phường", "xã", "thị", "thành", "tỉnh")
_LETTERS_DIGITS = re.compile(r"^([a-z]+)([0-9]+)$")
# The same glue once diacritics are gone: no Vietnamese syllable is "quantan", "vaquan" or "beva".
_GLUED_PREFIX = re.compile(r"(?:va(?=quan|huyen|phuong)|(?:quan|huyen|phuong)(?!g?$|h$))")


class Token(NamedTuple):
    """One word: its folded key, where it is, how it is written and what precedes it."""

    key: str
    start: int
    end: int
    raw: str
    gap: str


def has_diacritics(text: str) -> bool:
    """Return whether `text` carries Vietnamese diacritics (else spellings are read folded)."""
    if text.isascii():
        return False
    return any(ord(ch) > 0x7F and ch.isalpha() for ch in text)


def scan(text: str) -> list[Token]:
    """Split `text` (NFC) into tokens with folded keys; numbers lose leading zeros."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    folded = text.translate(FOLD)
    tokens: list[Token] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        key = folded[start:end]
        word = match.group()
        # Most words need no splitting; test cheaply before looking for glue.
        if not (len(key) > 3 and (key[0] in "vqhp" or key[-2:] == "va")) and word[1:].lower() == word[1:]:
            gap = text[previous_end:start]
            if key.isdecimal() and key.isascii():
                if len(key) < 6:
                    key = str(int(key))
            elif "0" <= key[-1] <= "9":
                split = _LETTERS_DIGITS.match(key)
                if split and len(split.group(1)) <= 6:
                    cut = start + len(split.group(1))
                    tokens.append(Token(split.group(1), start, cut, text[start:cut], gap))
                    tokens.append(Token(str(int(split.group(2))), cut, end, text[cut:end], ""))
                    previous_end = end
                    continue
            tokens.append(Token(key, start, end, word, gap))
            previous_end = end
            continue
        for start, end in _pieces(text, folded, match.start(), match.end()):
            key = folded[start:end]
            gap = text[previous_end:start]
            split = _LETTERS_DIGITS.match(key)
            if split and len(split.group(1)) <= 6:
                cut = start + len(split.group(1))
                tokens.append(Token(split.group(1), start, cut, text[start:cut], gap))
                tokens.append(Token(str(int(split.group(2))), cut, end, text[cut:end], ""))
            else:
                if key.isdecimal() and key.isascii() and len(key) < 6:
                    key = str(int(key))
                tokens.append(Token(key, start, end, text[start:end], gap))
            previous_end = end
    return tokens


def _pieces(text: str, folded: str, start: int, end: int) -> list[tuple[int, int]]:
    word = text[start:end]
    lowered = word.lower()
    cuts: set[int] = set()
    key = folded[start:end]
    offset = 0
    while len(key) - offset > 4 and key[offset] in "vqhp":
        glued = _GLUED_PREFIX.match(key, offset)
        if not glued:
            break
        offset = glued.end()
        cuts.add(offset)
    if len(key) >= 4 and key.endswith("va") and key.isalpha():
        cuts.add(len(key) - 2)
    if lowered != word[0].lower() + word[1:]:
        cuts = {i for i in range(1, len(word)) if word[i].isupper() and word[i - 1].islower()}
    if "và" in lowered and lowered != "và":
        if lowered.endswith("và") and word[-3].isalpha():
            cuts.add(len(word) - 2)
        if lowered.startswith("và") and lowered[2:].startswith(_GLUED_TYPES):
            cuts.add(2)
    if not cuts:
        return [(start, end)]
    bounds = [0, *sorted(cuts), len(word)]
    return [(start + a, start + b) for a, b in itertools.pairwise(bounds) if b > a]
