"""`TermKeys`: what term bursts count under — stems by language, and hashtags also under their known part.

The first hour of a crisis is a few posts that say the same thing in different surface forms: "flood",
"floods", "flooding", "#yycflood", "#abflood". Counted by surface form, no key reaches a burst's floor
although the posts share one word. So, as any retrieval system does, burst keys are normalised: a word is
stemmed with the Snowball stemmer of the item's language (none for Vietnamese, whose terms are syllables,
nor for languages Snowball lacks), and a hashtag counts for itself and for the known word it is built
around ("yycflood" → "flood" when the rest is short, "hurricanesandy" → "hurrican", "sandi" when both
parts are known). Known means seen in the stream's term statistics, so the split needs no dictionary and
works in any language the stream speaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable

import Stemmer

# Codes the language identifier gives (ISO 639-1, some 639-3), and the Snowball stemmer of each.
SNOWBALL = {
    "ar": "arabic",
    "arz": "arabic",  # lid.176's Egyptian Arabic
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fi": "finnish",
    "fa": "persian",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ms": "indonesian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
SYLLABIC = frozenset({"vi", ""})
"""Languages whose terms are syllables and syllable pairs (`understand.tokens`): no stems, no splits."""
_HASHTAG = re.compile(r"#([^\W_]+)", re.UNICODE)


def hashtags(text: str) -> frozenset[str]:
    """Return the lower-case NFC hashtags of `text`, without `#`."""
    if "#" not in text:
        return frozenset()
    return frozenset(_HASHTAG.findall(unicodedata.normalize("NFC", text).lower()))


def _same(term: str) -> str:
    return term


class TermKeys:
    """Maps an item's terms to burst keys: Snowball stems by language, hashtags also under a known part."""

    def __init__(
        self, *, stem: bool = True, split: bool = True, min_part: int = 4, max_rest: int = 3, min_tag: int = 6
    ) -> None:
        self.stem = stem
        """Stem words with the Snowball stemmer of the item's language."""
        self.split = split
        """Count a hashtag also under the known word it is built around."""
        self.min_part = min_part
        """A hashtag's known part has at least this many characters."""
        self.max_rest = max_rest
        """What is left beside a known part may be unknown when at most this long ("yyc", "ab", "qld")."""
        self.min_tag = min_tag
        """Shorter hashtags are taken whole."""
        self._stemmers: dict[str, Stemmer.Stemmer] = {}

    def keys(
        self,
        terms: Iterable[str],
        lang: str,
        tags: Collection[str] = (),
        seen: Callable[[str], float] | None = None,
    ) -> tuple[str, ...]:
        """Return the distinct keys of `terms`; those in `tags` (hashtags) also count under their known part.

        `seen` gives how many documents of the stream held a key (the burst rates' counts); without it no
        part is known. Vietnamese terms (and those of undetermined language, which the tokenizer treats
        as Vietnamese) are syllables: kept as they are.
        """
        if lang in SYLLABIC:
            return tuple(dict.fromkeys(terms))
        words = list(terms)
        stemmer = self._stemmer(lang) if self.stem else None
        out = dict.fromkeys(words if stemmer is None else stemmer.stemWords(words))
        if self.split and tags and seen is not None:
            stem: Callable[[str], str] = _same if stemmer is None else stemmer.stemWord
            for word in words:
                if len(word) >= self.min_tag and word in tags:
                    out.update(dict.fromkeys(self.parts(word, stem, seen)))
        return tuple(out)

    def parts(self, tag: str, stem: Callable[[str], str], seen: Callable[[str], float]) -> list[str]:
        """Return the keys of the known part(s) of a hashtag, the longest known part winning; [] if none.

        A part is known when the stream has seen it in more documents than the hashtag itself (a compound
        is rarer than the word it is built around: "#tornado" is not "torna" + "do" because a post once
        said "torna"). A split is a known part of at least `min_part` characters beside either another
        known part of that size or a rest of at most `max_rest` characters.
        """
        floor = seen(stem(tag))
        best: list[str] = []
        longest = 0
        for cut in range(1, len(tag)):
            head, tail = tag[:cut], tag[cut:]
            head_known = len(head) >= self.min_part and seen(stem(head)) > floor
            tail_known = len(tail) >= self.min_part and seen(stem(tail)) > floor
            if head_known and tail_known:
                parts, size = [stem(head), stem(tail)], max(len(head), len(tail))
            elif head_known and len(tail) <= self.max_rest:
                parts, size = [stem(head)], len(head)
            elif tail_known and len(head) <= self.max_rest:
                parts, size = [stem(tail)], len(tail)
            else:
                continue
            if size > longest:
                best, longest = parts, size
        return best

    def _stemmer(self, lang: str) -> Stemmer.Stemmer | None:
        """Return the Snowball stemmer of `lang`, or None when Snowball has none for it."""
        name = SNOWBALL.get(lang)
        if name is None:
            return None
        stemmer = self._stemmers.get(lang)
        if stemmer is None:
            stemmer = self._stemmers[lang] = Stemmer.Stemmer(name)
        return stemmer
