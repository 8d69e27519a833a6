"""Our documented item schema (JSON Lines and CSV) and the field parsing every import format shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from civicpulse.collect.ingest import RawEntry
from civicpulse.errors import Quarantine
from civicpulse.models import ItemKind

SCHEMA_FIELDS = ("id", "text", "title", "url", "author", "published", "lang", "platform", "kind")
MAX_PLATFORM_CHARS = 40
# Columns that name or identify a person are never kept in `extra`: authors are only stored pseudonymised.
PERSONAL_KEYS = frozenset(
    {
        "author_id",
        "author_name",
        "author_url",
        "email",
        "from",
        "from.id",
        "from.name",
        "from_id",
        "handle",
        "name",
        "phone",
        "profile_id",
        "profile_url",
        "screen_name",
        "user",
        "user_id",
        "user_name",
        "username",
    }
)
# Zone abbreviations seen in platform exports (CrowdTangle writes "2021-03-01 10:22:33 EST").
ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "ICT": 7,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "CET": 1,
    "CEST": 2,
}
_ZONE_SUFFIX = re.compile(r"^(.*\d)\s+([A-Za-z]{1,5})$")
_PLUS_HHMM = re.compile(r"([+-]\d{2})(\d{2})$")


@dataclass(frozen=True)
class Context:
    """What a mapping may know about the file it reads: its stem scopes ids that have no platform."""

    stem: str


def clean(value: Any) -> str:
    """Return `value` as text without NUL characters (PostgreSQL refuses them in text columns)."""
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).replace("\x00", "")


def parse_time(value: Any, field: str) -> datetime | None:
    """Parse ISO 8601, `YYYY-MM-DD HH:MM:SS ZONE` or Unix seconds; a bad value is a `Quarantine`."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(value, field)
    text = clean(value).strip()
    if text.isdigit():
        return _epoch(int(text), field)
    zone = None
    if match := _ZONE_SUFFIX.match(text):
        text, name = match.groups()
        if name.upper() not in ZONES:
            raise Quarantine(
                f"{field} {value!r} has an unknown time zone {name!r}; use an offset like +07:00"
            )
        zone = timezone(timedelta(hours=ZONES[name.upper()]))
    try:
        parsed = datetime.fromisoformat(_PLUS_HHMM.sub(r"\1:\2", text))
    except ValueError:
        raise Quarantine(f"{field} {value!r} is not an ISO 8601 date and time") from None
    return parsed.replace(tzinfo=zone) if zone is not None and parsed.tzinfo is None else parsed


def _epoch(value: float, field: str) -> datetime:
    seconds = value / 1000 if value > 1e11 else value  # milliseconds, as some tools write
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise Quarantine(f"{field} {value!r} is not a plausible Unix time") from None


def parse_kind(value: Any, *, titled: bool) -> ItemKind:
    """Return the item kind named by `value`; by default an article when titled, else a post."""
    name = clean(value).strip().lower()
    if not name:
        return ItemKind.ARTICLE if titled else ItemKind.POST
    try:
        return ItemKind(name)
    except ValueError:
        kinds = ", ".join(k.value for k in ItemKind)
        raise Quarantine(f"kind {name!r} is not one of {kinds}") from None


def check_platform(platform: str) -> str:
    if len(platform) > MAX_PLATFORM_CHARS:
        raise Quarantine(f"platform {platform[:60]!r} is longer than {MAX_PLATFORM_CHARS} characters")
    return platform


def extra_of(record: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    """Keep the fields outside `known` that are set and do not identify a person."""
    return {
        k: v
        for k, v in record.items()
        if k not in known and k.lower() not in PERSONAL_KEYS and v not in (None, "", [], {})
    }


def schema_entry(record: Mapping[str, Any], ctx: Context) -> RawEntry:
    """Map one record of our item schema to a `RawEntry` (pure; raises `Quarantine` when it is bad)."""
    title, record_id = clean(record.get("title")), clean(record.get("id")).strip()
    platform = check_platform(clean(record.get("platform")).strip())
    if record_id and not platform:
        # Ids without a platform are only unique within their file, so the file scopes them.
        platform, record_id = "import", f"{ctx.stem}:{record_id}"
    return RawEntry(
        text=clean(record.get("text")),
        title=title,
        url=clean(record.get("url")),
        kind=parse_kind(record.get("kind"), titled=bool(title.strip())),
        author=clean(record.get("author")),
        published_at=parse_time(record.get("published"), "published"),
        lang=clean(record.get("lang")),
        platform=platform if record_id else "",
        platform_id=record_id,
        extra=extra_of(record, SCHEMA_FIELDS),
    )
