"""Personal API tokens: shown once, kept only as a SHA-256 hash, revocable, acting as their owner."""

from __future__ import annotations

import hashlib
import secrets

from civicpulse.access.clock import Clock, utcnow
from civicpulse.store.access import AccessTables, TokenRecord, User

PREFIX = "cp_"
# A fast hash is enough: the token is 32 random bytes, so there is nothing to guess (unlike passwords).


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Tokens:
    """Creates, resolves and revokes API tokens."""

    def __init__(self, tables: AccessTables, clock: Clock = utcnow) -> None:
        self.tables = tables
        self.clock = clock

    def create(self, user: User, name: str) -> tuple[str, TokenRecord]:
        """Return the token (to show once) and its stored record."""
        token = PREFIX + secrets.token_urlsafe(32)
        record = self.tables.add_token(
            user.id, name.strip()[:100] or "token", token_hash(token), token[:10], self.clock()
        )
        return token, record

    def resolve(self, token: str) -> tuple[User, TokenRecord] | None:
        """Return the owner and record of a live token whose owner is enabled, else None."""
        if not token.startswith(PREFIX):
            return None
        record = self.tables.token_by_hash(token_hash(token))
        if record is None or record.revoked_at is not None:
            return None
        user = self.tables.user(record.user_id)
        if user is None or user.disabled:
            return None
        self.tables.token_used(record.id, self.clock())
        return user, record

    def revoke(self, user: User, token_id: int) -> bool:
        return self.tables.revoke_token(token_id, user.id, self.clock())
