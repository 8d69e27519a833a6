"""Who acts and from where, and the one way to write the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civicpulse.access.clock import Clock, utcnow
from civicpulse.store.access import AccessTables, AuditEntry


@dataclass(frozen=True)
class Actor:
    """The author of an action as the audit log records it."""

    username: str = ""
    user_id: int | None = None
    via: str = ""  # session, token, cli, or "" for an anonymous request
    address: str = ""
    user_agent: str = ""


class AuditLog:
    """Appends entries to the audit log and reads them back; it has no way to change or delete one."""

    def __init__(self, tables: AccessTables, clock: Clock = utcnow) -> None:
        self.tables = tables
        self.clock = clock

    def record(self, actor: Actor, action: str, target: str = "", **details: Any) -> None:
        self.tables.append_audit(
            AuditEntry(
                action=action,
                at=self.clock(),
                actor=actor.username,
                actor_id=actor.user_id,
                via=actor.via,
                target=target,
                details=details,
                address=actor.address,
                user_agent=actor.user_agent,
            )
        )

    def entries(self, limit: int = 100, before: int | None = None, action: str = "") -> list[AuditEntry]:
        return self.tables.audit_entries(limit, before, action)
