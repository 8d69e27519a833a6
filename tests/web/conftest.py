"""Web fixtures: the app over a migrated store, driven through FastAPI's TestClient, signed in.

`client`, `any_client` and `demo_client` are signed in as an analyst through /login and send the session's
CSRF token as a header, so tests of pages and actions read as before; `anon_client` is signed out.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from civicpulse.access.control import AccessControl
from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.store import Store
from civicpulse.store.access import User
from civicpulse.web.app import create_app

with warnings.catch_warnings():
    # Starlette wants the httpx2 package and warns on import when it finds httpx; the client works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
# https, so the Secure session cookie is sent back as a browser would.
BASE_URL = "https://testserver"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with cheap password hashing: tests sign in often and 64 MiB a hash adds up."""
    return settings.model_copy(update={"argon2_time_cost": 1, "argon2_memory_kib": 1024})


def access_of(client: TestClient) -> AccessControl:
    access: AccessControl = client.app.state.access  # type: ignore[attr-defined]
    return access


def make_user(
    client: TestClient, username: str, role: str, units: tuple[str, ...] = (), password: str = PASSWORD
) -> User:
    """Create an account with a known password that needs no change."""
    access = access_of(client)
    return access.tables.add_user(username, role, units, access.passwords.hash(password), access.clock())


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the login form, then send the session's CSRF token with every request."""
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": client.cookies.get("cp_login", "")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = CSRF_INPUT.search(client.get("/account").text)
    assert match is not None
    client.headers["X-CSRF-Token"] = match.group(1)
    return client


def signed_in(client: TestClient, role: str = "analyst", units: tuple[str, ...] = ()) -> TestClient:
    make_user(client, f"test-{role}", role, units)
    return sign_in(client, f"test-{role}")


@pytest.fixture
def anon_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """A signed-out client of the app over an empty SQLite store."""
    with TestClient(create_app(settings, sqlite_store), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def client(anon_client: TestClient) -> TestClient:
    """A client of the app over an empty SQLite store, signed in as an analyst."""
    return signed_in(anon_client)


@pytest.fixture
def any_client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """A signed-in client of the app over an empty store, on SQLite and on PostgreSQL."""
    with TestClient(create_app(settings, store), base_url=BASE_URL) as test_client:
        yield signed_in(test_client)


@pytest.fixture
def demo_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """A signed-in client of the app over a store holding the demo stream."""
    load_demo(settings, sqlite_store)
    with TestClient(create_app(settings, sqlite_store), base_url=BASE_URL) as test_client:
        yield signed_in(test_client)
