"""Language identification: fastText lid.176 restricted to the platform's languages, plus a Vietnamese
syllable check for diacritic-free text, which every detector misreads, and any other of its 176 languages
when fastText is confident of it (docs/decisions/0011-language-id.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from civicpulse.understand.text import fold
from civicpulse.understand.vietnamese import ABBREVIATIONS

# Vietnam's own language, English, and the languages of its neighbours and largest visitor groups.
PLATFORM_LANGUAGES: tuple[str, ...] = ("vi", "en", "zh", "th", "km", "lo", "id", "ms", "tl", "ko", "ja", "fr")
UNDETERMINED = ""
_LABEL = "__label__"

# A folded Vietnamese syllable: optional onset, one to three vowels, optional coda.
SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|nh|ng|[cmnpt])?"
)
_LETTERS = re.compile(r"[^\W\d_]+")
# Letters only Vietnamese writes: ơ, ư and the precomposed vowels with tone marks in U+1EA0-U+1EF9.
_VIETNAMESE_LETTER = re.compile(r"[ơưƠƯ\u1ea0-\u1ef9]")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
# Letters of the scripts the platform's languages write: Latin, Thai, Lao, Khmer, Hangul, kana and Han.
_PLATFORM_SCRIPT = re.compile(
    r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0e00-\u0eff\u1780-\u17ff\u1100-\u11ff"
    r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


@dataclass(frozen=True)
class LanguageOptions:
    """How the identifier decides."""

    languages: Sequence[str] = PLATFORM_LANGUAGES
    """The platform's languages: the most likely of them wins, unless fastText is confident of another."""
    other_threshold: float | None = 0.7
    """Return a language outside `languages` when fastText gives it at least this probability (of all 176
    languages) and the text is not Vietnamese; None returns only `languages`."""
    other_min_words: int = 3
    """... and the text has at least this many words (one or two words are too few to be sure). A text
    with no letter of the platform's scripts (Cyrillic, Arabic, Devanagari...) gets fastText's most likely
    language whatever its probability and length."""
    fallback: bool = True
    """Check diacritic-free text for Vietnamese syllables when fastText is not sure."""
    max_chars: int = 1000
    """Only the start of a long text is read; a thousand characters settle the language."""
    letter_share: float = 0.2
    """Share of words with a letter only Vietnamese writes (`ơ`, `ư`, `ạ`...) that makes a text Vietnamese."""
    syllable_share: float = 0.6
    """Share of words that must be folded Vietnamese syllables to call diacritic-free text Vietnamese."""
    distinct_share: float = 0.2
    """... of which this share must not also be common English words (`an`, `can`, `the`)."""


class LanguageIdentifier:
    """Identifies the language of a text: `identify("toi dang o nha")` -> `("vi", 0.9)`."""

    def __init__(self, options: LanguageOptions | None = None, model_path: Path | None = None) -> None:
        self.options = options or LanguageOptions()
        self._model = _load_model(str(model_path or _packaged("lid.176.ftz")))
        self._labels = {f"{_LABEL}{lang}": lang for lang in self.options.languages}
        self._syllables = vietnamese_syllables()

    def identify(self, text: str) -> tuple[str, float]:
        """Return the language code and a score in [0, 1]; `("", 0.0)` when the text has no letters."""
        text = _NOISE.sub(" ", text[: self.options.max_chars])
        tokens = _LETTERS.findall(text)
        if not tokens:
            return UNDETERMINED, 0.0
        pairs = self._predict(text)
        lang, prob = self._restricted(pairs)
        foreign = not any(_PLATFORM_SCRIPT.search(t) for t in tokens)
        other = self._other(pairs, len(tokens), foreign=foreign)
        if lang == "vi" and other is None:
            return lang, prob
        if self.options.fallback and "vi" in self.options.languages:
            letters = sum(_VIETNAMESE_LETTER.search(t) is not None for t in tokens) / len(tokens)
            if letters >= self.options.letter_share:
                return "vi", max(letters, prob)
            share, distinct = self.syllable_share(tokens)
            if share >= self.options.syllable_share and distinct >= self.options.distinct_share:
                return "vi", share
        # Confident of a language outside the platform's, and the text is not Vietnamese by its letters or
        # syllables: Arabic or Russian would otherwise be called whichever of the twelve is least unlikely.
        return other or (lang, prob)

    def fasttext(self, text: str) -> tuple[str, float]:
        """Return fastText's most likely allowed language and its probability renormalised over them."""
        return self._restricted(self._predict(text))

    def distribution(self, text: str) -> list[tuple[str, float]]:
        """Return fastText's (language, probability) over all its 176 languages, most likely first."""
        return [(label.removeprefix(_LABEL), float(p)) for p, label in self._predict(text)]

    def _predict(self, text: str) -> list[tuple[float, str]]:
        # The model's own `predict` (what `FastText.predict` wraps, minus its newline check and re-zipping):
        # (probability, label) pairs, most likely first; one line, so it ends in the newline fastText expects.
        pairs: list[tuple[float, str]] = self._model.f.predict(
            " ".join(text.lower().split()) + "\n", -1, 0.0, "strict"
        )
        return pairs

    def _other(
        self, pairs: Sequence[tuple[float, str]], words: int, *, foreign: bool = False
    ) -> tuple[str, float] | None:
        """Return fastText's top language if it is not an allowed one and confident enough (any, for a
        text in a script none of the allowed languages writes), else None."""
        threshold = self.options.other_threshold
        if threshold is None or not pairs:
            return None
        if foreign:
            threshold = 0.0
        elif words < self.options.other_min_words:
            return None
        p, label = pairs[0]
        return (
            (label.removeprefix(_LABEL), float(p)) if label not in self._labels and p >= threshold else None
        )

    def _restricted(self, pairs: Sequence[tuple[float, str]]) -> tuple[str, float]:
        """Return the most likely allowed language of `pairs` and its probability renormalised over them."""
        known = self._labels
        allowed = [(known[label], float(p)) for p, label in pairs if label in known]
        if not allowed:
            return UNDETERMINED, 0.0
        total = sum(p for _, p in allowed)
        lang, prob = allowed[0]
        return lang, prob / total if total > 0 else 0.0

    def syllable_share(self, tokens: Sequence[str]) -> tuple[float, float]:
        """Return the shares of ASCII `tokens` that are Vietnamese syllables, and that are not English too."""
        if not all(t.isascii() for t in tokens):
            return 0.0, 0.0
        found = [self._syllables.get(t.lower()) for t in tokens]
        share = sum(f is not None for f in found) / len(tokens)
        return share, sum(f is False for f in found) / len(tokens)


@cache
def vietnamese_syllables() -> dict[str, bool]:
    """Return folded Vietnamese syllables and one-word teencode (`ko`, `dc`), each True if also English."""
    lexicon = {fold(key): False for key in ABBREVIATIONS if key.isalnum()}
    for line in _packaged("vi_syllables.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            syllable, _, mark = line.partition(" ")
            lexicon[syllable] = mark == "en"
    return lexicon


@cache
def _load_model(path: str) -> Any:
    """Load a fastText model once per process; `fasttext-predict` installs the module `fasttext`."""
    import fasttext  # type: ignore[import-untyped]

    return fasttext.load_model(path)


def _packaged(name: str) -> Path:
    return Path(str(resources.files("civicpulse") / "data" / "models" / name))
