"""The JSON twins return the data their pages show; search, demo loading and health probes work."""

from __future__ import annotations

import pytest
from markupsafe import escape

from civicpulse.config import Settings
from civicpulse.models import QuarantineEntry
from civicpulse.store import Store
from civicpulse.store.engine import open_engine
from civicpulse.web.app import create_app
from tests import factories
from tests.web.conftest import TestClient

TWINS = [
    ("/", "/api/overview"),
    ("/items", "/api/items"),
    ("/items?q=TP.HCM", "/api/items?q=TP.HCM"),
    ("/sources", "/api/sources"),
    ("/sources/1", "/api/sources/1"),
    ("/quarantine", "/api/quarantine"),
]


@pytest.mark.parametrize(("page", "api"), TWINS)
def test_every_page_has_a_json_twin(demo_client: TestClient, page: str, api: str) -> None:
    response = demo_client.get(api)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert f'href="{api}"' in demo_client.get(page).text.replace("&amp;", "&")


def test_overview_twin_holds_the_same_counts_items_and_sources(demo_client: TestClient) -> None:
    data = demo_client.get("/api/overview").json()
    page = demo_client.get("/").text
    assert data["empty"] is False
    assert data["counts"]["items"] >= 250
    assert f'<span class="count-value">{data["counts"]["items"]}</span>' in page
    assert len(data["activity"]) == 48
    assert sum(h["count"] for h in data["activity"]) > 0
    assert data["newest"]
    for item in data["newest"]:
        assert escape(item["title"]) in page
    assert [s["name"] for s in data["sources"]] == ["Dân Trí (demo)"]


def test_items_twin_lists_the_items_the_page_shows(demo_client: TestClient) -> None:
    data = demo_client.get("/api/items", params={"q": "Sài Gòn", "limit": 20}).json()
    page = demo_client.get("/items", params={"q": "Sài Gòn", "limit": 20}).text
    assert data["query"] == "Sài Gòn"
    assert 0 < len(data["items"]) <= 20
    assert page.count('<li class="item">') == len(data["items"])
    for item in data["items"]:
        assert escape(item["url"]) in page


def test_quarantine_twin_matches_the_page(client: TestClient, sqlite_store: Store) -> None:
    sqlite_store.quarantine(QuarantineEntry(origin="import:x.jsonl:3", reason="line 3 is not JSON"))
    data = client.get("/api/quarantine").json()
    assert data["total"] == 1
    assert data["entries"][0]["reason"] == "line 3 is not JSON"
    assert "line 3 is not JSON" in client.get("/quarantine").text


@pytest.mark.parametrize("query", ["ngập Thủ Đức", "ngap thu duc", "NGẬP", "thu đuc"])
def test_search_works_with_and_without_diacritics(any_client: TestClient, store: Store, query: str) -> None:
    store.add_items(
        [
            factories.item("Ngập sâu ở Thủ Đức sau mưa lớn", url="https://a.vn/1"),
            factories.item("Giá vàng tăng mạnh", url="https://a.vn/2"),
        ]
    )
    found = any_client.get("/api/items", params={"q": query}).json()["items"]
    assert [i["text"] for i in found] == ["Ngập sâu ở Thủ Đức sau mưa lớn"]
    page = any_client.get("/items", params={"q": query}).text
    assert "Ngập sâu ở Thủ Đức sau mưa lớn" in page
    assert "Giá vàng" not in page


def test_search_with_no_match_says_what_to_try(client: TestClient) -> None:
    page = client.get("/items", params={"q": "xyzzy", "lang": "en"}).text
    assert "No items match" in page
    assert client.get("/api/items", params={"q": "xyzzy"}).json()["items"] == []


def test_api_demo_loads_once(client: TestClient) -> None:
    first = client.post("/api/demo").json()
    assert first["new"] == first["seen"] >= 250
    assert client.post("/api/demo").json()["new"] == 0


def test_unknown_source_twin_is_a_404_saying_where_to_look(client: TestClient) -> None:
    response = client.get("/api/sources/999")
    assert response.status_code == 404
    assert "/api/sources" in response.json()["detail"]


def test_openapi_describes_the_json_api_only(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    expected = {"/api/overview", "/api/items", "/api/sources", "/api/sources/{source_id}", "/api/quarantine"}
    assert expected | {"/api/demo", "/healthz", "/readyz"} <= set(paths)
    assert "/" not in paths
    assert "/items" not in paths
    # The interactive docs would load scripts from a CDN, so they are off.
    assert client.get("/docs").status_code == 404


def test_healthz_and_readyz(any_client: TestClient) -> None:
    assert any_client.get("/healthz").json() == {"status": "ok", "detail": ""}
    ready = any_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = Store(open_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"))
    with TestClient(create_app(settings, unreachable)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert "check that it is running" in ready.json()["detail"]
