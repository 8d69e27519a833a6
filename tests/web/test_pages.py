"""Every page renders in both languages and shows what its users need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import escape

from civicpulse.models import QuarantineEntry, SourceState
from civicpulse.store import Store
from tests import factories
from tests.web.conftest import TestClient

TRANSLATIONS = Path(__file__).resolve().parents[2] / "src" / "civicpulse" / "web" / "translations"
PAGES = ["/", "/items", "/items?q=Sài Gòn", "/items?q=khong co gi nhu the nay", "/sources", "/sources/1"]
PAGES += ["/quarantine"]


def strings(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_both_languages(demo_client: TestClient, path: str, lang: str) -> None:
    sep = "&" if "?" in path else "?"
    response = demo_client.get(f"{path}{sep}lang={lang}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    assert escape(strings(lang)["nav.overview"]) in response.text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_render_on_an_empty_store(client: TestClient, lang: str) -> None:
    for path in ("/", "/items", "/items?q=ngập", "/sources", "/quarantine"):
        assert client.get(path, params={"lang": lang}).status_code == 200, path


def test_vietnamese_is_the_default_language(client: TestClient) -> None:
    assert '<html lang="vi">' in client.get("/").text


def test_accept_language_picks_english(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
    assert '<html lang="en">' in page.text
    page = client.get("/", headers={"Accept-Language": "fr, vi;q=0.8, en;q=0.7"})
    assert '<html lang="vi">' in page.text


def test_choosing_a_language_is_remembered_in_a_cookie(client: TestClient) -> None:
    first = client.get("/", params={"lang": "en"})
    assert first.cookies.get("lang") == "en"
    assert '<html lang="en">' in client.get("/sources").text
    assert '<html lang="vi">' in client.get("/sources", params={"lang": "vi"}).text


def test_empty_overview_tells_how_to_load_the_demo(client: TestClient) -> None:
    page = client.get("/", params={"lang": "en"}).text
    assert 'id="empty-state"' in page
    assert "civicpulse demo" in page
    assert "civicpulse sources add URL" in page
    assert '<form method="post" action="/demo">' in page
    assert "Load demo" in page
    assert "Tải dữ liệu mẫu" in client.get("/", params={"lang": "vi"}).text


def test_the_demo_button_loads_the_demo_once(client: TestClient, sqlite_store: Store) -> None:
    response = client.post("/demo", follow_redirects=False)
    assert response.status_code == 303
    loaded = sqlite_store.stats()["items"]
    assert loaded >= 250
    page = client.get(response.headers["location"] + "&lang=en").text
    assert f"Loaded {loaded} new items" in page
    assert 'id="empty-state"' not in page
    again = client.post("/demo", params={"lang": "en"})  # follows the redirect
    assert "already loaded" in again.text
    assert sqlite_store.stats()["items"] == loaded


def test_overview_draws_48_hourly_bars_with_axis_labels(demo_client: TestClient) -> None:
    page = demo_client.get("/").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('<rect class="bar"') == 48
    assert svg.count('class="axis"') >= 8  # y values and a label every six hours
    assert "<script" not in page


def test_overview_shows_pseudonyms_never_handles(client: TestClient, sqlite_store: Store) -> None:
    src = sqlite_store.add_source(factories.source(name="Diễn đàn"))
    [stored] = sqlite_store.add_items(
        [factories.item("Đường Lê Lợi ngập", source_id=src.id, author="@nguyen.van.a", url="https://f.vn/1")]
    )
    page = client.get("/").text
    assert stored.author.startswith("a_")
    assert stored.author in page
    assert "nguyen.van.a" not in page


def test_failing_sources_show_their_error_at_a_glance(client: TestClient, sqlite_store: Store) -> None:
    src = sqlite_store.add_source(factories.source("https://down.example.vn/rss", name="Báo Ví Dụ"))
    assert src.id is not None
    state = SourceState(error_streak=3, last_error="HTTP 404 for https://down.example.vn/rss; check the URL")
    sqlite_store.save_source_state(src.id, state)
    page = client.get("/", params={"lang": "en"}).text
    assert "Báo Ví Dụ" in page
    assert "Failing" in page
    assert "HTTP 404 for" in page
    detail = client.get(f"/sources/{src.id}", params={"lang": "vi"}).text
    assert "Đang lỗi" in detail


def test_quarantine_page_shows_reasons(client: TestClient, sqlite_store: Store) -> None:
    sqlite_store.quarantine(QuarantineEntry(origin="feed:https://a.vn/rss", reason="not a feed: HTML page"))
    page = client.get("/quarantine").text
    assert "not a feed: HTML page" in page


def test_an_unknown_source_is_a_404_page(client: TestClient) -> None:
    response = client.get("/sources/999", params={"lang": "en"})
    assert response.status_code == 404
    assert "Not found" in response.text


def test_static_assets_are_served_by_the_app(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert client.get("/static/favicon.svg").status_code == 200
