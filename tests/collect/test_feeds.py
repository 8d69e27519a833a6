"""Feed parsing (pure) and the feed connector's conditional fetch (MockTransport and loopback)."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

import httpx
import pytest

from civicpulse.collect.feeds import FeedConnector, html_to_text, json_feed_entries, to_entries
from civicpulse.collect.http import make_client
from civicpulse.collect.ingest import RawEntry
from civicpulse.config import Settings
from civicpulse.errors import Quarantine, Retry
from civicpulse.models import SourceState
from civicpulse.store import Store
from tests import factories
from tests.collect.conftest import FEEDS, FixtureServer

BASE = "https://example.vn/rss/feed.xml"


def entries(name: str, base: str = BASE) -> list[RawEntry]:
    found = to_entries((FEEDS / name).read_bytes(), base)
    assert all(isinstance(e, RawEntry) for e in found)
    return [e for e in found if isinstance(e, RawEntry)]


def test_vnexpress_rss_maps_every_entry() -> None:
    found = entries("vnexpress_tin-moi-nhat_2017-07-26.rss")
    assert len(found) == 25
    first = found[0]
    assert first.title == "Một tuần Hà Nội có 1.400 người bệnh sốt xuất huyết vào viện"
    assert first.text.startswith("Từ ngày 17-23/7, Hà Nội ghi nhận 1.400 ca sốt xuất huyết")
    assert "<" not in first.text
    assert first.url.endswith("-3618863.html")
    assert first.published_at == datetime(2017, 7, 26, 12, 41, 14, tzinfo=UTC)
    assert first.platform_id == first.url


def test_an_entry_nobody_can_identify_is_quarantined_not_dropped() -> None:
    found = to_entries((FEEDS / "vnexpress_tin-moi-nhat_2017-11-14.rss").read_bytes(), BASE)
    problems = [e for e in found if isinstance(e, Quarantine)]
    assert len(found) == 25
    assert [p.reason for p in problems] == ["feed entry 6 has no link, id or title to identify it"]


def test_rss_091_is_read() -> None:
    found = entries("rss091.xml")
    assert [e.title for e in found] == ["Lịch cắt nước khu phố 3", "Tiếp công dân tháng 9"]
    assert found[0].lang == "vi"
    assert found[0].published_at is None


def test_rss_10_rdf_is_read_with_dates_and_authors() -> None:
    found = entries("rss10.rdf")
    assert [e.url for e in found] == [
        "https://thuduc.example.vn/tin/ngap-duong-kha-van-can",
        "https://thuduc.example.vn/tin/khai-truong-cong-vien",
    ]
    assert found[0].published_at == datetime(2025, 9, 10, 10, 30, tzinfo=UTC)
    assert found[0].author == "Phóng viên A"


def test_atom_resolves_relative_links_strips_html_and_falls_back_to_updated() -> None:
    found = entries("atom.xml", base="https://portal.example.vn/atom.xml")
    first, second = found
    assert first.title == "Điều chỉnh giờ làm việc bộ phận một cửa"
    assert first.text == "Từ ngày 15/9, bộ phận một cửa làm việc cả sáng thứ bảy."
    assert first.url == "https://portal.example.vn/tin/dieu-chinh-gio-lam-viec"
    assert first.published_at == datetime(2025, 9, 11, 9, 0, tzinfo=UTC)  # from <updated>
    assert first.author == "Văn phòng UBND"
    assert second.url == ""
    assert (second.platform, second.platform_id) == (
        "feed",
        "portal.example.vn:tag:portal.example.vn,2025:phan-anh-42",
    )
    assert second.published_at == datetime(2025, 9, 9, 19, 0, tzinfo=UTC)


def test_json_feed_11_is_read_and_a_bad_item_is_quarantined() -> None:
    found = to_entries((FEEDS / "jsonfeed.json").read_bytes(), "https://ward.example.vn/feed.json")
    first, second, bad = found
    assert isinstance(first, RawEntry) and isinstance(second, RawEntry)
    assert first.text == "Trạm y tế tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi."
    assert (first.author, first.lang) == ("Trạm y tế", "vi")
    assert first.published_at == datetime(2025, 9, 12, 0, 0, tzinfo=UTC)
    assert second.text == "Người dân đăng ký thu gom rác cồng kềnh miễn phí."
    assert (second.platform, second.platform_id) == ("feed", "ward.example.vn:2025-09-11-1")
    assert isinstance(bad, Quarantine)


def test_json_feed_10_author_object_is_read() -> None:
    body = '{"version": "https://jsonfeed.org/version/1", "items": [{"id": 1, "url": "/a", "title": "T",'
    body += ' "content_text": "x", "author": {"name": "Ban biên tập"}, "date_published": "not a date"}]}'
    [entry] = json_feed_entries(body.encode(), "https://a.vn/feed.json")
    assert isinstance(entry, RawEntry)
    assert (entry.author, entry.url, entry.published_at) == ("Ban biên tập", "https://a.vn/a", None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"items": []}', "not a JSON Feed"),
        (b"{not json", "not valid JSON"),
        (b"", "empty body"),
        (b"just some text", "not RSS, Atom or JSON Feed"),
    ],
)
def test_bodies_that_are_not_feeds_are_quarantined_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(Quarantine, match=reason):
        to_entries(body, BASE)


def test_an_html_page_is_quarantined_naming_its_rss_link() -> None:
    with pytest.raises(Quarantine) as caught:
        to_entries((FEEDS / "not-a-feed.html").read_bytes(), "https://bao.example.vn/")
    assert caught.value.reason == (
        "the URL returned an HTML page, not a feed; find the page's RSS link: "
        "https://bao.example.vn/rss/tin-moi-nhat.rss"
    )


@pytest.mark.parametrize("name", ["bomb.xml", "external-entity.xml"])
def test_xml_entity_attacks_are_refused(name: str) -> None:
    with pytest.raises(Quarantine, match="declares XML entities"):
        to_entries((FEEDS / name).read_bytes(), BASE)


def test_hostile_html_never_leaks_into_text() -> None:
    [entry] = entries("hostile.rss")
    assert entry.title == "Tin nóng"
    assert entry.text == "Nội dung\nthật"
    for leak in ("script", "document.cookie", "evil", "onerror", "display:none", "<"):
        assert leak not in entry.text + entry.title


def test_html_to_text_keeps_blocks_apart_and_decodes_entities() -> None:
    assert html_to_text("<p>Một</p><p>Hai &amp; ba</p>") == "Một\nHai & ba"
    assert html_to_text("plain text") == "plain text"


def test_wrong_charset_declarations_do_not_crash_or_garble() -> None:
    [utf8] = entries("latin1-declared-really-utf8.xml")
    [latin1] = entries("utf8-declared-really-latin1.xml")
    assert utf8.title == "Ngập ở Thủ Đức"
    assert latin1.title == "Café crème au lait"


def test_a_truncated_feed_keeps_the_entries_that_arrived_whole() -> None:
    found = entries("truncated.rss")
    assert [e.title for e in found][:1] == ["Một tuần Hà Nội có 1.400 người bệnh sốt xuất huyết vào viện"]


def test_a_body_naming_a_local_file_is_never_opened() -> None:
    with pytest.raises(Quarantine):
        to_entries(str(FEEDS / "rss091.xml").encode(), BASE)


# -- the connector ----------------------------------------------------------------------------------


def test_fetch_sends_validators_and_maps_304_to_not_modified(settings: Settings) -> None:
    seen: list[httpx.Headers] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        body = (FEEDS / "rss091.xml").read_bytes()
        return httpx.Response(
            200, content=body, headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Sep 2025"}
        )

    connector = FeedConnector(settings, make_client(settings, httpx.MockTransport(reply)))
    src = factories.source("https://ward.example.vn/rss")
    first = connector.fetch(src, SourceState())
    assert (first.status, len(first.entries), first.etag, first.last_modified) == (
        "ok",
        2,
        '"v1"',
        "Mon, 01 Sep 2025",
    )
    second = connector.fetch(src, SourceState(etag=first.etag, last_modified=first.last_modified))
    assert (second.status, second.entries, second.etag) == ("not_modified", [], '"v1"')
    assert "if-none-match" not in seen[0]
    assert (seen[1]["if-none-match"], seen[1]["if-modified-since"]) == ('"v1"', "Mon, 01 Sep 2025")


@pytest.mark.parametrize(
    ("reply", "outcome", "reason"),
    [
        (httpx.Response(429, headers={"Retry-After": "120"}), Retry, "HTTP 429"),
        (httpx.Response(503), Retry, "HTTP 503"),
        (httpx.Response(404), Quarantine, "HTTP 404"),
    ],
)
def test_http_failures_become_named_outcomes(
    settings: Settings, reply: httpx.Response, outcome: type[Exception], reason: str
) -> None:
    client = make_client(settings, httpx.MockTransport(lambda _request: reply))
    with pytest.raises(outcome, match=reason):
        FeedConnector(settings, client).fetch(factories.source(), SourceState())


def test_full_text_is_fetched_only_for_new_entries(settings: Settings, sqlite_store: Store) -> None:
    settings = settings.model_copy(update={"fetch_full_text": True})
    article = (
        b"<html><body><article><p>"
        + "Toàn văn bài báo về ngập. ".encode() * 40
        + b"</p></article></body></html>"
    )
    fetched: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("rss"):
            return httpx.Response(200, content=(FEEDS / "rss091.xml").read_bytes())
        fetched.append(request.url.path)
        return httpx.Response(200, content=article, headers={"Content-Type": "text/html"})

    old = factories.item("đã có", url="https://linhxuan.example.vn/thong-bao/cat-nuoc-khu-pho-3")
    sqlite_store.add_items([old])
    client = make_client(settings, httpx.MockTransport(reply))
    harvest = FeedConnector(settings, client, store=sqlite_store).fetch(
        factories.source("https://w.vn/rss"), SourceState()
    )
    assert fetched == ["/thong-bao/tiep-cong-dan-thang-9"]
    texts = [e.text for e in harvest.entries if isinstance(e, RawEntry)]
    assert texts[0].startswith("Tạm ngưng cấp nước")
    assert texts[1].startswith("Toàn văn bài báo về ngập.")


# -- over a real socket -----------------------------------------------------------------------------


def test_a_50_mb_body_is_refused_without_being_held(settings: Settings, server: FixtureServer) -> None:
    settings = settings.model_copy(update={"max_response_mb": 2.0})
    connector = FeedConnector(settings, make_client(settings))
    tracemalloc.start()
    try:
        with pytest.raises(Quarantine, match="limit"):
            connector.fetch(factories.source(server.url("/huge-undeclared")), SourceState())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024
    with pytest.raises(Quarantine, match="over the 2,097,152-byte limit"):
        connector.fetch(factories.source(server.url("/huge")), SourceState())


def test_a_stalled_body_is_a_retry(settings: Settings, server: FixtureServer) -> None:
    settings = settings.model_copy(update={"fetch_timeout_s": 0.2})
    with pytest.raises(Retry, match="timed out"):
        FeedConnector(settings, make_client(settings)).fetch(
            factories.source(server.url("/slow")), SourceState()
        )


def test_a_body_shorter_than_its_content_length_is_quarantined(
    settings: Settings, server: FixtureServer
) -> None:
    with pytest.raises(Quarantine, match="truncated"):
        FeedConnector(settings, make_client(settings)).fetch(
            factories.source(server.url("/truncated")), SourceState()
        )


def test_the_connector_exposes_its_pure_mapping() -> None:
    body = (FEEDS / "rss091.xml").read_bytes()
    assert FeedConnector.to_entries(body, BASE) == to_entries(body, BASE)
