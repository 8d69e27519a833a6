"""Administration of users and the audit log, through the pages and their JSON twins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from civicpulse.access.audit import Actor
from civicpulse.access.permissions import Role
from tests.web.conftest import PASSWORD, TestClient, access_of, make_user, sign_in

TRANSLATIONS = Path(__file__).resolve().parents[2] / "src" / "civicpulse" / "web" / "translations"


@pytest.fixture
def admin(anon_client: TestClient) -> TestClient:
    make_user(anon_client, "boss", "administrator")
    return sign_in(anon_client, "boss")


def test_an_administrator_adds_a_user_who_gets_a_one_time_password(admin: TestClient) -> None:
    page = admin.post(
        "/admin/users",
        data={"username": "lan", "role": "unit_officer", "units": "26734, 26737"},
        params={"lang": "en"},
    ).text
    match = re.search(r'id="one-time-password">([^<]+)<', page)
    assert match is not None
    assert "must change it at first sign-in" in page
    [lan] = [u for u in admin.get("/api/admin/users").json()["users"] if u["username"] == "lan"]
    assert lan["role"] == "unit_officer"
    assert lan["units"] == ["26734", "26737"]
    assert lan["must_change_password"] is True
    assert "password_hash" not in lan


def test_bad_input_is_explained_on_the_page(admin: TestClient) -> None:
    page = admin.post("/admin/users", data={"username": "lan", "role": "unit_officer"}, params={"lang": "en"})
    assert page.status_code == 400
    assert "A unit officer needs at least one unit code." in page.text
    last = admin.post("/admin/users/boss/disable", params={"lang": "en"})
    assert last.status_code == 400
    assert "last administrator" in last.text


def test_role_reset_and_disable_take_effect_at_once(admin: TestClient, anon_client: TestClient) -> None:
    make_user(admin, "minh", "viewer")
    assert admin.post("/admin/users/minh/role", data={"role": "analyst", "units": ""}).status_code == 200
    assert [u["role"] for u in admin.get("/api/admin/users").json()["users"] if u["username"] == "minh"] == [
        "analyst"
    ]
    reset = admin.post("/admin/users/minh/reset-password").text
    assert re.search(r'id="one-time-password">([^<]+)<', reset)
    assert admin.post("/admin/users/minh/disable", follow_redirects=False).headers["location"] == (
        "/admin/users?done=disabled"
    )
    assert access_of(admin).accounts.login("minh", PASSWORD, Actor(address="10.9.9.9")).outcome == "refused"


def test_the_json_api_adds_users(admin: TestClient) -> None:
    created = admin.post("/api/admin/users", json={"username": "tu", "role": "collaborator"})
    assert created.status_code == 201
    assert len(created.json()["one_time_password"]) == 16
    again = admin.post("/api/admin/users", json={"username": "tu", "role": "collaborator"})
    assert again.status_code == 400
    assert "already exists" in again.json()["detail"]


def test_writes_are_audited_with_who_and_from_where(admin: TestClient) -> None:
    admin.post(
        "/admin/users", data={"username": "lan", "role": "viewer"}, headers={"User-Agent": "Firefox/140"}
    )
    admin.post("/demo")
    admin.post("/api/account/tokens", json={"name": "ci"})
    entries = admin.get("/api/admin/audit").json()["entries"]
    actions = [e["action"] for e in entries]
    assert actions[:4] == ["token.create", "demo.load", "user.add", "login"]
    add = entries[2]
    assert (add["actor"], add["via"], add["target"]) == ("boss", "session", "lan")
    assert add["user_agent"] == "Firefox/140"
    assert add["address"] == "testclient"
    page = admin.get("/admin/audit", params={"lang": "en"}).text
    assert "Audit log" in page
    assert "user.add" in page
    assert 'href="/api/admin/audit"' in page


def test_the_audit_log_pages_with_a_cursor(admin: TestClient) -> None:
    for _ in range(3):
        admin.post("/api/account/tokens", json={"name": "x"})
    first = admin.get("/api/admin/audit", params={"limit": 2}).json()
    assert len(first["entries"]) == 2
    second = admin.get("/api/admin/audit", params={"limit": 2, "before": first["next_before"]}).json()
    assert second["entries"][0]["id"] < first["entries"][-1]["id"]
    only = admin.get("/api/admin/audit", params={"action": "login"}).json()["entries"]
    assert {e["action"] for e in only} == {"login"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_keys_built_at_render_time_exist(lang: str) -> None:
    strings = json.loads((TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8"))
    keys = {f"role.{r.value}" for r in Role}
    keys |= {f"account.done.{k}" for k in ("password", "revoked", "totp_on", "totp_off")}
    keys |= {f"users.done.{k}" for k in ("role", "disabled", "enabled")}
    keys |= {"error.csrf", "error.forbidden", "login.locked", "login.refused", "login.bad_code"}
    keys |= {
        f"users.{k}"
        for k in ("bad_name", "exists", "bad_role", "bad_units", "needs_units", "last_admin", "unknown")
    }
    keys |= {
        f"password.{k}"
        for k in ("too_short", "has_username", "too_simple", "wrong_current", "same", "mismatch")
    }
    assert keys - set(strings) == set()


def test_admin_pages_render_in_both_languages(admin: TestClient) -> None:
    for path in ("/admin/users", "/admin/audit", "/account"):
        assert "Người dùng" in admin.get(path, params={"lang": "vi"}).text
        assert '<html lang="en">' in admin.get(path, params={"lang": "en"}).text
