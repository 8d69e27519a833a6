"""Accounts, sessions, API tokens, the login throttle and the append-only audit log.

The audit log has only `append` and reads: nothing in the app can change or delete a row, and the database
triggers of migration 0004 refuse UPDATE and DELETE from anyone else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from civicpulse.store.schema import api_tokens, audit_log, login_throttle, user_sessions, users
from civicpulse.store.store import Store, aware


@dataclass(frozen=True)
class User:
    """A local account; `units` scopes a unit officer, `password_hash` is an argon2 string."""

    id: int
    username: str
    role: str
    units: tuple[str, ...]
    password_hash: str
    must_change_password: bool
    disabled: bool
    totp_secret: str
    totp_enabled: bool
    created_at: datetime
    updated_at: datetime
    language: str = ""  # "vi" or "en" once chosen; "" lets the browser's language decide


@dataclass(frozen=True)
class SessionRecord:
    """A server-side web session, found by the SHA-256 of its id."""

    id_hash: str
    user_id: int
    stage: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class TokenRecord:
    """A personal API token; only its hash and a short prefix are kept."""

    id: int
    user_id: int
    name: str
    token_hash: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class ThrottleState:
    """Recent failed logins for one key (an account or a client address)."""

    key: str
    failures: int
    locked_until: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what, to what, when and from where."""

    action: str
    at: datetime
    actor: str = ""
    actor_id: int | None = None
    via: str = ""
    target: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    address: str = ""
    user_agent: str = ""
    id: int | None = None


