"""Dashboard pages and their JSON twins over the showcase: hotspots, map, stories, alerts, units, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select

from civicpulse.config import Settings
from civicpulse.pipeline.workbench import Workbench
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import Store
from civicpulse.store.access import AccessTables
from civicpulse.store.claims import ClaimTables
from civicpulse.store.detection import DetectionTables
from civicpulse.store.schema import items
from civicpulse.web.app import create_app
from tests.browser.showcase import load_showcase
from tests.web.conftest import BASE_URL, TestClient, make_user, sign_in


@pytest.fixture
def showcase(settings: Settings, sqlite_store: Store) -> dict[str, int]:
    return load_showcase(settings, sqlite_store)


@pytest.fixture
def app_client(settings: Settings, sqlite_store: Store, showcase: dict[str, int]) -> Iterator[TestClient]:
    """An analyst's client of the app as `civicpulse serve` builds it, over the showcase."""
    app = create_app(
        settings, sqlite_store, desk=ResponseDesk(settings, sqlite_store), workbench=Workbench(sqlite_store)
    )
    with TestClient(app, base_url=BASE_URL) as client:
        make_user(client, "ana", "analyst")
        yield sign_in(client, "ana")


def audit_actions(store: Store) -> list[str]:
    return [entry.action for entry in AccessTables(store).audit_entries(limit=100)]


PAGES = [
    ("/", "/api/overview"),
    ("/stories", "/api/stories"),
    ("/stories?since=720&sentiment=negative", "/api/stories?since=720&sentiment=negative"),
    ("/alerts", "/api/alerts"),
    ("/topics", "/api/topics"),
    ("/units", "/api/units"),
    ("/units/26743", "/api/units/26743"),
    ("/search?q=covid", "/api/search?q=covid"),
]


@pytest.mark.parametrize(("page", "api"), PAGES)
def test_every_dashboard_page_links_its_json_twin(app_client: TestClient, page: str, api: str) -> None:
    response = app_client.get(page)
    assert response.status_code == 200
    assert f'href="{api}"' in response.text.replace("&amp;", "&")
    assert app_client.get(api).status_code == 200


def test_overview_ranks_hotspots_with_their_reason_and_draws_the_map(
    app_client: TestClient, showcase: dict[str, int]
) -> None:
    data = app_client.get("/api/overview", params={"lang": "en"}).json()
    scores = [h["score"] for h in data["hotspots"]]
    assert scores == sorted(scores, reverse=True)
    top = data["hotspots"][0]
    assert top["id"] == showcase["alert"]
    assert top["reason"].startswith("10.5× the usual volume for")
    assert "in Phường Thủ Đức in the last hour; 14 sources; 60 % negative" in top["reason"]
    assert len(data["units"]) == 168
    assert len(data["activity"]) == 48
    assert all(h["low"] <= h["high"] for h in data["activity"])
    page = app_client.get("/", params={"lang": "en"}).text
    assert page.count('<path class="cell') == 168
    assert page.count('<a href="/units/') >= 168
    assert 'class="map-legend"' in page
    assert top["reason"].replace("“", "&#8220;") in page or top["label"][:20] in page


def test_stories_page_by_cursor_without_repeats(app_client: TestClient) -> None:
    first = app_client.get("/api/stories", params={"limit": 20}).json()
    second = app_client.get("/api/stories", params={"limit": 20, "cursor": first["next_cursor"]}).json()
    ids = [s["id"] for s in first["stories"]] + [s["id"] for s in second["stories"]]
    assert len(ids) == len(set(ids)) == 40
    assert all(len(s["hours"]) == 48 for s in first["stories"])
    assert app_client.get("/api/stories", params={"cursor": "not-a-cursor"}).status_code == 400


def test_story_filters_narrow_the_list(app_client: TestClient) -> None:
    everything = app_client.get("/api/stories", params={"limit": 200}).json()["stories"]
    in_unit = app_client.get("/api/stories", params={"unit": "26743", "limit": 200}).json()["stories"]
    negative = app_client.get("/api/stories", params={"sentiment": "negative", "limit": 200}).json()[
        "stories"
    ]
    assert 0 < len(in_unit) < len(everything)
    assert 0 < len(negative) < len(everything)
    assert app_client.get("/api/stories", params={"source_kind": "social"}).json()["stories"] == []
    assert app_client.get("/api/stories", params={"has_case": "yes"}).json()["stories"] == []


def test_story_page_shows_timeline_sources_samples_and_the_suggested_claim(
    app_client: TestClient, showcase: dict[str, int]
) -> None:
    data = app_client.get(f"/api/stories/{showcase['story']}").json()
    assert data["timeline"] and data["sources"][0]["name"] == "Dân Trí (demo)"
    assert data["samples"] and all(not s["author"] or s["author"].startswith("a_") for s in data["samples"])
    [claim] = data["claims"]
    assert claim["status"] == "suggested"
    assert showcase["alert"] in [a["id"] for a in data["alerts"]]
    assert app_client.get("/api/stories/999999").status_code == 404


