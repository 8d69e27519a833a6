"""Server-side web sessions behind a signed cookie, with idle and absolute timeouts.

The cookie holds a random id and its HMAC under `session_secret`; the database holds only the id's SHA-256,
so logout, password changes and disabling an account end sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from civicpulse.access.clock import Clock, utcnow
from civicpulse.store.access import AccessTables, SessionRecord, User

FULL = "full"
TOTP_PENDING = "totp"  # the password was right; the second factor is still to come
# Writing last_seen on every request would make every page view a write; a minute is precise enough.
TOUCH_EVERY = timedelta(seconds=60)


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class Sessions:
    """Starts, resolves and ends web sessions."""

    def __init__(
        self, tables: AccessTables, secret: str, idle_s: float, max_s: float, clock: Clock = utcnow
    ) -> None:
        self.tables = tables
        self.key = secret.encode("utf-8")
        self.idle = timedelta(seconds=idle_s)
        self.max_age = timedelta(seconds=max_s)
        self.clock = clock

    def sign(self, session_id: str) -> str:
        mac = hmac.new(self.key, session_id.encode("utf-8"), hashlib.sha256).digest()
        return f"{session_id}.{base64.urlsafe_b64encode(mac).decode('ascii').rstrip('=')}"

    def unsign(self, cookie: str) -> str | None:
        """Return the session id of a correctly signed cookie, else None."""
        session_id, _, _ = cookie.rpartition(".")
        return session_id if session_id and hmac.compare_digest(self.sign(session_id), cookie) else None

    def start(
        self, user: User, address: str, user_agent: str, stage: str = FULL
    ) -> tuple[str, SessionRecord]:
        """Create a session for `user`; return the cookie value and the record."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        record = SessionRecord(id_hash(session_id), user.id, stage, secrets.token_urlsafe(32), now, now, None)
        self.tables.add_session(record, address, user_agent)
        return self.sign(session_id), record

    def resolve(self, cookie: str) -> tuple[SessionRecord, User] | None:
        """Return the live session and its enabled user for a cookie; None when expired or revoked."""
        session_id = self.unsign(cookie)
        record = self.tables.session(id_hash(session_id)) if session_id else None
        if record is None or record.revoked_at is not None:
            return None
        now = self.clock()
        if now - record.last_seen_at > self.idle or now - record.created_at > self.max_age:
            self.tables.revoke_session(record.id_hash, now)
            return None
        user = self.tables.user(record.user_id)
        if user is None or user.disabled:
            return None
        if now - record.last_seen_at > TOUCH_EVERY:
            self.tables.touch_session(record.id_hash, now)
        return record, user

    def end(self, record_hash: str) -> None:
        self.tables.revoke_session(record_hash, self.clock())

    def end_all(self, user_id: int, keep: str = "") -> None:
        """End every session of a user but `keep` (the hash of the session making the change)."""
        self.tables.revoke_user_sessions(user_id, self.clock(), keep=keep)
