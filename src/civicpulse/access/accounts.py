"""Accounts: adding and changing users, signing in (password, then TOTP for administrators that enrolled)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from civicpulse.access import totp
from civicpulse.access.audit import Actor, AuditLog
from civicpulse.access.clock import Clock, utcnow
from civicpulse.access.passwords import Passwords, one_time_password, weakness
from civicpulse.access.permissions import Role, parse_units
from civicpulse.access.sessions import Sessions
from civicpulse.access.throttle import LoginThrottle
from civicpulse.errors import InputError
from civicpulse.store.access import AccessTables, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")
# A GSO unit code (five digits, e.g. 26734) or, later, an organisation id such as org:mattran.
UNIT_CODE = re.compile(r"^(\d{5}|org:[a-z0-9_-]{1,40})$")
FIRST_ADMIN = "admin"


class AccountError(InputError):
    """A request about an account that cannot be done; `key` names the message in the UI translations."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class LoginResult:
    """How a sign-in step ended: signed in, second factor needed, refused, or locked until a time."""

    outcome: Literal["ok", "totp", "refused", "locked"]
    user: User | None = None
    retry_at: datetime | None = None


class Accounts:
    """User management and the sign-in steps, writing the audit log as they go."""

    def __init__(
        self,
        tables: AccessTables,
        passwords: Passwords,
        sessions: Sessions,
        throttle: LoginThrottle,
        audit: AuditLog,
        *,
        min_length: int = 10,
        clock: Clock = utcnow,
    ) -> None:
        self.tables = tables
        self.passwords = passwords
        self.sessions = sessions
        self.throttle = throttle
        self.audit = audit
        self.min_length = min_length
        self.clock = clock

    # -- management ----------------------------------------------------------------------------------

    def add(self, username: str, role: str, units: str | tuple[str, ...], actor: Actor) -> tuple[User, str]:
        """Create an account with a one-time password (returned once; it must be changed at first login)."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError(
                "users.bad_name",
                f"{username!r} is not a valid user name: use 2-50 of a-z, 0-9, '.', '_', '-'.",
            )
        if self.tables.user_by_name(username) is not None:
            raise AccountError("users.exists", f"user {username!r} already exists; pick another name.")
        role_, unit_codes = self._check_role(role, units)
        password = one_time_password()
        user = self.tables.add_user(
            username,
            role_,
            unit_codes,
            self.passwords.hash(password),
            self.clock(),
            must_change_password=True,
        )
        self.audit.record(actor, "user.add", username, role=role_, units=list(unit_codes))
        return user, password

    def set_role(self, username: str, role: str, units: str | tuple[str, ...], actor: Actor) -> User:
        user = self.get(username)
        role_, unit_codes = self._check_role(role, units)
        if user.role == Role.ADMINISTRATOR and role_ != Role.ADMINISTRATOR:
            self._keep_an_admin(user)
        self.tables.update_user(user.id, self.clock(), role=role_, units=unit_codes)
        self.audit.record(actor, "user.set_role", username, role=role_, units=list(unit_codes), was=user.role)
        return self.get(username)

    def reset_password(self, username: str, actor: Actor) -> str:
        """Give `username` a new one-time password and end their sessions; return the password."""
        user = self.get(username)
        password = one_time_password()
        self.tables.update_user(
            user.id, self.clock(), password_hash=self.passwords.hash(password), must_change_password=True
        )
        self.sessions.end_all(user.id)
        self.audit.record(actor, "user.reset_password", username)
        return password

    def set_disabled(self, username: str, disabled: bool, actor: Actor) -> User:
        user = self.get(username)
        if disabled and user.role == Role.ADMINISTRATOR:
            self._keep_an_admin(user)
        self.tables.update_user(user.id, self.clock(), disabled=disabled)
        if disabled:
            self.sessions.end_all(user.id)
        self.audit.record(actor, "user.disable" if disabled else "user.enable", username)
        return self.get(username)

    def ensure_admin(self, actor: Actor) -> str | None:
        """Create `admin` with a one-time password if no enabled administrator exists; else return None."""
        if self.tables.count_active(Role.ADMINISTRATOR) > 0:
            return None
        existing = self.tables.user_by_name(FIRST_ADMIN)
        if existing is None:
            return self.add(FIRST_ADMIN, Role.ADMINISTRATOR, (), actor)[1]
        self.set_role(FIRST_ADMIN, Role.ADMINISTRATOR, (), actor)
        self.set_disabled(FIRST_ADMIN, False, actor)
        return self.reset_password(FIRST_ADMIN, actor)

    def get(self, username: str) -> User:
        user = self.tables.user_by_name(username.strip().lower())
        if user is None:
            raise AccountError(
                "users.unknown", f"there is no user {username!r}; list them with `civicpulse users list`."
            )
        return user

    def _check_role(self, role: str, units: str | tuple[str, ...]) -> tuple[Role, tuple[str, ...]]:
        try:
            role_ = Role(role)
        except ValueError:
            names = ", ".join(r.value for r in Role)
            raise AccountError("users.bad_role", f"{role!r} is not a role; use one of {names}.") from None
        codes = parse_units(units)
        bad = [c for c in codes if not UNIT_CODE.match(c)]
        if bad:
            raise AccountError(
                "users.bad_units", f"{', '.join(bad)}: a unit is a 5-digit GSO code (e.g. 26734) or org:NAME."
            )
        if role_ == Role.UNIT_OFFICER and not codes:
            raise AccountError("users.needs_units", "a unit officer needs at least one unit (--units 26734).")
        return role_, codes if role_ == Role.UNIT_OFFICER else ()

    def _keep_an_admin(self, user: User) -> None:
        if not user.disabled and self.tables.count_active(Role.ADMINISTRATOR) <= 1:
            raise AccountError("users.last_admin", "this is the last administrator; make another one first.")

    # -- signing in ----------------------------------------------------------------------------------

    def login(self, username: str, password: str, actor: Actor) -> LoginResult:
        """Check a password under the throttle; rehash it when the hashing parameters have changed."""
        username = username.strip().lower()
        locked = self.throttle.locked_until(username, actor.address)
        if locked is not None:
            self.audit.record(actor, "login.refused_locked", username, until=locked.isoformat())
            return LoginResult("locked", retry_at=locked)
        user = self.tables.user_by_name(username)
        if user is None:
            self.passwords.verify_nobody(password)
        if user is None or user.disabled or not self.passwords.verify(user.password_hash, password):
            return self._failed(username, actor)
        if self.passwords.needs_rehash(user.password_hash):
            self.tables.update_user(user.id, self.clock(), password_hash=self.passwords.hash(password))
        if user.totp_enabled:
            return LoginResult("totp", user=user)
        self.throttle.succeeded(username)
        self.audit.record(actor, "login", username)
        return LoginResult("ok", user=user)

    def second_factor(self, user: User, code: str, actor: Actor) -> LoginResult:
        """Check the TOTP code of a user whose password was right; failures count like wrong passwords."""
        locked = self.throttle.locked_until(user.username, actor.address)
        if locked is not None:
            return LoginResult("locked", retry_at=locked)
        if not totp.verify(user.totp_secret, code, self.clock().timestamp()):
            return self._failed(user.username, actor, step="totp")
        self.throttle.succeeded(user.username)
        self.audit.record(actor, "login", user.username, second_factor=True)
        return LoginResult("ok", user=user)

    def _failed(self, username: str, actor: Actor, step: str = "password") -> LoginResult:
        self.audit.record(actor, "login.failed", username, step=step)
        locked = self.throttle.failed(username, actor.address)
        if locked is not None:
            self.audit.record(actor, "login.locked", username, until=locked.isoformat())
            return LoginResult("locked", retry_at=locked)
        return LoginResult("refused")

    # -- one's own account ---------------------------------------------------------------------------

    def change_password(
        self, user: User, current: str, new: str, actor: Actor, keep_session: str = ""
    ) -> None:
        """Change a password; every other session of the user ends."""
        if not self.passwords.verify(user.password_hash, current):
            raise AccountError("password.wrong_current", "the current password is not right.")
        problem = weakness(new, user.username, self.min_length)
        if problem:
            raise AccountError(problem, f"the new password is not acceptable ({problem}).")
        if new == current:
            raise AccountError("password.same", "the new password must differ from the current one.")
        self.tables.update_user(
            user.id, self.clock(), password_hash=self.passwords.hash(new), must_change_password=False
        )
        self.sessions.end_all(user.id, keep=keep_session)
        self.audit.record(actor, "password.change", user.username)

    def totp_begin(self, user: User) -> str:
        """Store a fresh, not yet active TOTP secret for `user` and return it."""
        secret = totp.new_secret()
        self.tables.update_user(user.id, self.clock(), totp_secret=secret, totp_enabled=False)
        return secret

    def totp_confirm(self, user: User, code: str, actor: Actor) -> bool:
        """Turn TOTP on once the user proves their app has the secret."""
        if not user.totp_secret or not totp.verify(user.totp_secret, code, self.clock().timestamp()):
            return False
        self.tables.update_user(user.id, self.clock(), totp_enabled=True)
        self.audit.record(actor, "totp.enable", user.username)
        return True

    def totp_disable(self, user: User, code: str, actor: Actor) -> bool:
        if not user.totp_enabled or not totp.verify(user.totp_secret, code, self.clock().timestamp()):
            return False
        self.tables.update_user(user.id, self.clock(), totp_enabled=False, totp_secret="")
        self.audit.record(actor, "totp.disable", user.username)
        return True
