"""What every command shares: the settings and a lazily opened store."""

from __future__ import annotations

import json
import logging
from typing import Any

import click

from civicpulse.config import Settings, get_settings
from civicpulse.store import Store, open_store


class AppContext:
    """Settings and store, opened on first use so `--help` and `--version` stay instant."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings()
            logging.getLogger("civicpulse").setLevel(self._settings.log_level.upper())
        return self._settings

    def store(self, *, check: bool = True) -> Store:
        """Open the store; refuse a database that is behind the code (say to run `db upgrade`)."""
        if self._store is None:
            self._store = open_store(self.settings.store_url)
            if check:
                self._store.check_schema()
        return self._store

    def upgraded_store(self) -> Store:
        """Open the store and apply pending migrations (for commands that set things up)."""
        store = self.store(check=False)
        store.upgrade()
        return store


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str, indent=None))


pass_app = click.make_pass_decorator(AppContext)
