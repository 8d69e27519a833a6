"""Signing in and out: redirects, cookie flags, wrong passwords, lockout with its time, TOTP, expiry."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from civicpulse.access import totp
from civicpulse.access.audit import Actor
from civicpulse.config import Settings
from civicpulse.store import Store
from civicpulse.web.app import create_app
from tests.access.conftest import FakeClock
from tests.web.conftest import BASE_URL, PASSWORD, TestClient, access_of, make_user, sign_in


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def web(settings: Settings, sqlite_store: Store, clock: FakeClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, sqlite_store, clock=clock), base_url=BASE_URL) as client:
        yield client


def post_login(client: TestClient, username: str, password: str, next_: str = "/") -> httpx.Response:
    client.get("/login")
    data = {
        "username": username,
        "password": password,
        "csrf_token": client.cookies.get("cp_login", ""),
        "next": next_,
    }
    return client.post("/login", data=data, follow_redirects=False)


def test_signed_out_pages_redirect_to_login_and_the_api_answers_401(anon_client: TestClient) -> None:
    page = anon_client.get("/sources?lang=en", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/sources%3Flang%3Den"
    api = anon_client.get("/api/overview")
    assert api.status_code == 401
    assert api.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in api.json()["detail"]
    assert anon_client.post("/api/demo").status_code == 401


def test_login_page_in_both_languages(anon_client: TestClient) -> None:
    assert "Đăng nhập" in anon_client.get("/login").text
    page = anon_client.get("/login", params={"lang": "en"}).text
    assert "Sign in" in page
    assert 'name="csrf_token"' in page


def test_login_goes_back_where_the_user_was_and_sets_a_safe_cookie(web: TestClient) -> None:
    make_user(web, "lan", "analyst")
    response = post_login(web, "lan", PASSWORD, "/sources?lang=en")
    assert response.status_code == 303
    assert response.headers["location"] == "/sources?lang=en"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("cp_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert web.get("/sources").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_login_never_redirects_to_another_site(web: TestClient, target: str) -> None:
    make_user(web, "lan", "analyst")
    assert post_login(web, "lan", PASSWORD, target).headers["location"] == "/"


def test_plain_http_on_loopback_gets_a_cookie_without_secure(settings: Settings, sqlite_store: Store) -> None:
    with TestClient(create_app(settings, sqlite_store), base_url="http://127.0.0.1:8000") as client:
        make_user(client, "lan", "analyst")
        response = post_login(client, "lan", PASSWORD)
        cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("cp_session="))
        assert "Secure" not in cookie
    always = settings.model_copy(update={"cookie_secure": "always"})
    with TestClient(create_app(always, sqlite_store), base_url="http://127.0.0.1:8000") as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]


def test_a_wrong_password_says_so(web: TestClient) -> None:
    make_user(web, "lan", "analyst")
    web.get("/login", params={"lang": "en"})
    response = post_login(web, "lan", "not the password")
    assert response.status_code == 401
    assert web.get("/api/overview").status_code == 401


def test_lockout_tells_when_to_try_again(web: TestClient, settings: Settings, clock: FakeClock) -> None:
    make_user(web, "lan", "analyst")
    web.cookies.set("lang", "en")
    for _ in range(settings.login_max_failures - 1):
        assert post_login(web, "lan", "wrong").status_code == 401
    locked = post_login(web, "lan", "wrong")
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == str(int(settings.login_lockout_s) + 1)
    # 08:00 UTC is 15:00 in Ho Chi Minh City; the lockout ends a minute later.
    assert "Too many failed attempts. Try again after 15:01 01/03/2026." in locked.text
    assert post_login(web, "lan", PASSWORD).status_code == 429
    clock.advance(seconds=settings.login_lockout_s + 1)
    assert post_login(web, "lan", PASSWORD).status_code == 303


def test_a_login_form_without_its_token_is_refused(web: TestClient) -> None:
    make_user(web, "lan", "analyst")
    response = web.post("/login", data={"username": "lan", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403
    assert web.get("/api/overview").status_code == 401


def test_logout_ends_the_session_for_good(web: TestClient) -> None:
    make_user(web, "lan", "analyst")
    sign_in(web, "lan")
    cookie = web.cookies.get("cp_session")
    assert web.post("/logout", follow_redirects=False).headers["location"] == "/login"
    web.cookies.set("cp_session", cookie or "", domain="testserver")
    assert web.get("/api/overview").status_code == 401
    assert access_of(web).audit.entries()[0].action == "logout"


def test_an_idle_session_expires(web: TestClient, settings: Settings, clock: FakeClock) -> None:
    make_user(web, "lan", "analyst")
    sign_in(web, "lan")
    clock.advance(seconds=settings.session_idle_s + 1)
    assert web.get("/", follow_redirects=False).headers["location"] == "/login?next=/"


def test_a_one_time_password_must_be_changed_first(web: TestClient) -> None:
    access = access_of(web)
    _, password = access.accounts.add("lan", "analyst", "", Actor())
    assert post_login(web, "lan", password).headers["location"] == "/account"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/account").text)
    assert csrf is not None
    assert web.get("/", follow_redirects=False).headers["location"] == "/account"
    assert web.get("/api/overview").status_code == 403
    changed = web.post(
        "/account/password",
        data={
            "current": password,
            "new": "my own long password",
            "confirm": "my own long password",
            "csrf_token": csrf.group(1),
        },
        follow_redirects=False,
    )
    assert changed.headers["location"] == "/account?done=password"
    assert web.get("/").status_code == 200


def test_collaborators_land_on_their_account(web: TestClient) -> None:
    make_user(web, "tu", "collaborator")
    assert post_login(web, "tu", PASSWORD).headers["location"] == "/account"
    assert web.get("/", params={"lang": "en"}).status_code == 403
    assert "Not allowed" in web.get("/", params={"lang": "en"}).text


def test_administrators_can_add_a_totp_second_factor(web: TestClient, clock: FakeClock) -> None:
    make_user(web, "boss", "administrator")
    sign_in(web, "boss")
    page = web.post("/account/totp/start").text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    assert "otpauth://totp/civicpulse:boss?secret=" in page
    code = totp.totp(totp.decode_secret(secret.group(1)), clock().timestamp())
    assert web.post("/account/totp/confirm", data={"code": "000000"}).status_code == 400
    confirmed = web.post("/account/totp/confirm", data={"code": code}, follow_redirects=False)
    assert confirmed.headers["location"] == "/account?done=totp_on"
    web.post("/logout")
    del web.headers["X-CSRF-Token"]

    first = post_login(web, "boss", PASSWORD, "/admin/users")
    assert first.headers["location"] == "/login/totp?next=/admin/users"
    assert web.get("/api/overview").status_code == 401  # the password alone does not sign in
    form = web.get("/login/totp").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    wrong = web.post(
        "/login/totp", data={"code": "000000", "csrf_token": csrf.group(1), "next": "/admin/users"}
    )
    assert wrong.status_code == 401
    clock.advance(seconds=30)
    code = totp.totp(totp.decode_secret(secret.group(1)), clock().timestamp())
    right = web.post(
        "/login/totp",
        data={"code": code, "csrf_token": csrf.group(1), "next": "/admin/users"},
        follow_redirects=False,
    )
    assert right.headers["location"] == "/admin/users"
    assert web.get("/api/admin/users").status_code == 200
