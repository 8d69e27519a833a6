"""Scam signals: the tactics are named, the evidence is the matched text, diacritics do not matter."""

from __future__ import annotations

import pytest

from civicpulse.understand.classify.scam import ScamSignals, find_signals, fold_keep_offsets


def test_folding_keeps_offsets() -> None:
    text = "Chuyển khoản ĐẶT CỌC"
    assert fold_keep_offsets(text) == "chuyen khoan dat coc"


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Tuyển CTV việc nhẹ lương cao", "fake_recruitment"),
        ("tuyen ctv viec nhe luong cao", "fake_recruitment"),
        ("Công an phường gọi điện yêu cầu chuyển tiền", "fake_official"),
        ("anh đọc giúp em mã OTP", "otp_request"),
        ("vui lòng chuyển khoản phí hồ sơ", "money_transfer"),
        ("đăng nhập tại vneid-gov.com để cập nhật", "suspicious_link"),
        ("gọi ngay 0912 345 678", "phone_number"),
    ],
)
def test_signal_fires_with_its_evidence(text: str, signal: str) -> None:
    found = [e for e in find_signals(text) if e.signal == signal]
    assert found
    assert all(text[e.start : e.end] == e.text for e in found)


def test_several_tactics_make_a_scam_and_plain_news_does_not() -> None:
    model = ScamSignals()
    assert model.predict_one("Công an gọi điện yêu cầu chuyển tiền vào tài khoản an toàn").label == "scam"
    plain = model.predict_one("Đường Nguyễn Hữu Cảnh ngập sâu sau mưa lớn chiều qua")
    assert plain.label == "none"
    assert plain.evidence == ()


def test_learn_many_refits_weights_from_labels() -> None:
    model = ScamSignals()
    model.learn_many(
        ["gọi 0912 345 678 để nhận quà", "shop mở cửa, gọi 0912 345 678", "chuyển khoản ngay", "trời mưa"],
        ["scam", "none", "scam", "none"],
    )
    assert model.weights["money_transfer"] > 0 > model.weights["fake_official"] - 1
    assert model.predict_one("chuyển khoản ngay").label == "scam"
