"""Role checks in the response loop: a unit officer sees only their unit's cases, a collaborator only their
own reports, the public only the portal; the Telegram webhook wants Telegram's secret token."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from civicpulse.config import Settings
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import Store
from civicpulse.web.app import create_app
from tests.web.conftest import BASE_URL, make_user, sign_in

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

THU_DUC, OTHER = "26824", "26734"


@pytest.fixture
def desk(settings: Settings, sqlite_store: Store) -> ResponseDesk:
    settings = settings.model_copy(update={"telegram_webhook_secret": "s3cret-token"})
    return ResponseDesk(settings, sqlite_store)


@pytest.fixture
def clients(settings: Settings, sqlite_store: Store, desk: ResponseDesk) -> Iterator[dict[str, TestClient]]:
    app = create_app(desk.settings, sqlite_store, desk=desk)
    people = {
        "analyst": ("analyst", ()),
        "officer": ("unit_officer", (THU_DUC,)),
        "other_officer": ("unit_officer", (OTHER,)),
        "lan": ("collaborator", (THU_DUC,)),
        "minh": ("collaborator", (THU_DUC,)),
        "viewer": ("viewer", ()),
    }
    out: dict[str, TestClient] = {}
    with TestClient(app, base_url=BASE_URL) as anonymous:
        out["anonymous"] = anonymous
        for name, (role, units) in people.items():
            make_user(anonymous, name, role, units)
        for name in people:
            client = TestClient(app, base_url=BASE_URL)
            out[name] = sign_in(client, name)
        yield out
        for name in people:
            out[name].close()


def test_a_unit_officer_cannot_read_or_change_another_units_case(clients: dict[str, TestClient]) -> None:
    case = (
        clients["analyst"]
        .post("/api/cases", json={"origin": "manual", "title": "Ngập", "units": [THU_DUC]})
        .json()
    )
    url = f"/api/cases/{case['id']}"
    assert clients["officer"].get(url).status_code == 200
    assert clients["other_officer"].get(url).status_code == 404
    assert clients["other_officer"].post(url, json={"status": "in_progress"}).status_code == 404
    assert [c["id"] for c in clients["officer"].get("/api/cases").json()["cases"]] == [case["id"]]
    assert clients["other_officer"].get("/api/cases").json()["cases"] == []
    moved = clients["officer"].post(url, json={"status": "in_progress", "note": "đang xử lý"})
    assert moved.json()["status"] == "in_progress"
    bad = clients["officer"].post(url, json={"status": "new"})
    assert bad.status_code == 400 and "not to new" in bad.json()["detail"]
    assert clients["officer"].post(url, json={"units": [OTHER]}).status_code == 400  # only analysts route
    assert clients["officer"].post("/api/cases", json={"origin": "manual", "title": "x"}).status_code == 403


def test_a_collaborator_sees_only_their_reports(clients: dict[str, TestClient]) -> None:
    for name in ("lan", "minh"):
        body = {"text": f"Báo cáo của {name}", "idempotency_key": f"{name}-1", "unit": THU_DUC}
        assert clients[name].post("/api/field-reports", json=body).status_code == 200
    mine = clients["lan"].get("/api/field-reports").json()["reports"]
    assert [(r["text"], r["reporter"]) for r in mine] == [("Báo cáo của lan", "lan")]
    officer_view = {r["reporter"] for r in clients["officer"].get("/api/field-reports").json()["reports"]}
    assert officer_view == {"lan", "minh"}  # same unit: names shown
    analyst_view = {r["reporter"] for r in clients["analyst"].get("/api/field-reports").json()["reports"]}
    assert not analyst_view & {"lan", "minh"}  # outside the unit: no names
    assert clients["lan"].get("/api/cases").status_code == 403
    outside = {"text": "x", "idempotency_key": "lan-2", "unit": OTHER}
    assert clients["lan"].post("/api/field-reports", json=outside).status_code == 400
    assert clients["viewer"].post("/api/field-reports", json=outside | {"unit": THU_DUC}).status_code == 403


def test_the_public_sees_only_the_portal(clients: dict[str, TestClient]) -> None:
    anonymous = clients["anonymous"]
    assert anonymous.get("/portal").status_code == 200
    assert anonymous.get("/api/portal/clarifications").status_code == 200
    assert anonymous.get("/portal/feed.atom").status_code == 200
    for path in ("/api/cases", "/api/field-reports", "/api/clarifications", "/api/performance"):
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.get("/cases", follow_redirects=False).status_code == 303


def test_the_telegram_webhook_checks_the_secret_token(clients: dict[str, TestClient]) -> None:
    anonymous, update = (
        clients["anonymous"],
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5}}},
    )
    assert anonymous.post("/telegram/webhook", json=update).status_code == 403
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    answer = anonymous.post("/telegram/webhook", json={"update_id": 2, "poll": {}}, headers=headers)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "report": None}


def test_pages_render_for_their_roles(clients: dict[str, TestClient]) -> None:
    case = (
        clients["analyst"]
        .post("/api/cases", json={"origin": "manual", "title": "Ngập", "units": [THU_DUC]})
        .json()
    )
    for path in ("/cases", f"/cases/{case['id']}", "/performance", "/clarifications", "/clarifications/new"):
        assert clients["analyst"].get(path).status_code == 200, path
    assert clients["lan"].get("/field").status_code == 200
    assert 'name="idempotency_key"' in clients["lan"].get("/field").text
