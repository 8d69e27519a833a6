"""Fast lexical terms for clustering and topics: folded syllable unigrams and bigrams, English words."""

from __future__ import annotations

import itertools
import re
import unicodedata

from civicpulse.understand import stopwords
from civicpulse.understand.text import fold

# Letters and digits only; URLs and mentions are removed first so they do not leak fragments.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\S+@\S+\.\w+")
_VI_LANGS = frozenset({"vi", ""})


def words(text: str) -> list[str]:
    """Return the lower-case NFC words of `text`, with URLs, mentions and hashtags removed."""
    text = unicodedata.normalize("NFC", text).lower()
    return _WORD.findall(_NOISE.sub(" ", text))


def terms(text: str, lang: str) -> list[str]:
    """Return lexical terms: Vietnamese folded syllables and `a_b` bigrams, else words without stop words.

    Vietnamese (and unknown-language) text gives folded syllable unigrams plus bigrams of adjacent
    non-stop syllables, since most Vietnamese words are two syllables; English and other languages give
    lower-case words without English stop words. Pass `Enrichment.analysis_text` when there is one.
    """
    text = unicodedata.normalize("NFC", text).lower()
    if "http" in text or "www" in text or "@" in text or "#" in text:
        text = _NOISE.sub(" ", text)
    tokens = _WORD.findall(text)
    if lang in _VI_LANGS:
        return _vietnamese_terms(tokens, _WORD.findall(fold(text)))
    english = stopwords.ENGLISH
    return [t for t in tokens if t not in english and (len(t) > 1 or t.isdigit())]


def _vietnamese_terms(tokens: list[str], folded: list[str]) -> list[str]:
    """Return unigrams then bigrams; a stop word drops out and breaks the bigram chain."""
    if len(folded) != len(tokens):  # a stray combining mark split a word; fold word by word instead
        folded = [fold(t) for t in tokens]
    stop, stop_folded = stopwords.VIETNAMESE, stopwords.VIETNAMESE_FOLDED
    pairs = zip(tokens, folded, strict=True)
    kept = [None if t in stop or (f in stop_folded and t == f) else f for t, f in pairs]
    unigrams = [t for t in kept if t is not None]
    bigrams = [f"{a}_{b}" for a, b in itertools.pairwise(kept) if a is not None and b is not None]
    return unigrams + bigrams
