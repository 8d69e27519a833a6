"""Watched pages and site sections: extraction, discovery within the section, bounded article fetches."""

from __future__ import annotations

import httpx
import pytest

from civicpulse.collect.http import make_client
from civicpulse.collect.ingest import RawEntry, make_item
from civicpulse.collect.pages import PageConnector, section_links, section_prefix, to_item
from civicpulse.config import Settings
from civicpulse.errors import Quarantine
from civicpulse.models import SourceKind, SourceState
from civicpulse.store import Store
from tests import factories
from tests.collect.conftest import PAGES, FixtureServer

SECTION = "https://bao.example.vn/thoi-su/"


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://a.vn/thoi-su/", "/thoi-su/"),
        ("https://a.vn/thoi-su", "/thoi-su/"),
        ("https://a.vn/thoi-su.htm", "/"),
        ("https://a.vn/tin/thoi-su.html", "/tin/"),
        ("https://a.vn", "/"),
    ],
)
def test_section_prefix(url: str, prefix: str) -> None:
    assert section_prefix(url) == prefix


def test_links_stay_on_the_host_under_the_section_and_are_deduplicated() -> None:
    links = section_links((PAGES / "section.html").read_bytes(), SECTION, SECTION)
    assert links == [
        "https://bao.example.vn/thoi-su/ngap-duong-kha-van-can.html",
        "https://bao.example.vn/thoi-su/ket-xe-cau-sai-gon.html",
    ]


def test_an_article_is_extracted_without_boilerplate_or_scripts() -> None:
    entry = to_item((PAGES / "article-ngap.html").read_bytes(), "https://bao.example.vn/thoi-su/ngap.html")
    assert isinstance(entry, RawEntry)
    assert entry.title == "Ngập sâu đường Kha Vạn Cân sau mưa lớn"
    assert "nửa mét" in entry.text
    assert "trackReader" not in entry.text and "Bản quyền" not in entry.text
    assert entry.author == "Phóng viên Minh An"


def test_a_page_without_main_text_is_quarantined() -> None:
    assert isinstance(to_item(b"<html><body><img src=x></body></html>", "https://a.vn/x"), Quarantine)


def test_a_watched_page_gets_a_new_key_only_when_its_text_changes() -> None:
    html = (PAGES / "notice.html").read_bytes()
    first, same = (
        to_item(html, "https://w.vn/tb", versioned=True),
        to_item(html, "https://w.vn/tb", versioned=True),
    )
    changed = to_item(
        html.replace(b"11 gi\xe1\xbb\x9d 30", b"12 gi\xe1\xbb\x9d"), "https://w.vn/tb", versioned=True
    )
    keys = [
        make_item(e, source_id=None, pseudonym_key="k").key
        for e in (first, same, changed)
        if isinstance(e, RawEntry)
    ]
    assert len(keys) == 3
    assert keys[0] == keys[1] != keys[2]


def routes(request: httpx.Request) -> httpx.Response:
    files = {
        "/thoi-su/": "section.html",
        "/thoi-su/ngap-duong-kha-van-can.html": "article-ngap.html",
        "/thoi-su/ket-xe-cau-sai-gon.html": "article-ketxe.html",
    }
    name = files.get(request.url.path)
    if name is None:
        return httpx.Response(404)
    return httpx.Response(200, content=(PAGES / name).read_bytes(), headers={"Content-Type": "text/html"})


def test_a_section_yields_its_new_articles_up_to_the_bound(settings: Settings, sqlite_store: Store) -> None:
    client = make_client(settings, httpx.MockTransport(routes))
    connector = PageConnector(settings, client, store=sqlite_store)
    bounded = factories.source(SECTION, kind=SourceKind.PAGE, settings={"max_articles": 1})
    harvest = connector.fetch(bounded, SourceState())
    assert [e.title for e in harvest.entries if isinstance(e, RawEntry)] == [
        "Ngập sâu đường Kha Vạn Cân sau mưa lớn"
    ]
    sqlite_store.add_items(
        [make_item(e, source_id=None, pseudonym_key="k") for e in harvest.entries if isinstance(e, RawEntry)]
    )
    again = connector.fetch(bounded, SourceState())
    assert [e.title for e in again.entries if isinstance(e, RawEntry)] == ["Kẹt xe kéo dài trên cầu Sài Gòn"]


def test_a_page_over_a_real_socket(settings: Settings, server: FixtureServer) -> None:
    connector = PageConnector(settings, make_client(settings))
    harvest = connector.fetch(factories.source(server.url("/thoi-su/"), kind=SourceKind.PAGE), SourceState())
    assert harvest.status == "ok"
    assert len([e for e in harvest.entries if isinstance(e, RawEntry)]) == 2
    notice = connector.fetch(
        factories.source(server.url("/pages/notice.html"), kind=SourceKind.PAGE), SourceState()
    )
    [entry] = notice.entries
    assert isinstance(entry, RawEntry) and entry.platform == "page"
