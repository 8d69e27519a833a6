"""Text normalisation shared by every stage: NFC, clean whitespace, and a diacritic-free search key.

This module imports only the standard library, so the store may use `fold` to build search keys.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss"})


def normalise(text: str) -> str:
    """Return `text` in NFC with control characters removed and whitespace tidied."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    """Return a lower-case, diacritic-free key: `Ngập ở Thủ Đức` -> `ngap o thu duc`."""
    folded = text.lower().translate(_fold_table())
    if not unicodedata.is_normalized("NFD", folded):
        # Letters outside the table (Greek, Cyrillic with marks...) take the general path.
        folded = _strip_marks(folded)
    return _SPACES.sub(" ", folded.replace("\n", " ")).strip()


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@cache
def _fold_table() -> dict[int, str | None]:
    """Map every Latin letter with marks, and every combining mark, to what `fold` makes of it.

    Other characters below U+2100 map to themselves: a character missing from the table costs
    `str.translate` a KeyError, which made folding Vietnamese text about twice as slow.
    """
    marks = (*range(0x300, 0x370), *range(0x20D0, 0x2100), *range(0xFE00, 0xFE10), *range(0xFE20, 0xFE30))
    table: dict[int, str | None] = {code: chr(code) for code in range(0x2100)}
    table.update(dict.fromkeys(marks))
    for start, end in ((0xC0, 0x250), (0x1E00, 0x1F00)):
        for code in range(start, end):
            folded = _strip_marks(chr(code).lower())
            if folded != chr(code).lower():
                table[code] = folded
    return table
