"""CSRF: every cookie-signed unsafe request needs the session's token; API-token requests are exempt."""

from __future__ import annotations

import re

import pytest

from civicpulse.store import Store
from tests.web.conftest import TestClient, access_of, make_user


@pytest.fixture
def browser(client: TestClient) -> TestClient:
    """The signed-in client without the CSRF header the other tests send for convenience."""
    del client.headers["X-CSRF-Token"]
    return client


def page_token(client: TestClient, path: str = "/") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    "data", [{}, {"csrf_token": "forged"}, {"csrf_token": ""}], ids=["none", "wrong", "empty"]
)
def test_the_demo_form_without_the_right_token_is_refused(
    browser: TestClient, sqlite_store: Store, data: dict[str, str]
) -> None:
    response = browser.post("/demo", data=data, params={"lang": "en"}, follow_redirects=False)
    assert response.status_code == 403
    assert "This form expired" in response.text
    assert sqlite_store.stats()["items"] == 0


def test_the_demo_form_with_its_token_loads(browser: TestClient, sqlite_store: Store) -> None:
    token = page_token(browser)
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in browser.get("/").text
    response = browser.post("/demo", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert sqlite_store.stats()["items"] >= 250


def test_every_form_on_the_pages_carries_the_token(browser: TestClient) -> None:
    make_user(browser, "boss", "administrator")
    for path in ("/", "/account"):
        page = browser.get(path).text
        assert page.count('method="post"') == page.count('name="csrf_token"'), path


def test_json_writes_with_a_cookie_need_the_header(browser: TestClient) -> None:
    assert browser.post("/api/account/tokens", json={"name": "x"}).status_code == 403
    token = page_token(browser, "/account")
    created = browser.post("/api/account/tokens", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert created.status_code == 201


def test_logout_needs_the_token_too(browser: TestClient) -> None:
    assert browser.post("/logout").status_code == 403
    assert browser.get("/api/overview").status_code == 200


def test_api_token_requests_are_exempt(anon_client: TestClient, sqlite_store: Store) -> None:
    owner = make_user(anon_client, "script", "analyst")
    token, _ = access_of(anon_client).tokens.create(owner, "loader")
    response = anon_client.post("/api/demo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["new"] >= 250
