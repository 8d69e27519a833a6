"""Burst keys: Snowball stems by language, hashtags also under their known part, Vietnamese untouched."""

from __future__ import annotations

from civicpulse.detect.termkeys import TermKeys, hashtags

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
