"""The JSON shapes of accounts, API tokens, users and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from civicpulse.store.access import AuditEntry, TokenRecord, User


class TokenOut(BaseModel):
    """A personal API token as listed: never the token itself, only its first characters."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: TokenRecord) -> TokenOut:
        return cls(
            id=record.id,
            name=record.name,
            prefix=record.prefix,
            created_at=record.created_at,
            last_used_at=record.last_used_at,
            revoked_at=record.revoked_at,
        )


class NewToken(BaseModel):
    """What to call a new token."""

    name: str = Field("token", max_length=100, description="A name to recognise the token by.")


class CreatedToken(TokenOut):
    """A new token: `token` is shown this once and cannot be read again."""

    token: str


class UserOut(BaseModel):
    """An account, without its password hash or TOTP secret."""

    username: str
    role: str
    units: list[str]
    disabled: bool
    must_change_password: bool
    totp_enabled: bool
    created_at: datetime
    language: str = Field(description="The interface language the account chose (vi, en), or empty.")

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            username=user.username,
            role=user.role,
            units=list(user.units),
            disabled=user.disabled,
            must_change_password=user.must_change_password,
            totp_enabled=user.totp_enabled,
            created_at=user.created_at,
            language=user.language,
        )


class AccountOut(BaseModel):
    """The signed-in account and its API tokens."""

    user: UserOut
    tokens: list[TokenOut]


class MeUpdate(BaseModel):
    """What a user may change about their own account through the API."""

    language: Literal["vi", "en"] = Field(description="The interface language of every page: vi or en.")


class UserList(BaseModel):
    users: list[UserOut]


class NewUser(BaseModel):
    """An account to add; unit officers need units (GSO codes such as 26734)."""

    username: str = Field(max_length=50)
    role: str = Field(max_length=20)
    units: list[str] = Field(default_factory=list, max_length=200)


class CreatedUser(BaseModel):
    """A new account and its one-time password, shown this once."""

    user: UserOut
    one_time_password: str


class AuditOut(BaseModel):
    """One audit entry."""

    id: int
    at: datetime
    actor: str
    via: str
    action: str
    target: str
    details: dict[str, Any]
    address: str
    user_agent: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        return cls(
            id=entry.id or 0,
            at=entry.at,
            actor=entry.actor,
            via=entry.via,
            action=entry.action,
            target=entry.target,
            details=dict(entry.details),
            address=entry.address,
            user_agent=entry.user_agent,
        )


class AuditPage(BaseModel):
    """Audit entries, newest first; pass `next_before` as `before` for the next page."""

    entries: list[AuditOut]
    next_before: int | None
