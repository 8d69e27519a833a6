"""Natural keys, URL normalisation and pseudonyms."""

from __future__ import annotations

import pytest

from civicpulse.collect.keys import content_hash, item_key, normalise_url, pseudonymise


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.VnExpress.net/a-b.html#top", "https://vnexpress.net/a-b.html"),
        ("https://vnexpress.net/a-b.html?utm_source=fb&id=3&fbclid=x", "https://vnexpress.net/a-b.html?id=3"),
        ("https://tuoitre.vn/tin/", "https://tuoitre.vn/tin"),
        ("https://tuoitre.vn:443/tin?b=2&a=1", "https://tuoitre.vn/tin?a=1&b=2"),
        ("http://localhost:8080/feed", "https://localhost:8080/feed"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_key_prefers_platform_id_then_url_then_content() -> None:
    by_platform = item_key(platform="telegram", platform_id="42", url="https://t.me/x/42", text="a")
    by_url = item_key(url="https://t.me/x/42", text="a")
    by_content = item_key(text="a")
    assert (by_platform[:2], by_url[:2], by_content[:2]) == ("p:", "u:", "c:")
    assert len({by_platform, by_url, by_content}) == 3
    assert item_key(url="https://www.t.me/x/42/?utm_medium=x") == by_url


def test_content_hash_ignores_accents_case_and_spacing() -> None:
    assert content_hash("Tin", "Ngập  ở Thủ Đức") == content_hash("tin", "ngap o thu duc")
    assert content_hash("Tin", "Ngập ở Thủ Đức") != content_hash("Tin", "Ngập ở Bình Thạnh")


def test_pseudonyms_are_keyed_stable_and_never_the_handle() -> None:
    one = pseudonymise("@Nguyen.Van.A", "key-1")
    assert one == pseudonymise("nguyen.van.a", "key-1")
    assert one != pseudonymise("nguyen.van.a", "key-2")
    assert "nguyen" not in one
    assert pseudonymise("  ", "key-1") == ""
