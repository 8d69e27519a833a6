import pytest

from civicpulse.understand.vietnamese import analyse, expand_abbreviations, extract_features, standard_tones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoà", "hòa"),
        ("Thuỷ", "Thủy"),
        ("KHOẺ", "KHỎE"),
        ("hòa", "hòa"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("thuyết", "thuyết"),
        ("toà án hoà giải", "tòa án hòa giải"),
    ],
)
def test_tone_marks_follow_the_old_style(text: str, expected: str) -> None:
    assert standard_tones(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ko dc", "không được"),
        ("K có ng nào", "không có người nào"),
        ("tphcm", "thành phố Hồ Chí Minh"),
        ("TP.HCM", "thành phố Hồ Chí Minh"),
        ("ngập Q1 và q.12", "ngập quận 1 và quận 12"),
        ("P.Linh Xuân, p5", "phường Linh Xuân, phường 5"),
        ("UBND, CSGT, BV", "ủy ban nhân dân, cảnh sát giao thông, bệnh viện"),
        ("5k một ổ bánh mì", "5k một ổ bánh mì"),
    ],
)
def test_abbreviations_are_spelled_out(text: str, expected: str) -> None:
    assert expand_abbreviations(text) == expected


def test_features_are_taken_out_and_the_original_is_untouched() -> None:
    original = "Ngập quá 😭 xem https://vnexpress.net/a.html @ban.a #NgapLut gọi 0903.123.456"
    analysis = analyse(original)
    assert analysis.features == {
        "urls": ["https://vnexpress.net/a.html"],
        "mentions": ["@ban.a"],
        "hashtags": ["ngaplut"],
        "emoji": ["😭"],
        "phones": ["0903123456"],
    }
    assert analysis.text == "Ngập quá xem Ngap Lut gọi 0903.123.456"
    assert "https" in original


def test_text_without_features_has_none() -> None:
    assert extract_features("Mưa lớn ở Thủ Đức") == {}


def test_zwj_emoji_sequences_stay_whole() -> None:
    assert extract_features("👨\u200d👩\u200d👧 ổn 👍🏽👍")["emoji"] == ["👨\u200d👩\u200d👧", "👍🏽", "👍"]
