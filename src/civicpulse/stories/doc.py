"""The clusterer's input: a small frozen document, independent of `Item` so eval and bench can build it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    """One item as the clusterer sees it: terms, time (epoch seconds) and hints."""

    id: str
    terms: Sequence[str]
    time: float
    source: str = ""
    lang: str = ""
    title: str = ""
    platform: str = ""
    vector: Sequence[float] | None = None
    dup_of: str | None = None
    text: str = ""
    """What the embedding tier embeds (title and lead); empty keeps the document lexical."""
    surface: Mapping[str, str] | None = None
    """Accented form of folded terms (`tokens.terms_surface`), so key phrases keep their diacritics."""
