import pytest

from civicpulse.models import Topic
from civicpulse.understand.topics import QuerySyntaxError, TopicMatcher, compile_query

TEXT = "Mưa lớn gây ngập sâu nhiều tuyến đường ở phường Linh Xuân, TP Thủ Đức chiều qua."


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"ngập" AND ("Thủ Đức" OR "Linh Xuân") NOT "quảng cáo"', True),
        ('"ngập" AND ("Thủ Đức" OR "Linh Xuân") NOT "mưa lớn"', False),
        ("ngap thu duc", True),
        ("ngập Bình Thạnh", False),
        ("ngập OR triều cường", True),
        ("ngậ*", True),
        ('"tuyến đườ*"', True),
        ('"Thủ Đức ngập"', False),
        ('"ngập" NEAR/5 "Linh Xuân"', False),
        ('"ngập" NEAR/6 "Linh Xuân"', True),
        ('"Linh Xuân" NEAR/6 ngập', True),
        ("ngập NEAR/1 sâu", True),
        ("ngập NEAR/2 (nông OR sâu)", True),
        ("(kẹt OR ngập) NEAR/2 (nông OR sâu OR mưa)", True),
        ("NOT kẹt", True),
        ("(ngập AND mưa) NOT (kẹt OR tắc)", True),
        ("mua lon", True),
    ],
)
def test_queries_match_diacritic_insensitively(query: str, expected: bool) -> None:
    assert compile_query(query)(TEXT) is expected


def test_exact_queries_respect_diacritics_but_not_tone_placement() -> None:
    assert compile_query("ngập", exact=True)(TEXT)
    assert not compile_query("ngap", exact=True)(TEXT)
    assert compile_query("hoà", exact=True)("Hòa bình")


def test_teencode_is_matched_when_given_the_analysis_text() -> None:
    from civicpulse.understand.vietnamese import analyse

    assert compile_query('"không được"')(analyse("ko dc đâu").text)


@pytest.mark.parametrize(
    ("query", "column", "problem"),
    [
        ('"ngập" AND', 11, "ends where"),
        ('"ngập" AND (mưa OR', 19, "ends where"),
        ("ngập AND (mưa OR bão", 10, "never closed"),
        ('"ngập', 1, "quote is never closed"),
        ("ngập ) mưa", 6, "no matching"),
        ("ngập OR OR mưa", 9, "found 'OR'"),
        ("ngập NEAR/x mưa", 6, "NEAR needs a distance"),
        ("(a AND b) NEAR/3 c", 11, "NEAR joins"),
        ("*ngập", 1, "'*' may only end"),
        ("", 1, "empty"),
        ('ngập AND "!!"', 10, "no letters"),
    ],
)
def test_syntax_errors_point_at_the_column(query: str, column: int, problem: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile_query(query)
    message = str(caught.value)
    assert f"column {column}" in message
    assert problem in message
    assert message.splitlines()[-1] == "  " + " " * (column - 1) + "^"


def test_the_matcher_returns_matching_topic_ids_and_skips_bad_ones() -> None:
    topics = [
        Topic(name="flood", query="ngập* OR triều cường", id=1),
        Topic(name="traffic", query='"kẹt xe" OR "ùn tắc"', id=2),
        Topic(name="thu duc flood", query='ngập NEAR/9 "Thủ Đức"', id=3),
        Topic(name="not ads", query='NOT "quảng cáo"', id=4),
        Topic(name="broken", query="ngập AND (", id=5),
        Topic(name="off", query="ngập", id=6, enabled=False),
        Topic(name="exact", query="ngập", id=7, settings={"exact": True}),
    ]
    matcher = TopicMatcher(topics)
    assert matcher.match(TEXT) == (1, 3, 4, 7)
    assert matcher.match("Kẹt xe kéo dài ở Hàng Xanh") == (2, 4)
    assert matcher.match("quảng cáo ngập tràn") == (1, 7)
    assert "broken" in matcher.errors
    assert matcher.size == 5


def test_only_topics_with_an_anchor_in_the_text_are_evaluated() -> None:
    from civicpulse.understand.topics import Document

    matcher = TopicMatcher(
        [Topic(name=f"t{i}", query=f'"từ khóa {i}" AND ngập', id=i) for i in range(1, 200)]
        + [Topic(name="flood", query="ngập* AND mưa", id=500)]
    )
    assert [c.topic_id for c in matcher.candidates(Document(TEXT))] == [500]


def test_accented_terms_match_accented_text_exactly_and_folded_text_loosely() -> None:
    red_book = compile_query('"sổ đỏ"')
    assert red_book("Người dân chờ cấp sổ đỏ đã ba năm")
    assert not red_book("Theo sơ đồ, số đó là rất lớn")
    assert red_book("cho hoi bao gio co so do vay mn")
    assert compile_query("so do")("Người dân chờ cấp sổ đỏ đã ba năm")
