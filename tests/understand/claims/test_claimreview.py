"""ClaimReview import: JSON-LD shapes, HTML pages and the Fact Check Tools API exports."""

from __future__ import annotations

import json

import pytest

from civicpulse.errors import InputError
from civicpulse.understand.claims import parse_claimreviews, verdict_of

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://factcheck.example.vn/bai/1",
    "claimReviewed": "Thành phố cấm xe máy vào trung tâm từ tháng sau",
    "author": {"@type": "Organization", "name": "Kiểm chứng Example"},
    "datePublished": "2025-09-02",
    "inLanguage": "vi",
    "reviewBody": "Chưa có quyết định nào cấm xe máy.",
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Sai",
    },
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Một trang Facebook"},
        "datePublished": "2025-09-01T08:00:00+07:00",
        "appearance": [{"@type": "CreativeWork", "url": "https://facebook.example/post/1"}],
    },
}


def test_a_claimreview_becomes_a_claim_with_every_field() -> None:
    [claim] = parse_claimreviews(json.dumps(REVIEW))
    assert claim.text == "Thành phố cấm xe máy vào trung tâm từ tháng sau"
    assert (claim.verdict, claim.rating, claim.lang) == ("false", "Sai", "vi")
    assert claim.reviewer == "Kiểm chứng Example"
    assert claim.claimant == "Một trang Facebook"
    assert claim.appearances == ("https://facebook.example/post/1",)
    assert claim.review_url == "https://factcheck.example.vn/bai/1"
    assert claim.claimed_at is not None and claim.claimed_at.hour == 1  # 08:00 +07 in UTC
    assert claim.summary == "Chưa có quyết định nào cấm xe máy."
    assert claim.active


def test_graph_lists_and_html_pages_are_read() -> None:
    second = REVIEW | {"url": "https://factcheck.example.vn/bai/2", "claimReviewed": "Nước máy nhiễm độc"}
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, REVIEW]}
    page = (
        "<html><head><script type='application/ld+json'>{ broken</script>"
        f'<script type="application/ld+json">{json.dumps(graph)}</script>'
        f'<script type="application/ld+json">{json.dumps([second])}</script></head></html>'
    )
    assert [c.text for c in parse_claimreviews(page)] == [REVIEW["claimReviewed"], "Nước máy nhiễm độc"]


def test_the_fact_check_tools_search_export_is_read() -> None:
    export = {
        "claims": [
            {
                "text": "Uống nước chanh chữa khỏi Covid-19",
                "claimant": "Mạng xã hội",
                "claimDate": "2021-05-01T00:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "Example Check", "site": "check.example"},
                        "url": "https://check.example/lemon",
                        "title": "Nước chanh không chữa được Covid-19",
                        "reviewDate": "2021-05-03T00:00:00Z",
                        "textualRating": "Sai sự thật",
                        "languageCode": "vi",
                    }
                ],
            }
        ],
        "nextPageToken": "x",
    }
    [claim] = parse_claimreviews(json.dumps(export))
    assert (claim.verdict, claim.reviewer, claim.origin) == ("false", "Example Check", "factcheck-api")


def test_the_markup_pages_export_and_a_true_rating() -> None:
    pages = {
        "claimReviewMarkupPages": [
            {
                "pageUrl": "https://check.example/p",
                "claimReviewAuthor": {"name": "Example Check"},
                "claimReviewMarkups": [
                    {"claimReviewed": "Cầu mới thông xe hôm nay", "rating": {"textualRating": "True"}},
                    {"claimReviewed": "Giá xăng tăng gấp đôi", "rating": {"textualRating": "Mostly false"}},
                ],
            }
        ]
    }
    found = parse_claimreviews(json.dumps(pages))
    assert [(c.verdict, c.active) for c in found] == [("true", False), ("misleading", True)]


@pytest.mark.parametrize(
    ("rating", "value", "verdict"),
    [
        ("Sai", None, "false"),
        ("Không đúng", None, "false"),
        ("Gây hiểu lầm", None, "misleading"),
        ("Half True", None, "mixed"),
        ("Chưa được kiểm chứng", None, "unproven"),
        ("Đúng", None, "true"),
        ("", 1.0, "false"),
        ("", 5.0, "true"),
        ("", None, "unproven"),
    ],
)
def test_verdicts_read_vietnamese_and_english_ratings(rating: str, value: float | None, verdict: str) -> None:
    assert verdict_of(rating, value) == verdict


def test_text_that_is_no_json_is_refused() -> None:
    with pytest.raises(InputError):
        parse_claimreviews("claimReviewed: not json")


def test_the_same_review_twice_is_one_claim() -> None:
    assert len(parse_claimreviews(json.dumps([REVIEW, REVIEW]))) == 1
