"""Context rules of the extractor: what counts as a place of the city, and what does not."""

from __future__ import annotations

import pytest

from civicpulse.understand.places import PlaceExtractor
from civicpulse.understand.text import fold

QUAN_1 = ("26737", "26740", "26743", "26758")
TP_THU_DUC = 12


@pytest.mark.parametrize(
    "text",
    [
        "Giá vàng tại TP.HCM tăng mạnh.",
        "Sài Gòn mưa lớn chiều nay.",
        "Ngân hàng TMCP Sài Gòn Thương Tín (Sacombank) họp cổ đông.",
        "Thôn Gia Phú, xã Bình Dương, huyện Gia Bình, tỉnh Bắc Ninh.",
        "Nhà ở thị trấn Thuận An, huyện Phú Vang, tỉnh Thừa Thiên Huế.",
        "Nhóm bạn rủ nhau về biển Thuận An tắm biển.",
        "Giao thông qua kênh Bến Nghé rất đông.",
        "Nha khoa tọa lạc tại số 65 đường Phú Lợi.",
        "Bệnh nhân điều trị tại Bệnh viện dã chiến Củ Chi.",
        "Nhà máy trong KCN Tân Bình ngừng hoạt động.",
        "Trú tại phường Tân Phú, TP Đồng Xoài, tỉnh Bình Phước.",
        "Ông ở huyện Tân Phú, tỉnh Đồng Nai.",
        "Ngày 24/4 tại huyện Tân Uyên, tỉnh Lai Châu.",
        "UBND phường 2 đã đặt biển báo.",  # a numbered ward without its district
        "Doanh thu Q1/2021 tăng 20%.",
        "Tỉnh Bình Dương có 5 thành phố.",  # the former province alone
        "Đây là phương án của địa phương Bình Dương.",
        "Bài báo đăng trên tạp chí (SCI, Q1, 5-year IF: 3.352).",  # a journal quartile
        "Mẫu xe Haval H6 bán chạy nhất.",
        "Công nghệ MediQ7 giúp hấp thu canxi.",
        "Theo Giám đốc Sở Y tế Nguyễn Tấn Bỉnh, công suất tăng.",  # folds like Tân Bình
        "đi ăn cháo lòng, đi chợ.",  # "đi ăn" folds like Dĩ An
        "Bệnh nhân về Bệnh viện Điều trị Covid-19 Cần Giờ cách ly.",
        "Bãi Đầm Trầu nằm phía ngoài Vườn quốc gia Côn Đảo.",
        "Cá Lăng Hồ Dầu Tiếng là đặc sản.",
    ],
)
def test_not_a_ward_or_district_of_the_city(text: str, extractor: PlaceExtractor) -> None:
    assert extractor.codes(text) == []


def test_f1_is_a_contact_level_not_a_ward(extractor: PlaceExtractor) -> None:
    assert extractor.codes("Các F1 đang cách ly, quận 3 khẩn trương truy vết.") == [
        ("27139", "27142", "27154")
    ]


def test_the_district_of_a_ward_is_not_a_separate_place(extractor: PlaceExtractor) -> None:
    assert extractor.codes("Cháy nhà ở phường Phú Thuận (quận 7). Quận 7 đã hỗ trợ.") == [("27484",)]


def test_a_numbered_ward_takes_its_district_from_the_passage(extractor: PlaceExtractor) -> None:
    text = "Vụ việc ở phường 7. Công an quận Gò Vấp đang điều tra."
    assert extractor.codes(text) == [("26890",)]


def test_district_lists_carry_the_type_word(extractor: PlaceExtractor) -> None:
    codes = extractor.codes("05 xe đặt tại các quận Tân Bình, Hóc Môn và quận 1.")
    assert len(codes) == 3 and codes[2] == QUAN_1


def test_thu_duc_city_and_the_old_districts_are_kept_apart(extractor: PlaceExtractor) -> None:
    assert len(extractor.codes("TP Thủ Đức")[0]) == TP_THU_DUC
    assert extractor.codes("quận Thủ Đức") == [("26800", "26803", "26809", "26824")]
    assert extractor.codes("Q.9, TPHCM") == [("26833", "26842", "26848", "26857", "26860")]
    assert extractor.codes("quận 2") == [("27094", "27097", "27112")]


def test_renamed_towns_keep_their_territory(extractor: PlaceExtractor) -> None:
    assert (
        extractor.codes("thị xã Dĩ An") == extractor.codes("thành phố Dĩ An") == [("25942", "25945", "25951")]
    )
    assert extractor.codes("huyện Côn Đảo") == extractor.codes("Đặc khu Côn Đảo") == [("26732",)]


def test_new_unit_names_resolve_to_themselves(extractor: PlaceExtractor) -> None:
    assert extractor.codes("Ngập ở phường Sài Gòn, TP.HCM") == [("26740",)]
    assert extractor.codes("UBND xã Thạnh An, TP.HCM") == [("27676",)]  # not xã Thanh An of Dầu Tiếng
    assert extractor.codes("UBND xã Thanh An, TP.HCM") == [("25807",)]
    assert extractor.codes("UBND xã Thạnh An") == []  # also a name elsewhere in Vietnam: needs the city


def test_glued_words_of_scraped_news(extractor: PlaceExtractor) -> None:
    codes = extractor.codes("Đơnvị bầu cử số 9 (Quận 4, Quận 7,huyệnNhà Bèvà huyệnCần Giờ):")
    assert len(codes) == 4
    assert len(extractor.codes(fold("Đơn vị bầu cử số 5 (quậnTân Bình vàquậnTân Phú):"))) == 2


def test_text_without_diacritics(extractor: PlaceExtractor) -> None:
    assert extractor.codes("nha o phuong 14 quan 3 tphcm") == [("27142",)]
    assert extractor.codes("dia phuong binh duong") == []


def test_mentions_carry_their_span(extractor: PlaceExtractor) -> None:
    text = "Địa chỉ: 816 Trường Sa, P.14, Q3, TP. HCM."
    [mention] = extractor.extract(text)
    assert text[mention.start : mention.end] == mention.text == "P.14"
    assert mention.level == "ward" and mention.joined == "27142"


def test_empty_and_placeless_text(extractor: PlaceExtractor) -> None:
    assert extractor.extract("") == []
    assert extractor.extract("Trời hôm nay đẹp quá!") == []


@pytest.mark.parametrize(
    "text", ["360⁰ phường ٣", "Q.", "phường", "P.\n", "x" * 500, "TP.", "\u0301\u0303 quận"]
)
def test_odd_text_never_breaks(text: str, extractor: PlaceExtractor) -> None:
    assert isinstance(extractor.extract(text), list)


def test_a_type_word_is_followed_by_its_name(extractor: PlaceExtractor) -> None:
    assert extractor.codes("các cơ sở lưu trú trên toàn thành phố, 4 điểm giám sát") == []
