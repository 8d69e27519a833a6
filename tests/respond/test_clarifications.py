"""Clarifications: drafts, publication, visible revisions, subscribers told, ClaimReview, the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from civicpulse.config import Settings
from civicpulse.errors import InputError
from civicpulse.models import ClaimAnswer, Clarification
from civicpulse.respond.clarifications import Clarifications, parse_claims, parse_sources
from civicpulse.respond.notices import Outbox
from civicpulse.store import Store
from civicpulse.store.clarifications import ClarificationTables
from civicpulse.web.atom import atom_feed

DRAFT = Clarification(
    title_vi="Không có chuyện cắt nước toàn phường",
    body_vi="Công ty cấp nước khẳng định chỉ tạm ngưng ở hai tuyến đường trong 4 giờ.",
    claims=(ClaimAnswer(text="Cắt nước toàn phường ba ngày", verdict="false"),),
    sources=(("Sawaco", "https://sawaco.example.vn/thong-bao"),),
)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def desk(settings: Settings, store: Store, outbox: Outbox) -> Clarifications:
    settings = settings.model_copy(update={"portal_subscribers": ["https://hooks.example/press"]})
    return Clarifications(store, settings, outbox)


def test_publish_then_revise_keeps_every_version(desk: Clarifications, outbox: Outbox) -> None:
    draft = desk.save(DRAFT, "analyst")
    assert draft.status == "draft" and ClarificationTables(desk.tables.store).find() == []
    published = desk.publish(draft.id or 0, "analyst")
    assert published.status == "published" and published.revision == 1 and published.published_at
    with pytest.raises(InputError, match="save the change as a revision"):
        desk.save(published, "analyst")
    with pytest.raises(InputError, match="say what changed"):
        desk.revise(published, "", "analyst")
    revised = desk.revise(
        Clarification(**{**published.__dict__, "body_vi": published.body_vi + " Đã cấp nước lại lúc 16:00."}),
        "Cập nhật giờ cấp nước lại",
        "analyst",
    )
    assert revised.revision == 2 and revised.published_at == published.published_at
    history = desk.tables.revisions(revised.id or 0)
    assert [r["revision"] for r in history] == [1, 2]
    assert history[1]["note"] == "Cập nhật giờ cấp nước lại" and "16:00" in history[1]["content"]["body_vi"]
    assert [n.kind for _, n in outbox.sent] == ["clarification.published", "clarification.revised"]


def test_search_matches_with_or_without_diacritics(desk: Clarifications) -> None:
    desk.publish(desk.save(DRAFT, "a").id or 0, "a")
    tables = ClarificationTables(desk.tables.store)
    assert len(tables.find(query="cắt nước")) == 1 and len(tables.find(query="cat nuoc")) == 1
    assert tables.find(query="điện") == []


def test_claim_review_markup(desk: Clarifications) -> None:
    published = desk.publish(desk.save(DRAFT, "a").id or 0, "a")
    (review,) = desk.claim_reviews(published)
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Cắt nước toàn phường ba ngày"
    assert review["reviewRating"] | {} == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Sai sự thật",
    }
    assert review["url"].endswith(f"/portal/{published.id}#claim-1")


def test_the_atom_feed_is_valid(desk: Clarifications) -> None:
    published = desk.publish(desk.save(DRAFT, "a").id or 0, "a")
    feed = feedparser.parse(atom_feed([published], "https://cong.example.vn", "TP.HCM"))
    assert not feed.bozo and feed.version == "atom10"
    (entry,) = feed.entries
    assert entry.title == DRAFT.title_vi and entry.id == f"https://cong.example.vn/portal/{published.id}"
    assert feed.feed.links[0].href == "https://cong.example.vn/portal/feed.atom"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title_vi": ""}, "Vietnamese title"),
        ({"title_en": "Only a title"}, "both the English"),
        ({"claims": (ClaimAnswer(text="x", verdict="fake"),)}, "verdict 'fake'"),
        ({"sources": (("x", "ftp://x"),)}, "web address"),
    ],
)
def test_incomplete_clarifications_are_refused(
    desk: Clarifications, change: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        desk.save(Clarification(**{**DRAFT.__dict__, **change}), "a")


def test_editor_lines_are_parsed() -> None:
    assert parse_claims(["false | Cắt nước | https://x.example/p", ""]) == (
        ClaimAnswer(text="Cắt nước", verdict="false", appearance="https://x.example/p"),
    )
    assert parse_sources(["Sawaco | https://s.example", "https://t.example"]) == (
        ("Sawaco", "https://s.example"),
        ("https://t.example", "https://t.example"),
    )
    with pytest.raises(InputError, match=r"verdict \| text"):
        parse_claims(["just a claim"])


def test_a_draft_has_no_publication_time() -> None:
    assert DRAFT.published_at is None and datetime.now(UTC)
