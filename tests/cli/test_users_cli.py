"""`civicpulse users`: one-time passwords, roles and units, ensure-admin is idempotent, all audited."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.store import open_store
from civicpulse.store.access import AccessTables

ONE_TIME = re.compile(r"One-time password for (\S+): (\S+)")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CIVICPULSE_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("CIVICPULSE_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def tables(data_dir: Path) -> AccessTables:
    return AccessTables(open_store(f"sqlite:///{data_dir / 'civicpulse.db'}"))


def test_ensure_admin_creates_one_administrator_once(data_dir: Path) -> None:
    first = run("users", "ensure-admin")
    match = ONE_TIME.search(first)
    assert match is not None
    assert match.group(1) == "admin"
    assert len(match.group(2)) >= 12
    assert "An administrator exists" in run("users", "ensure-admin")
    [admin] = json.loads("[" + ",".join(run("users", "list", "--json").splitlines()) + "]")
    assert admin == {
        "username": "admin",
        "role": "administrator",
        "units": [],
        "disabled": False,
        "must_change_password": True,
        "totp_enabled": False,
    }


def test_add_set_role_reset_and_disable(data_dir: Path) -> None:
    assert ONE_TIME.search(run("users", "add", "lan", "--role", "unit_officer", "--units", "26734, 26737"))
    assert "lan  unit_officer  26734,26737  (must change password)" in run("users", "list")
    assert "lan is now analyst" in run("users", "set-role", "lan", "analyst")
    again = ONE_TIME.search(run("users", "reset-password", "lan"))
    assert again is not None
    assert "lan is disabled" in run("users", "disable", "lan")
    assert "(disabled)" in run("users", "list")
    actions = [e.action for e in tables(data_dir).audit_entries()]
    assert actions == ["user.disable", "user.reset_password", "user.set_role", "user.add"]
    assert {e.actor.startswith("cli:") for e in tables(data_dir).audit_entries()} == {True}


def test_bad_input_says_what_to_do(data_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["users", "add", "lan", "--role", "unit_officer"])
    assert result.exit_code != 0
    result = CliRunner().invoke(cli, ["users", "set-role", "nobody", "viewer"])
    assert result.exit_code != 0