def test_confirming_a_claim_match_is_audited(
    app_client: TestClient, sqlite_store: Store, showcase: dict[str, int]
) -> None:
    story = showcase["story"]
    [claim] = app_client.get(f"/api/stories/{story}").json()["claims"]
    response = app_client.post(
        f"/stories/{story}/claims",
        data={"item_id": claim["item_id"], "claim_id": claim["claim_id"], "status": "linked"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [match] = ClaimTables(sqlite_store).matches(item_id=claim["item_id"])
    assert (match.status, match.decided_by) == ("linked", "ana")
    assert "claim.linked" in audit_actions(sqlite_store)
    wrong = app_client.post(
        f"/api/stories/{story + 1}/claims",
        params={"item_id": claim["item_id"], "claim_id": claim["claim_id"], "status": "rejected"},
    )
    assert wrong.status_code == 404


def test_acknowledge_then_feedback_then_a_refused_move(
    app_client: TestClient, sqlite_store: Store, showcase: dict[str, int]
) -> None:
    alert = showcase["alert"]
    assert (
        app_client.post(f"/api/alerts/{alert}/status", params={"status": "acknowledged"}).json()["alert"][
            "status"
        ]
        == "acknowledged"
    )
    assert (
        app_client.post(f"/api/alerts/{alert}/feedback", params={"verdict": "noise"}).json()["alert"][
            "feedback"
        ]
        == "noise"
    )
    assert app_client.post(f"/api/alerts/{alert}/status", params={"status": "dismissed"}).status_code == 200
    refused = app_client.post(f"/api/alerts/{alert}/status", params={"status": "acknowledged"})
    assert refused.status_code == 409
    assert "dismissed" in refused.json()["detail"]
    actions = audit_actions(sqlite_store)
    assert {"alert.acknowledged", "alert.noise", "alert.dismissed"} <= set(actions)
    assert DetectionTables(sqlite_store).sensitivities()["default"]["noise"] == 1


def test_opening_a_case_from_an_alert_moves_it(
    app_client: TestClient, sqlite_store: Store, showcase: dict[str, int]
) -> None:
    alert = showcase["alert"]
    response = app_client.post(f"/alerts/{alert}/case", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/cases/")
    assert DetectionTables(sqlite_store).alert(alert)["status"] == "case_opened"
    story = app_client.get(f"/api/stories/{showcase['story']}").json()
    assert story["case"]["id"] == int(response.headers["location"].rsplit("/", 1)[1])
    assert (
        app_client.get("/api/stories", params={"has_case": "yes"}).json()["stories"][0]["id"]
        == showcase["story"]
    )


def test_a_unit_officer_sees_only_their_units_alerts(
    settings: Settings, sqlite_store: Store, showcase: dict[str, int]
) -> None:
    app = create_app(settings, sqlite_store, workbench=Workbench(sqlite_store))
    with TestClient(app, base_url=BASE_URL) as client:
        make_user(client, "lan", "unit_officer", ("26743",))
        sign_in(client, "lan")
        alerts = client.get("/api/alerts").json()["alerts"]
        assert alerts and all("26743" in a["units"] for a in alerts)
        assert client.get(f"/api/alerts/{showcase['alert']}").status_code == 404  # Thủ Đức's, not theirs
        assert (
            client.post(
                f"/api/alerts/{alerts[0]['id']}/status", params={"status": "acknowledged"}
            ).status_code
            == 403
        )
        other = client.get("/api/units/26824").json()
        assert other["cases"] == [] and other["reports"] == [] and other["hotspots"] == []
        assert client.get("/api/units/99999").status_code == 404


def test_sources_and_the_overview_show_a_two_week_sparkline_per_source(app_client: TestClient) -> None:
    sources = app_client.get("/sources").text
    assert sources.count('<svg class="spark"') == len(app_client.get("/api/sources").json()["sources"]) == 1
    overview = app_client.get("/").text
    assert overview.count('<svg class="spark"') == 1


def test_sources_carry_their_collection_rate_over_24_hours_or_7_days(
    app_client: TestClient, sqlite_store: Store
) -> None:
    day = app_client.get("/api/sources").json()
    assert (day["rate"]["window"], day["rate"]["buckets"], day["rate"]["bucket_s"]) == ("24h", 24, 3600)
    week = app_client.get("/api/sources", params={"window": "7d"}).json()
    assert (week["rate"]["buckets"], week["rate"]["bucket_s"]) == (28, 6 * 3600)
    start = datetime.fromisoformat(week["rate"]["start"])
    for source in week["sources"]:
        assert len(source["rate"]) == 28
        # Every item collected in the window is in exactly one bucket, none outside it.
        with sqlite_store.engine.connect() as conn:
            expected = conn.execute(
                select(func.count())
                .select_from(items)
                .where(items.c.source_id == source["id"], items.c.collected_at >= start)
            ).scalar_one()
        assert sum(source["rate"]) == expected
    assert 0 < sum(sum(s["rate"]) for s in day["sources"]) <= sum(sum(s["rate"]) for s in week["sources"])
    assert app_client.get("/api/sources", params={"window": "1y"}).status_code == 422
    page = app_client.get("/sources", params={"window": "7d", "lang": "en"}).text
    assert "Items per 6 hours (7 days)" in page and 'href="/api/sources?window=7d"' in page
    source_id = week["sources"][0]["id"]
    assert len(app_client.get(f"/api/sources/{source_id}").json()["source"]["rate"]) == 28
    assert '<dd class="rate"><svg class="spark"' in app_client.get(f"/sources/{source_id}").text
