"""Personal API tokens through the pages and the API: shown once, hashed, revocable, scoped like the owner."""

from __future__ import annotations

import re

from civicpulse.access.audit import Actor
from tests.web.conftest import TestClient, access_of, make_user, sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_works_until_revoked(client: TestClient, anon_client: TestClient) -> None:
    page = client.post("/account/tokens", data={"name": "báo cáo tuần"}, params={"lang": "en"}).text
    match = re.search(r'id="new-token">(cp_[^<]+)<', page)
    assert match is not None
    token = match.group(1)
    assert "shown only once" in page
    assert token not in client.get("/account").text
    listed = client.get("/api/account").json()["tokens"]
    assert [(t["name"], t["prefix"]) for t in listed] == [("báo cáo tuần", token[:10])]
    assert token not in str(listed)

    assert anon_client.get("/api/overview", headers=bearer(token)).status_code == 200
    revoked = client.post(f"/account/tokens/{listed[0]['id']}/revoke", follow_redirects=False)
    assert revoked.headers["location"] == "/account?done=revoked"
    assert anon_client.get("/api/overview", headers=bearer(token)).status_code == 401
    assert anon_client.get("/api/overview", headers=bearer("cp_made-up")).status_code == 401


def test_tokens_through_the_json_api(client: TestClient, anon_client: TestClient) -> None:
    created = client.post("/api/account/tokens", json={"name": "ci"})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("cp_")
    assert (
        anon_client.get("/api/account", headers=bearer(body["token"])).json()["user"]["username"]
        == "test-analyst"
    )
    assert (
        anon_client.delete(f"/api/account/tokens/{body['id']}", headers=bearer(body["token"])).status_code
        == 204
    )
    assert anon_client.get("/api/account", headers=bearer(body["token"])).status_code == 401
    assert client.delete(f"/api/account/tokens/{body['id']}").status_code == 404


def test_a_token_acts_with_its_owners_current_role(anon_client: TestClient) -> None:
    access = access_of(anon_client)
    owner = make_user(anon_client, "lan", "viewer")
    make_user(anon_client, "boss", "administrator")
    token, _ = access.tokens.create(owner, "script")
    assert anon_client.get("/api/overview", headers=bearer(token)).status_code == 200
    assert anon_client.post("/api/demo", headers=bearer(token)).status_code == 403
    assert anon_client.get("/api/admin/users", headers=bearer(token)).status_code == 403
    access.accounts.set_role("lan", "analyst", "", Actor())
    assert anon_client.get("/api/overview", headers=bearer(token)).status_code == 200
    assert anon_client.post("/api/demo", headers=bearer(token)).status_code == 200
    access.accounts.set_disabled("lan", True, Actor())
    assert anon_client.get("/api/overview", headers=bearer(token)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client: TestClient, anon_client: TestClient) -> None:
    other = make_user(anon_client, "minh", "analyst")
    _, record = access_of(anon_client).tokens.create(other, "theirs")
    assert client.post(f"/account/tokens/{record.id}/revoke").status_code == 404
    sign_in(anon_client, "minh")
    assert [t["revoked_at"] for t in anon_client.get("/api/account").json()["tokens"]] == [None]
