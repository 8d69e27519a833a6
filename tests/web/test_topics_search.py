"""Topics with syntax checks and previews; search with filters and cursors; exports, inline or background."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from civicpulse.config import Settings
from civicpulse.pipeline.workbench import Workbench
from civicpulse.store import Store
from civicpulse.store.access import AccessTables
from civicpulse.web.app import create_app
from civicpulse.web.routes import search
from tests.browser.showcase import load_showcase
from tests.web.conftest import BASE_URL, TestClient, make_user, sign_in


@pytest.fixture
def app_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    load_showcase(settings, sqlite_store)
    with TestClient(
        create_app(settings, sqlite_store, workbench=Workbench(sqlite_store)), base_url=BASE_URL
    ) as client:
        make_user(client, "ana", "analyst")
        yield sign_in(client, "ana")


def actions(store: Store) -> list[str]:
    return [e.action for e in AccessTables(store).audit_entries(limit=100)]


def test_the_check_endpoint_gives_the_error_position(app_client: TestClient) -> None:
    assert app_client.get("/api/topics/check", params={"q": 'ngập AND "Thủ Đức"'}).json() == {
        "ok": True,
        "problem": "",
        "position": None,
        "code": "",
        "message": "",
    }
    wrong = app_client.get("/api/topics/check", params={"q": "ngập AND (mưa OR"}).json()
    assert wrong["ok"] is False
    assert wrong["position"] == 16
    assert app_client.get("/api/topics/check", params={"q": "  "}).json()["ok"] is False


def test_without_javascript_the_server_shows_the_caret_and_saves_nothing(
    app_client: TestClient, sqlite_store: Store
) -> None:
    before = len(app_client.get("/api/topics").json())
    page = app_client.post("/topics", data={"name": "Ngập", "query": "ngập AND (mưa", "action": "save"})
    assert page.status_code == 422
    assert '<pre class="caret">ngập AND (mưa\n         ^</pre>' in page.text
    assert len(app_client.get("/api/topics").json()) == before
    assert "topic.create" not in actions(sqlite_store)


def test_create_preview_and_edit_a_topic_audited(app_client: TestClient, sqlite_store: Store) -> None:
    preview = app_client.get("/api/topics/preview", params={"q": "covid OR dịch"}).json()
    assert preview["check"]["ok"] and preview["scanned"] >= 300
    assert 0 < preview["matched"] <= preview["scanned"]
    assert len(preview["samples"]) == min(6, preview["matched"])
    saved = app_client.post(
        "/topics", data={"name": "Covid", "query": "covid", "enabled": "true"}, follow_redirects=False
    )
    assert saved.status_code == 303
    topic_id = int(saved.headers["location"].split("/")[2].split("?")[0])
    changed = app_client.put(f"/api/topics/{topic_id}", json={"name": "Covid-19", "query": "covid OR sars"})
    assert changed.json()["query"] == "covid OR sars"
    assert (
        app_client.put(f"/api/topics/{topic_id}", json={"name": "Ngập lụt", "query": "x"}).status_code == 409
    )
    assert app_client.put(f"/api/topics/{topic_id}", json={"name": "a", "query": "a AND"}).status_code == 422
    assert app_client.put("/api/topics/999999", json={"name": "a", "query": "a"}).status_code == 404
    assert {"topic.create", "topic.update"} <= set(actions(sqlite_store))


def test_a_viewer_may_read_topics_but_not_change_them(settings: Settings, sqlite_store: Store) -> None:
    with TestClient(
        create_app(settings, sqlite_store, workbench=Workbench(sqlite_store)), base_url=BASE_URL
    ) as client:
        make_user(client, "vi", "viewer")
        sign_in(client, "vi")
        assert client.get("/api/topics").status_code == 200
        assert client.post("/api/topics", json={"name": "a", "query": "a"}).status_code == 403
        assert client.post("/api/search/export").status_code == 403


def test_search_filters_and_pages(app_client: TestClient) -> None:
    first = app_client.get("/api/search", params={"q": "covid", "limit": 10}).json()
    assert len(first["items"]) == 10
    second = app_client.get(
        "/api/search", params={"q": "covid", "limit": 10, "cursor": first["next_cursor"]}
    ).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    negative = app_client.get(
        "/api/search", params={"q": "covid", "sentiment": "negative", "limit": 200}
    ).json()
    everything = app_client.get("/api/search", params={"q": "covid", "limit": 200}).json()
    assert len(negative["items"]) < len(everything["items"])
    assert app_client.get("/api/search", params={"q": "covid", "source_kind": "social"}).json()["items"] == []
    assert app_client.get("/api/search", params={"q": "covid", "language": "en"}).json()["items"] == []
    page = app_client.get("/search", params={"q": "covid", "lang": "en"}).text
    assert "Export CSV" in page


def test_small_exports_come_back_at_once_and_are_audited(app_client: TestClient, sqlite_store: Store) -> None:
    response = app_client.post("/api/search/export", params={"q": "covid", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and set(rows[0]) == {"id", "time", "source", "url", "title", "text", "author", "lang"}
    lines = app_client.post("/api/search/export", params={"q": "covid", "format": "jsonl"}).text.splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["id"] == int(rows[0]["id"])
    entries = AccessTables(sqlite_store).audit_entries(action="export")
    assert len(entries) == 2 and entries[0].details["rows"] == len(rows)


def test_large_exports_run_in_the_background_and_only_their_owner_gets_them(
    app_client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "INLINE_ROWS", 10)
    started = app_client.post("/search/export", params={"q": "", "format": "jsonl"}, follow_redirects=False)
    assert started.status_code == 303
    export_id = started.headers["location"].rsplit("/", 1)[1]
    app_client.app.state.exporter.wait(export_id)  # type: ignore[attr-defined]
    status = app_client.get(f"/api/exports/{export_id}").json()
    assert status["status"] == "ready" and status["rows"] >= 300
    assert "/download" in app_client.get(f"/exports/{export_id}").text
    download = app_client.get(status["url"])
    assert len(download.text.splitlines()) == status["rows"]
    assert (settings.data_dir / "exports" / f"{export_id}.jsonl").is_file()
    assert [e["id"] for e in app_client.get("/api/exports").json()] == [export_id]
    make_user(app_client, "binh", "analyst")
    sign_in(app_client, "binh")
    assert app_client.get(f"/api/exports/{export_id}").status_code == 404
    assert app_client.get(status["url"]).status_code == 404
