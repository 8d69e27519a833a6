"""Burst keys: Snowball stems by language, hashtags also under their known part, Vietnamese untouched."""

from __future__ import annotations

import pytest
import Stemmer

from civicpulse.detect.termkeys import SNOWBALL, TermKeys, hashtags
from civicpulse.understand.language import LanguageIdentifier
from civicpulse.understand.tokens import terms

SEEN = {"flood": 40.0, "boston": 30.0, "hurrican": 20.0, "sandi": 15.0, "torna": 1.0, "tornado": 12.0}


def seen(key: str) -> float:
    return SEEN.get(key, 0.0)


def test_words_are_stemmed_in_their_own_language() -> None:
    keys = TermKeys()
    assert keys.keys(["flood", "floods", "flooding", "flooded"], "en") == ("flood",)
    assert len(set(keys.keys(["inundaciones", "inundación"], "es"))) == 1
    assert len(set(keys.keys(["inondations", "inondation"], "fr"))) == 1
    assert len(set(keys.keys(["überschwemmungen", "überschwemmung"], "de"))) == 1
    assert keys.keys(["explosions"], "en") != ("explosions",), "English rules, not a no-op"


def test_unsupported_and_syllabic_languages_are_left_as_they_are() -> None:
    keys = TermKeys()
    vietnamese = ["ngap", "sau", "ngap_sau", "thu_duc"]
    assert keys.keys(vietnamese, "vi", {"ngap"}, seen) == tuple(vietnamese)
    assert keys.keys(vietnamese, "", {"ngap"}, seen) == tuple(vietnamese), "undetermined is tokenised as vi"
    assert keys.keys(["floods", "bahay"], "tl") == ("floods", "bahay"), "no Snowball stemmer for Tagalog"


def test_a_hashtag_counts_also_under_the_known_word_it_is_built_around() -> None:
    keys = TermKeys()
    assert keys.keys(["yycflood"], "en", {"yycflood"}, seen) == ("yycflood", "flood")
    assert keys.keys(["qldfloods"], "en", {"qldfloods"}, seen) == ("qldflood", "flood")
    assert keys.keys(["hurricanesandy"], "en", {"hurricanesandy"}, seen) == (
        "hurricanesandi",
        "hurrican",
        "sandi",
    ), "two known parts"
    assert keys.keys(["yycflood"], "en", (), seen) == ("yycflood",), "only hashtags are split"
    assert keys.keys(["prayforboston"], "en", {"prayforboston"}, seen) == ("prayforboston",), (
        "an unknown rest longer than max_rest"
    )
    assert keys.keys(["floodyyc"], "tl", {"floodyyc"}, seen) == ("floodyyc", "flood"), (
        "no stemmer, still split"
    )


def test_a_hashtag_is_not_split_into_a_rarer_word() -> None:
    keys = TermKeys()
    assert keys.keys(["tornado"], "en", {"tornado"}, seen) == ("tornado",), "not torna + do"
    assert keys.keys(["yycflood"], "en", {"yycflood"}) == ("yycflood",), "nothing is known yet"


def test_switches_and_hashtags() -> None:
    assert TermKeys(stem=False).keys(["floods", "yycflood"], "en", {"yycflood"}, seen) == (
        "floods",
        "yycflood",
        "flood",
    )
    assert TermKeys(split=False).keys(["yycflood"], "en", {"yycflood"}, seen) == ("yycflood",)
    assert hashtags("Water rising #YYCflood #abFlood, stay safe #") == {"yycflood", "abflood"}
    assert hashtags("no tags here") == frozenset()


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


@pytest.mark.parametrize(
    ("first", "second", "lang", "word"),
    [
        (
            "Inundaciones en Valencia, el agua entra en las casas",
            "Valencia inundada: cortan la autovía",
            "es",
            "inund",
        ),
        (
            "Überschwemmungen in Dresden, die Keller laufen voll",
            "Die Überschwemmung erreicht die Altstadt",
            "de",
            "uberschwemm",
        ),
        ("Наводнение в Краснодаре, вода в домах", "Наводнения отрезали станицу от города", "ru", "наводнен"),
    ],
)
def test_crisis_posts_in_other_languages_pool_under_their_own_stems_after_language_id(
    identifier: LanguageIdentifier, first: str, second: str, lang: str, word: str
) -> None:
    """The identifier names the language, so its Snowball stemmer pools the word's variants under one key."""
    keys = TermKeys()
    found = []
    for text in (first, second):
        detected, _ = identifier.identify(text)
        assert detected == lang
        found.append(set(keys.keys(terms(text, detected), detected)))
    assert word in found[0] & found[1]
    stemmer = Stemmer.Stemmer(SNOWBALL[lang])
    assert found[0] == set(stemmer.stemWords(terms(first, lang)))


def test_every_mapped_stemmer_exists() -> None:
    assert set(SNOWBALL.values()) <= set(Stemmer.algorithms())
