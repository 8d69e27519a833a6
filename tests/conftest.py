"""Shared fixtures: settings in a temporary data dir, and a store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from civicpulse.config import Settings, get_settings, with_secrets
from civicpulse.store import Store, open_store
from civicpulse.store.schema import metadata

POSTGRES_ADMIN_URL = os.environ.get(
    "CIVICPULSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_SERVICES = os.environ.get("CIVICPULSE_REQUIRE_SERVICES") == "1"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


def service_missing(what: str, error: Exception) -> None:
    """Skip when a server is not reachable, unless CI requires it (then fail)."""
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (CIVICPULSE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Every test reads the environment afresh (the CLI caches its settings per process)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return with_secrets(Settings(data_dir=tmp_path / "data", per_host_delay_s=0.0, _env_file=None))


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """Create an empty PostgreSQL database named `prefix` + a random suffix; yield its URL; drop it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        service_missing("PostgreSQL", exc)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with scratch_database("civicpulse_test") as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_store(postgres_url: str) -> Iterator[Store]:
    store = open_store(postgres_url, upgrade=True)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    if request.param == "sqlite":
        sqlite_store = open_store(f"sqlite:///{tmp_path / 'test.db'}", upgrade=True)
        yield sqlite_store
        sqlite_store.close()
        return
    pg_store: Store = request.getfixturevalue("_postgres_store")
    _truncate(pg_store)
    yield pg_store


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated SQLite store, for tests whose subject is not the backend."""
    store = open_store(f"sqlite:///{tmp_path / 'test.db'}", upgrade=True)
    yield store
    store.close()


def _truncate(store: Store) -> None:
    names = ", ".join(table.name for table in reversed(metadata.sorted_tables))
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
