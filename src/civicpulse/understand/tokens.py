"""Fast lexical terms for clustering and topics: folded syllable unigrams and bigrams, English words."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache

from civicpulse.understand import stopwords
from civicpulse.understand.text import fold

# Letters and digits only; URLs and mentions are removed first so they do not leak fragments.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\S+@\S+\.\w+")
_VI_LANGS = frozenset({"vi", ""})
_UNSPACED = frozenset({"th", "lo", "km", "my"})
"""Written without spaces between words: split at their vowel signs, as before, until they are segmented."""
LEAD_WORDS = 200
"""Words of an article's title and lead that its terms come from (KTLAB B-cubed .943 against .942 whole)."""


def lead(text: str, max_words: int) -> str:
    """Return the first `max_words` whitespace-separated words of `text` (all of it when shorter).

    Terms and near-duplicates of a long article are taken from its title and lead: the first few hundred
    words decide the story, and the rest costs time in every stage (docs/decisions/0014-embeddings.md).
    """
    if max_words <= 0 or len(text) < max_words * 4:
        return text
    parts = text.split(maxsplit=max_words)
    return text if len(parts) <= max_words else " ".join(parts[:max_words])


def words(text: str) -> list[str]:
    """Return the lower-case NFC words of `text`, with URLs, mentions and hashtags removed."""
    text = unicodedata.normalize("NFC", text).lower()
    return _WORD.findall(_NOISE.sub(" ", text))


def terms(text: str, lang: str) -> list[str]:
    return terms_surface(text, lang)[0]


def terms_surface(text: str, lang: str, *, surface: bool = False) -> tuple[list[str], dict[str, str]]:
    """Return lexical terms: Vietnamese folded syllables and `a_b` bigrams, else words without stop words.

    Vietnamese (and unknown-language) text gives folded syllable unigrams plus bigrams of adjacent
    non-stop syllables, since most Vietnamese words are two syllables; English and other languages give
    lower-case words without English stop words. Pass `Enrichment.analysis_text` when there is one.
    With `surface`, also return the accented form of each folded Vietnamese term that has one (key phrases
    are shown in it).
    """
    text = unicodedata.normalize("NFC", text).lower()
    if "http" in text or "www" in text or "@" in text or "#" in text:
        text = _NOISE.sub(" ", text)
    tokens = _WORD.findall(text)
    if lang in _VI_LANGS:
        return _vietnamese_terms(tokens, _WORD.findall(fold(text)), surface)
    if lang not in _UNSPACED and not text.isascii():
        # Devanagari or Arabic vowel signs are combining marks, not letters: keep them inside words.
        tokens = _marked_word().findall(text)
    english = stopwords.ENGLISH
    return [t for t in tokens if t not in english and (len(t) > 1 or t.isdigit())], {}


@cache
def _marked_word() -> re.Pattern[str]:
    """Return a pattern for words whose letters may carry combining marks (`मुंबई`, not `बई`)."""
    # Vowel signs and diacritics (Mn, Mc); not enclosing marks or emoji variation selectors (`1️⃣`).
    kept = (chr(c) for c in range(0x300, 0xFE00) if unicodedata.category(chr(c)) in {"Mn", "Mc"})
    marks = "".join(kept)
    return re.compile(f"[^\\W_](?:[^\\W_]|[{re.escape(marks)}])*")


def _vietnamese_terms(
    tokens: list[str], folded: list[str], surface: bool
) -> tuple[list[str], dict[str, str]]:
    """Return unigrams then bigrams; a stop word drops out and breaks the bigram chain."""
    if len(folded) != len(tokens):  # a stray combining mark split a word; fold word by word instead
        folded = [fold(t) for t in tokens]
    stop, stop_folded = stopwords.VIETNAMESE, stopwords.VIETNAMESE_FOLDED
    pairs = zip(tokens, folded, strict=True)
    kept = [None if t in stop or (f in stop_folded and t == f) else f for t, f in pairs]
    unigrams = [t for t in kept if t is not None]
    bigrams = [f"{a}_{b}" for a, b in itertools.pairwise(kept) if a is not None and b is not None]
    forms: dict[str, str] = {}
    if surface:
        # Each word with the next one (the last with none): a unigram's form, then its bigram's.
        nexts = zip(tokens, kept, [*tokens[1:], ""], [*kept[1:], None], strict=False)
        for token, key, token_after, after in nexts:
            if key is None:
                continue
            if token != key:
                forms.setdefault(key, token)
            if after is not None and (token != key or token_after != after):
                forms.setdefault(f"{key}_{after}", f"{token} {token_after}")
    return unigrams + bigrams, forms
