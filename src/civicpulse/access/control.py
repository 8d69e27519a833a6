"""Everything access control needs, built once from the settings over one store."""

from __future__ import annotations

from civicpulse.access.accounts import Accounts
from civicpulse.access.audit import AuditLog
from civicpulse.access.clock import Clock, utcnow
from civicpulse.access.passwords import Passwords
from civicpulse.access.sessions import Sessions
from civicpulse.access.throttle import LoginThrottle
from civicpulse.access.tokens import Tokens
from civicpulse.config import Settings
from civicpulse.store import Store
from civicpulse.store.access import AccessTables


class AccessControl:
    """Accounts, sessions, tokens, the login throttle and the audit log, sharing one clock."""

    def __init__(self, store: Store, settings: Settings, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self.tables = AccessTables(store)
        self.audit = AuditLog(self.tables, clock)
        self.passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
        self.sessions = Sessions(
            self.tables, settings.session_secret, settings.session_idle_s, settings.session_max_s, clock
        )
        self.tokens = Tokens(self.tables, clock)
        self.throttle = LoginThrottle(
            self.tables,
            account_limit=settings.login_max_failures,
            address_limit=settings.login_address_max_failures,
            lockout_s=settings.login_lockout_s,
            lockout_max_s=settings.login_lockout_max_s,
            window_s=settings.login_window_s,
            clock=clock,
        )
        self.accounts = Accounts(
            self.tables,
            self.passwords,
            self.sessions,
            self.throttle,
            self.audit,
            min_length=settings.password_min_length,
            clock=clock,
        )
