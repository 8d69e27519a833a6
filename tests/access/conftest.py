"""Access fixtures: access control over a migrated store with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicpulse.access.control import AccessControl
from civicpulse.config import Settings
from civicpulse.store import Store


class FakeClock:
    """A clock that stands still until the test advances it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cheap_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"argon2_time_cost": 1, "argon2_memory_kib": 1024})


@pytest.fixture
def access(cheap_settings: Settings, store: Store, clock: FakeClock) -> AccessControl:
    """Access control on SQLite and on PostgreSQL."""
    return AccessControl(store, cheap_settings, clock)


@pytest.fixture
def sqlite_access(cheap_settings: Settings, sqlite_store: Store, clock: FakeClock) -> AccessControl:
    return AccessControl(sqlite_store, cheap_settings, clock)
