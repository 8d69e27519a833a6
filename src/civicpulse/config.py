"""One typed settings object: `CIVICPULSE_*` environment variables, then `civicpulse.toml`, then defaults."""

from __future__ import annotations

import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from civicpulse.errors import ConfigError

PLACEHOLDERS = frozenset({"", "change-me", "changeme", "secret", "placeholder", "xxx"})
SECRET_NAMES = ("pseudonym_key", "session_secret")
ENV_PREFIX = "CIVICPULSE_"


def config_file() -> Path:
    """Return the TOML file to read: `CIVICPULSE_CONFIG`, else `./civicpulse.toml`."""
    return Path(os.environ.get("CIVICPULSE_CONFIG", "civicpulse.toml"))


class Settings(BaseSettings):
    """Every setting civicpulse reads, with its default and help (rendered into docs/settings.md)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    env: Literal["development", "production"] = Field(
        "development", description="Deployment mode; production refuses placeholder secrets."
    )
    data_dir: Path = Field(
        Path("civicpulse-data"), description="Directory for the SQLite database, secrets and exports."
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL of the store; empty means SQLite at DATA_DIR/civicpulse.db."
    )
    pseudonym_key: str = Field(
        "",
        description="Key of the keyed hash that replaces author handles; generated into DATA_DIR if empty.",
    )
    session_secret: str = Field(
        "", description="Secret that signs web sessions; generated into DATA_DIR if empty."
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, description="Port the web server listens on.")
    user_agent: str = Field(
        "civicpulse/0.1 (open-source civic listening; set CIVICPULSE_USER_AGENT to add a contact)",
        description="User-Agent sent with every request; names civicpulse so publishers can reach us.",
    )
    fetch_timeout_s: float = Field(20.0, description="Timeout of one HTTP request, in seconds.")
    max_response_mb: float = Field(
        20.0, description="Largest response body read, in MB; larger responses are quarantined."
    )
    per_host_delay_s: float = Field(
        3.0, description="Minimum seconds between two requests to the same host (politeness)."
    )
    min_poll_interval_s: float = Field(300.0, description="Shortest adaptive polling interval of a feed.")
    max_poll_interval_s: float = Field(21600.0, description="Longest adaptive polling interval of a feed.")
    max_backoff_s: float = Field(86400.0, description="Longest wait after repeated failures of a source.")
    fetch_full_text: bool = Field(
        False, description="Fetch each new feed entry's article page and extract its full text."
    )
    collect_concurrency: int = Field(4, description="Hosts fetched in parallel by the collector.")
    import_batch_size: int = Field(500, description="Rows written per transaction by imports.")
    # -- the response loop (issue 8) ------------------------------------------------------------------
    sla_route_minutes: dict[str, int] = Field(
        {"critical": 5, "high": 5, "normal": 5, "low": 30},
        description="Minutes to route a new case to a unit, per severity (1022 hotline: 5 minutes).",
    )
    sla_answer_hours: dict[str, int] = Field(
        {"critical": 24, "high": 72, "normal": 120, "low": 240},
        description="Hours to answer a case once opened, per severity (1022 hotline: 5 days = 120 hours).",
    )
    escalation_interval_s: float = Field(
        300.0, description="Seconds between two checks for overdue cases (each is escalated once)."
    )
    escalation_contacts: list[str] = Field(
        [],
        description="Contacts (mailto: or https:// webhook) told of every overdue case, besides its units.",
    )
    attachment_max_mb: float = Field(10.0, description="Largest case attachment or field photo, in MB.")
    attachment_types: list[str] = Field(
        ["application/pdf", "image/jpeg", "image/png", "image/webp", "text/plain"],
        description="Content types accepted as case attachments (checked against the file's first bytes).",
    )
    telegram_bot_token: str = Field(
        "", description="Token of the collaborators' Telegram bot; empty turns the bot off."
    )
    telegram_api_url: str = Field(
        "https://api.telegram.org", description="Base URL of the Telegram Bot API (a stand-in in tests)."
    )
    telegram_webhook_secret: str = Field(
        "",
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; the webhook refuses others.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Public address of this site, for links in the feed and notices."
    )
    portal_publisher: str = Field(
        "Thành phố Hồ Chí Minh",
        description="Name of the body that publishes clarifications (portal, feed, ClaimReview).",
    )
    portal_min_count: int = Field(
        10, description="Smallest count the public portal shows; smaller counts read as 'fewer than N'."
    )
    portal_subscribers: list[str] = Field(
        [],
        description="Contacts (mailto: or https:// webhook) told of each published or edited clarification.",
    )
    briefing_hour: int = Field(
        7,
        description="Local hour (Ho Chi Minh City time) at which `civicpulse run` makes the daily briefing.",
    )
    briefing_subscribers: list[str] = Field(
        [], description="Contacts (mailto:) who receive the city's daily briefing as a PDF attachment."
    )
    raw_retention_days: int = Field(
        365, description="Days raw item text is kept before retention jobs blank it."
    )
    item_retention_months: int | None = Field(
        None,
        ge=1,
        description="Whole months of items kept on PostgreSQL before retention drops their month's partition "
        "(daily counts and analysts' labels stay); empty keeps every month.",
    )
    log_level: str = Field("INFO", description="Logging level (DEBUG, INFO, WARNING, ERROR).")
    cookie_secure: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Mark session cookies Secure: auto does so unless the request is plain http to loopback.",
    )
    session_idle_s: float = Field(
        1800.0, description="Seconds without a request after which a web session ends."
    )
    session_max_s: float = Field(
        43200.0, description="Seconds after login after which a web session ends however active it is."
    )
    login_max_failures: int = Field(
        5, description="Failed logins for one account before it is locked for a while (doubling each time)."
    )
    login_address_max_failures: int = Field(
        20, description="Failed logins from one client address before that address is locked for a while."
    )
    login_lockout_s: float = Field(
        60.0, description="First lockout after too many failed logins, in seconds."
    )
    login_lockout_max_s: float = Field(
        3600.0, description="Longest lockout after repeated failures, in seconds."
    )
    login_window_s: float = Field(
        900.0, description="Failed logins older than this many seconds no longer count toward a lockout."
    )
    password_min_length: int = Field(10, description="Shortest password a user may choose.")
    argon2_time_cost: int = Field(
        3, description="Argon2id passes per password hash (raise to slow attackers)."
    )
    argon2_memory_kib: int = Field(65536, description="Argon2id memory per password hash, in KiB.")
    nats_url: str = Field(
        "nats://127.0.0.1:4222",
        description="NATS server(s) with JetStream the workers share, comma-separated (distributed mode).",
    )
    bus_prefix: str = Field(
        "civicpulse",
        description="First token of every NATS subject and stream name: one per deployment on a server.",
    )
    bus_partitions: int = Field(
        1, ge=1, description="Partitions of the stateful stages (stories, detect); the same on every worker."
    )
    bus_batch: int = Field(64, ge=1, description="Largest batch of messages a worker fetches at once.")
    bus_max_ack_pending: int = Field(
        256, ge=1, description="Messages in flight per consumer (delivered, unacknowledged): backpressure."
    )
    bus_ack_wait_s: float = Field(
        30.0, gt=0, description="Seconds before a crashed worker's unacknowledged messages come again."
    )
    bus_max_deliver: int = Field(
        5, ge=1, description="Deliveries of a failing message before it goes to the dead-letter stream."
    )
    bus_backoff_s: list[float] = Field(
        [1.0, 5.0, 30.0, 120.0], description="Seconds before the 2nd, 3rd, ... delivery of a failed message."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path.is_file():
            _check_toml(path)
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def store_url(self) -> str:
        """The database URL actually used."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'civicpulse.db').as_posix()}"

    @property
    def max_response_bytes(self) -> int:
        return int(self.max_response_mb * 1024 * 1024)


