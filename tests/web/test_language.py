"""The interface language belongs to the account: chosen with the switch or the API, kept across sign-ins."""

from __future__ import annotations

from tests.web.conftest import TestClient, access_of, make_user, sign_in


def test_the_switch_keeps_the_language_on_the_account_across_sign_ins(anon_client: TestClient) -> None:
    user = make_user(anon_client, "lan", "analyst")
    sign_in(anon_client, "lan")
    assert '<html lang="vi">' in anon_client.get("/").text
    switched = anon_client.post(
        "/account/language", data={"language": "en", "back": "/alerts?status=new"}, follow_redirects=False
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/alerts?status=new"
    assert access_of(anon_client).tables.user(user.id).language == "en"  # type: ignore[union-attr]
    anon_client.post("/logout")
    anon_client.cookies.clear()  # a new browser: no language cookie, only the account remembers
    assert '<html lang="vi">' in anon_client.get("/login").text
    sign_in(anon_client, "lan")
    assert '<html lang="en">' in anon_client.get("/alerts").text
    assert anon_client.get("/api/me").json()["language"] == "en"
    entries = access_of(anon_client).audit.entries(action="account.language")
    assert [(e.actor, e.details["language"]) for e in entries] == [("lan", "en")]


def test_the_api_reads_and_sets_the_language(client: TestClient) -> None:
    assert client.get("/api/me").json()["language"] == ""
    changed = client.patch("/api/me", json={"language": "en"})
    assert changed.status_code == 200
    assert changed.json()["language"] == "en"
    assert '<html lang="en">' in client.get("/").text
    assert client.patch("/api/me", json={"language": "fr"}).status_code == 422
    assert client.get("/api/me").json()["language"] == "en"


def test_an_unknown_language_from_the_form_is_refused_and_nothing_changes(client: TestClient) -> None:
    refused = client.post("/account/language", data={"language": "xx"}, follow_redirects=False)
    assert refused.status_code == 400
    assert client.get("/api/me").json()["language"] == ""


def test_the_switch_goes_back_only_to_this_site(client: TestClient) -> None:
    moved = client.post(
        "/account/language", data={"language": "vi", "back": "https://evil.example/"}, follow_redirects=False
    )
    assert moved.headers["location"] == "/"


def test_lang_in_the_address_still_wins_for_that_page(client: TestClient) -> None:
    client.patch("/api/me", json={"language": "en"})
    assert '<html lang="vi">' in client.get("/", params={"lang": "vi"}).text


def test_the_account_page_offers_the_language_too(client: TestClient) -> None:
    page = client.get("/account").text
    assert 'id="account-language"' in page and '<option value="vi" selected>' in page
    moved = client.post(
        "/account/language", data={"language": "en", "back": "/account"}, follow_redirects=False
    )
    assert moved.headers["location"] == "/account"
    assert '<option value="en" selected>English</option>' in client.get("/account").text
