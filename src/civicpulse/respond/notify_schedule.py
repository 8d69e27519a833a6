"""When a recipient may be told: quiet hours hold a delivery until they end; digests wait for their hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from civicpulse.errors import InputError

CITY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DIGESTS = ("", "hourly", "daily")
DAILY_DIGEST_HOUR = 8


def parse_quiet_hours(value: str) -> tuple[int, int] | None:
    """Parse "22-06" into (22, 6); empty means none; raise `InputError` saying the format otherwise."""
    if not value:
        return None
    start, sep, end = value.partition("-")
    try:
        hours = int(start), int(end)
    except ValueError:
        hours = (-1, -1)
    if not sep or not all(0 <= h <= 23 for h in hours) or hours[0] == hours[1]:
        raise InputError(f"quiet hours {value!r} must look like 22-06 (from hour, to hour, local time)")
    return hours


def send_at(now: datetime, quiet_hours: str = "", digest: str = "") -> datetime:
    """Return when a delivery created at `now` may go out for a recipient with these preferences."""
    local = now.astimezone(CITY_TZ)
    if digest == "hourly":
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    elif digest == "daily":
        boundary = local.replace(hour=DAILY_DIGEST_HOUR, minute=0, second=0, microsecond=0)
        local = boundary if boundary > local else boundary + timedelta(days=1)
    return after_quiet(local, parse_quiet_hours(quiet_hours)).astimezone(now.tzinfo)


def after_quiet(local: datetime, quiet: tuple[int, int] | None) -> datetime:
    """Move `local` to the end of the quiet hours if it falls inside them."""
    if quiet is None:
        return local
    start, end = quiet
    hour = local.hour
    inside = start <= hour < end if start < end else hour >= start or hour < end
    if not inside:
        return local
    wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return wake if wake > local else wake + timedelta(days=1)
