import pytest

from civicpulse.understand.language import LanguageIdentifier, LanguageOptions


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Tôi đang ở nhà, chiều nay đi học", "vi"),
        ("toi dang o nha", "vi"),
        ("ko dc dau mn oi", "vi"),
        ("kho qua", "vi"),
        ("Ok thầy :)", "vi"),
        ("The flood in District 7 is getting worse", "en"),
        ("the man can go to the bank", "en"),
        ("Saya sedang di rumah sekarang", "id"),
        ("Ako ay nasa bahay ngayon", "tl"),
        ("ฉันอยู่บ้าน", "th"),
        ("ខ្ញុំនៅផ្ទះ", "km"),
        ("我在家里", "zh"),
        ("Je suis à la maison ce soir", "fr"),
    ],
)
def test_identifies_short_texts(identifier: LanguageIdentifier, text: str, lang: str) -> None:
    assert identifier.identify(text)[0] == lang


def test_text_without_letters_is_undetermined(identifier: LanguageIdentifier) -> None:
    assert identifier.identify("😭 123 https://x.vn @a") == ("", 0.0)


def test_only_allowed_languages_are_returned() -> None:
    identifier = LanguageIdentifier(LanguageOptions(languages=("vi", "en"), fallback=False))
    assert identifier.identify("Je suis à la maison ce soir")[0] in {"vi", "en"}


def test_without_fallback_folded_vietnamese_is_missed() -> None:
    identifier = LanguageIdentifier(LanguageOptions(fallback=False))
    assert identifier.identify("can them tai lieu")[0] != "vi"


def test_scores_are_probabilities(identifier: LanguageIdentifier) -> None:
    _, score = identifier.identify("Mưa lớn gây ngập nhiều tuyến đường ở Thủ Đức")
    assert 0.0 < score <= 1.0