class AccessTables:
    """Reads and writes of the access-control tables."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # -- users ---------------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        role: str,
        units: tuple[str, ...],
        password_hash: str,
        at: datetime,
        *,
        must_change_password: bool = False,
    ) -> User:
        """Create an account; the caller checks the name is free (the unique index is the last word)."""
        row = {
            "username": username,
            "role": role,
            "units": list(units),
            "password_hash": password_hash,
            "must_change_password": must_change_password,
            "disabled": False,
            "totp_secret": "",
            "totp_enabled": False,
            "language": "",
            "created_at": at,
            "updated_at": at,
        }
        with self.store._write(), self.engine.begin() as conn:
            user_id = conn.execute(insert(users).values(row).returning(users.c.id)).scalar_one()
        return _user({**row, "id": user_id})

    def user(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return _user(row._mapping) if row else None

    def user_by_name(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        return _user(row._mapping) if row else None

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r._mapping) for r in conn.execute(select(users).order_by(users.c.username))]

    def count_active(self, role: str) -> int:
        """Return how many enabled accounts have `role`."""
        query = (
            select(func.count()).select_from(users).where(users.c.role == role, users.c.disabled.is_(False))
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def update_user(self, user_id: int, at: datetime, **values: Any) -> None:
        """Change columns of one account (role, units, password_hash, disabled, totp_..., language)."""
        if "units" in values:
            values["units"] = list(values["units"])
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(updated_at=at, **values))

    # -- sessions ------------------------------------------------------------------------------------

    def add_session(self, record: SessionRecord, address: str, user_agent: str) -> None:
        row = {
            "id_hash": record.id_hash,
            "user_id": record.user_id,
            "stage": record.stage,
            "csrf_token": record.csrf_token,
            "created_at": record.created_at,
            "last_seen_at": record.last_seen_at,
            "revoked_at": None,
            "address": address[:100],
            "user_agent": user_agent[:300],
        }
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(insert(user_sessions).values(row))

    def session(self, id_hash: str) -> SessionRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(user_sessions).where(user_sessions.c.id_hash == id_hash)).first()
        return _session(row._mapping) if row else None

    def touch_session(self, id_hash: str, at: datetime) -> None:
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(
                update(user_sessions).where(user_sessions.c.id_hash == id_hash).values(last_seen_at=at)
            )

    def revoke_session(self, id_hash: str, at: datetime) -> None:
        query = update(user_sessions).where(
            user_sessions.c.id_hash == id_hash, user_sessions.c.revoked_at.is_(None)
        )
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(query.values(revoked_at=at))

    def revoke_user_sessions(self, user_id: int, at: datetime, *, keep: str = "") -> None:
        """End every session of a user (except `keep`, the one changing the password)."""
        query = update(user_sessions).where(
            user_sessions.c.user_id == user_id,
            user_sessions.c.revoked_at.is_(None),
            user_sessions.c.id_hash != keep,
        )
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(query.values(revoked_at=at))

    # -- API tokens ----------------------------------------------------------------------------------

    def add_token(self, user_id: int, name: str, token_hash: str, prefix: str, at: datetime) -> TokenRecord:
        row = {"user_id": user_id, "name": name, "token_hash": token_hash, "prefix": prefix, "created_at": at}
        with self.store._write(), self.engine.begin() as conn:
            token_id = conn.execute(insert(api_tokens).values(row).returning(api_tokens.c.id)).scalar_one()
        return TokenRecord(token_id, user_id, name, token_hash, prefix, at, None, None)

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
        return _token(row._mapping) if row else None

    def tokens_of(self, user_id: int) -> list[TokenRecord]:
        query = select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id.desc())
        with self.engine.connect() as conn:
            return [_token(r._mapping) for r in conn.execute(query)]

    def token_used(self, token_id: int, at: datetime) -> None:
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at))

    def revoke_token(self, token_id: int, user_id: int, at: datetime) -> bool:
        """Revoke one of `user_id`'s tokens; False when there is no such live token of theirs."""
        query = update(api_tokens).where(
            api_tokens.c.id == token_id, api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None)
        )
        with self.store._write(), self.engine.begin() as conn:
            return conn.execute(query.values(revoked_at=at)).rowcount > 0

    # -- login throttle ------------------------------------------------------------------------------

    def throttle(self, key: str) -> ThrottleState | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(login_throttle).where(login_throttle.c.key == key)).first()
        if row is None:
            return None
        m = row._mapping
        return ThrottleState(m["key"], m["failures"], aware(m["locked_until"]), _req(m["updated_at"]))

    def save_throttle(self, state: ThrottleState) -> None:
        values = {
            "failures": state.failures,
            "locked_until": state.locked_until,
            "updated_at": state.updated_at,
        }
        statement = self.store._insert(login_throttle).values(key=state.key, **values)
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))

    def clear_throttle(self, key: str, at: datetime) -> None:
        self.save_throttle(ThrottleState(key, 0, None, at))

    # -- audit log -----------------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        """Add one line to the audit log (the only write it has)."""
        row = {
            "at": entry.at,
            "actor": entry.actor[:100],
            "actor_id": entry.actor_id,
            "via": entry.via[:10],
            "action": entry.action[:50],
            "target": entry.target[:300],
            "details": dict(entry.details),
            "address": entry.address[:100],
            "user_agent": entry.user_agent[:300],
        }
        with self.store._write(), self.engine.begin() as conn:
            conn.execute(insert(audit_log).values(row))

    def audit_entries(
        self, limit: int = 100, before: int | None = None, action: str = ""
    ) -> list[AuditEntry]:
        """Return the newest entries (older than id `before`, of `action` when given), newest first."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(audit_log.c.id < before)
        if action:
            query = query.where(audit_log.c.action == action)
        with self.engine.connect() as conn:
            return [_audit(r._mapping) for r in conn.execute(query)]


def _req(value: datetime | None) -> datetime:
    found = aware(value)
    assert found is not None  # a NOT NULL column
    return found


def _user(m: Any) -> User:
    return User(
        id=m["id"],
        username=m["username"],
        role=m["role"],
        units=tuple(m["units"]),
        password_hash=m["password_hash"],
        must_change_password=bool(m["must_change_password"]),
        disabled=bool(m["disabled"]),
        totp_secret=m["totp_secret"],
        totp_enabled=bool(m["totp_enabled"]),
        created_at=_req(m["created_at"]),
        updated_at=_req(m["updated_at"]),
        language=m["language"],
    )


def _session(m: Any) -> SessionRecord:
    return SessionRecord(
        id_hash=m["id_hash"],
        user_id=m["user_id"],
        stage=m["stage"],
        csrf_token=m["csrf_token"],
        created_at=_req(m["created_at"]),
        last_seen_at=_req(m["last_seen_at"]),
        revoked_at=aware(m["revoked_at"]),
    )


def _token(m: Any) -> TokenRecord:
    return TokenRecord(
        id=m["id"],
        user_id=m["user_id"],
        name=m["name"],
        token_hash=m["token_hash"],
        prefix=m["prefix"],
        created_at=_req(m["created_at"]),
        last_used_at=aware(m["last_used_at"]),
        revoked_at=aware(m["revoked_at"]),
    )


def _audit(m: Any) -> AuditEntry:
    return AuditEntry(
        id=m["id"],
        at=_req(m["at"]),
        actor=m["actor"],
        actor_id=m["actor_id"],
        via=m["via"],
        action=m["action"],
        target=m["target"],
        details=dict(m["details"]),
        address=m["address"],
        user_agent=m["user_agent"],
    )
