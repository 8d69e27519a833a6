"""Login rate limiting: failed attempts per account and per client address, with doubling lockouts."""

from __future__ import annotations

from datetime import datetime, timedelta

from civicpulse.access.clock import Clock, utcnow
from civicpulse.store.access import AccessTables, ThrottleState


def account_key(username: str) -> str:
    return f"user:{username.strip().lower()}"


def address_key(address: str) -> str:
    return f"addr:{address}"


class LoginThrottle:
    """Counts failures per key; past the limit the key is locked, each further failure doubling the wait."""

    def __init__(
        self,
        tables: AccessTables,
        *,
        account_limit: int,
        address_limit: int,
        lockout_s: float,
        lockout_max_s: float,
        window_s: float,
        clock: Clock = utcnow,
    ) -> None:
        self.tables = tables
        self.account_limit = account_limit
        self.address_limit = address_limit
        self.lockout = timedelta(seconds=lockout_s)
        self.lockout_max = timedelta(seconds=lockout_max_s)
        self.window = timedelta(seconds=window_s)
        self.clock = clock

    def locked_until(self, username: str, address: str) -> datetime | None:
        """Return when the later of the account's and the address's lockouts ends, or None if neither."""
        now = self.clock()
        ends = [
            state.locked_until
            for key in (account_key(username), address_key(address))
            if (state := self.tables.throttle(key)) and state.locked_until and state.locked_until > now
        ]
        return max(ends) if ends else None

    def failed(self, username: str, address: str) -> datetime | None:
        """Count a failure against both keys; return when the new lockout ends if one started."""
        ends = [
            self._fail(account_key(username), self.account_limit),
            self._fail(address_key(address), self.address_limit),
        ]
        started = [end for end in ends if end is not None]
        return max(started) if started else None

    def succeeded(self, username: str) -> None:
        """Forget the account's failures (the address keeps its count: one good login must not reset it)."""
        self.tables.clear_throttle(account_key(username), self.clock())

    def _fail(self, key: str, limit: int) -> datetime | None:
        now = self.clock()
        state = self.tables.throttle(key)
        recent = state is not None and (
            now - state.updated_at <= self.window
            or (state.locked_until is not None and state.locked_until > now)
        )
        failures = (state.failures if state and recent else 0) + 1
        locked_until = None
        if failures >= limit:
            wait = min(self.lockout * 2 ** (failures - limit), self.lockout_max)
            locked_until = now + wait
        self.tables.save_throttle(ThrottleState(key, failures, locked_until, now))
        return locked_until
