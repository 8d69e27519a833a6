"""Web fixtures: the app over a migrated store, driven through FastAPI's TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.store import Store
from civicpulse.web.app import create_app

with warnings.catch_warnings():
    # Starlette wants the httpx2 package and warns on import when it finds httpx; the client works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture
def client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """A client of the app over an empty SQLite store."""
    with TestClient(create_app(settings, sqlite_store)) as test_client:
        yield test_client


@pytest.fixture
def any_client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """A client of the app over an empty store, on SQLite and on PostgreSQL."""
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client


@pytest.fixture
def demo_client(settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    """A client of the app over a store holding the demo stream."""
    load_demo(settings, sqlite_store)
    with TestClient(create_app(settings, sqlite_store)) as test_client:
        yield test_client