def _check_toml(path: Path) -> None:
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it or remove it.") from exc


def with_secrets(settings: Settings) -> Settings:
    """Fill missing secrets from DATA_DIR/secrets.toml, generating them on first run.

    In production a secret left at a placeholder is refused rather than silently replaced.
    """
    given = {name: getattr(settings, name) for name in SECRET_NAMES}
    if settings.env == "production":
        weak = [n for n, v in given.items() if v.strip().lower() in PLACEHOLDERS - {""} or 0 < len(v) < 16]
        if weak:
            names = ", ".join(f"CIVICPULSE_{n.upper()}" for n in weak)
            raise ConfigError(f"{names} is a placeholder or too short; set a random value of 32+ characters.")
    missing = [n for n, v in given.items() if not v]
    if not missing:
        return settings
    path = settings.data_dir / "secrets.toml"
    stored = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    fresh = {n: stored.get(n) or secrets.token_urlsafe(32) for n in missing}
    if any(n not in stored for n in missing):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        merged = {**stored, **fresh}
        path.write_text("".join(f'{k} = "{v}"\n' for k, v in sorted(merged.items())), encoding="utf-8")
        path.chmod(0o600)
    return settings.model_copy(update=fresh)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, secrets included (cached; tests build `Settings` directly).

    Raises `ConfigError` naming each invalid setting, its environment variable and what it must be.
    """
    try:
        return with_secrets(Settings())
    except ValidationError as exc:
        raise ConfigError(invalid_settings(exc)) from None


def invalid_settings(exc: ValidationError) -> str:
    """One line per invalid setting: its variable (or TOML key), the value given, what it must be."""
    where = config_file()
    problems = [
        f"{ENV_PREFIX}{str(e['loc'][0]).upper()} (or {e['loc'][0]} in {where}) = {e['input']!r}: {e['msg']}"
        for e in exc.errors()
        if e["loc"]
    ]
    return "invalid settings; fix them and start again:\n  " + "\n  ".join(problems)
