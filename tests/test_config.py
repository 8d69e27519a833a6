"""Settings: sources, generated secrets, production refusals, and the settings doc."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicpulse import settings_doc
from civicpulse.config import Settings, get_settings, with_secrets
from civicpulse.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_docs_settings_md_matches_the_code() -> None:
    assert DOCS.read_text(encoding="utf-8") == settings_doc.render(), "run `make docs`"


def test_every_setting_has_help() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_environment_overrides_toml_which_overrides_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "civicpulse.toml"
    config.write_text('port = 9001\nlog_level = "DEBUG"\n', encoding="utf-8")
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(config))
    monkeypatch.setenv("CIVICPULSE_PORT", "9002")
    settings = Settings()
    assert (settings.port, settings.log_level, settings.host) == (9002, "DEBUG", "127.0.0.1")


def test_a_broken_toml_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "civicpulse.toml"
    config.write_text("port = = 3\n", encoding="utf-8")
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(config))
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings()


def test_an_invalid_setting_names_its_variable_and_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CIVICPULSE_BUS_BATCH", "0")
    monkeypatch.setenv("CIVICPULSE_PORT", "many")
    get_settings.cache_clear()
    with pytest.raises(ConfigError) as caught:
        get_settings()
    get_settings.cache_clear()
    message = str(caught.value)
    assert "CIVICPULSE_BUS_BATCH (or bus_batch in" in message and "greater than or equal to 1" in message
    assert "CIVICPULSE_PORT" in message and "'many'" in message


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.store_url == f"sqlite:///{tmp_path.as_posix()}/civicpulse.db"
    assert Settings(database_url="postgresql://x/y").store_url == "postgresql://x/y"


def test_secrets_are_generated_once_and_kept(tmp_path: Path) -> None:
    first = with_secrets(Settings(data_dir=tmp_path))
    second = with_secrets(Settings(data_dir=tmp_path))
    assert len(first.pseudonym_key) >= 32
    assert first.pseudonym_key != first.session_secret
    assert (first.pseudonym_key, first.session_secret) == (second.pseudonym_key, second.session_secret)
    assert (tmp_path / "secrets.toml").stat().st_mode & 0o077 == 0


def test_given_secrets_are_not_replaced(tmp_path: Path) -> None:
    settings = with_secrets(Settings(data_dir=tmp_path, pseudonym_key="k" * 40, session_secret="s" * 40))
    assert (settings.pseudonym_key, settings.session_secret) == ("k" * 40, "s" * 40)
    assert not (tmp_path / "secrets.toml").exists()


@pytest.mark.parametrize("weak", ["change-me", "secret", "short"])
def test_production_refuses_placeholder_secrets(tmp_path: Path, weak: str) -> None:
    settings = Settings(data_dir=tmp_path, env="production", pseudonym_key=weak, session_secret="s" * 40)
    with pytest.raises(ConfigError, match="CIVICPULSE_PSEUDONYM_KEY"):
        with_secrets(settings)
