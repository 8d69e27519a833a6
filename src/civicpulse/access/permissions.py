"""Roles, the actions they may take (one table), and the signed-in principal a request acts as."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a user is; unit officers are further scoped to their units."""

    ADMINISTRATOR = "administrator"
    ANALYST = "analyst"
    UNIT_OFFICER = "unit_officer"
    COLLABORATOR = "collaborator"
    VIEWER = "viewer"


class Permission(StrEnum):
    """An action a route may require; docs/access.md lists who holds each."""

    VIEW_DASHBOARD = "view_dashboard"  # overview, items, sources, quarantine and their JSON twins
    MANAGE_OWN_ACCOUNT = "manage_own_account"  # change password, personal API tokens, sign out
    USE_TOTP = "use_totp"  # enrol in and turn off the second factor
    SUBMIT_FIELD_REPORTS = "submit_field_reports"
    VIEW_OWN_FIELD_REPORTS = "view_own_field_reports"
    ACT_ON_UNIT_CASES = "act_on_unit_cases"  # cases, alerts and reports of the principal's units
    ACT_ON_ALERTS = "act_on_alerts"  # acknowledge, open a case, mark useful or noise
    MANAGE_CASES = "manage_cases"  # open, route and close any case
    EDIT_TOPICS = "edit_topics"
    LABEL_ITEMS = "label_items"
    EXPORT = "export"
    LOAD_DEMO = "load_demo"
    MANAGE_SOURCES = "manage_sources"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"


P = Permission
_EVERYONE = {P.MANAGE_OWN_ACCOUNT}
_READERS = _EVERYONE | {P.VIEW_DASHBOARD}
_ANALYST = _READERS | {
    P.SUBMIT_FIELD_REPORTS,
    P.VIEW_OWN_FIELD_REPORTS,
    P.ACT_ON_UNIT_CASES,
    P.ACT_ON_ALERTS,
    P.MANAGE_CASES,
    P.EDIT_TOPICS,
    P.LABEL_ITEMS,
    P.EXPORT,
    P.LOAD_DEMO,
}
# The one table of who may do what; docs/access.md renders the same table for people.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(_ANALYST | {P.USE_TOTP, P.MANAGE_SOURCES, P.MANAGE_USERS, P.READ_AUDIT}),
    Role.ANALYST: frozenset(_ANALYST),
    Role.UNIT_OFFICER: frozenset(
        _READERS | {P.ACT_ON_UNIT_CASES, P.SUBMIT_FIELD_REPORTS, P.VIEW_OWN_FIELD_REPORTS}
    ),
    Role.COLLABORATOR: frozenset(_EVERYONE | {P.SUBMIT_FIELD_REPORTS, P.VIEW_OWN_FIELD_REPORTS}),
    Role.VIEWER: frozenset(_READERS),
}


def allows(role: str, permission: Permission) -> bool:
    """Return whether `role` holds `permission` (an unknown role holds nothing)."""
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False


def parse_units(text: str | Iterable[str]) -> tuple[str, ...]:
    """Split a comma- or space-separated list of unit codes into a sorted tuple without duplicates."""
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    return tuple(sorted({p.strip() for p in parts if p.strip()}))


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the account, how it signed in, and what it may see."""

    user_id: int
    username: str
    role: str
    units: tuple[str, ...] = ()
    via: str = "session"  # "session" (cookie), "token" (Authorization: Bearer) or "cli"
    csrf_token: str = ""
    session_hash: str = ""
    must_change_password: bool = False
    language: str = ""  # the account's chosen interface language ("" until chosen)

    def can(self, permission: Permission | str) -> bool:
        return allows(self.role, Permission(permission))

    @property
    def all_units(self) -> bool:
        """Whether the principal sees every unit (everyone but unit officers)."""
        return self.role != Role.UNIT_OFFICER

    def sees_unit(self, code: str) -> bool:
        """Whether a record of unit `code` is within this principal's scope."""
        return self.all_units or code in self.units

    def sees_any(self, codes: Iterable[str]) -> bool:
        """Whether a record touching `codes` is within scope (a unit officer needs one of theirs)."""
        return self.all_units or bool(set(codes) & set(self.units))


def markdown_table() -> str:
    """Render the permission table as docs/access.md shows it (a test keeps the two equal)."""
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(r.value for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = " | ".join("✓" if permission in PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| `{permission.value}` | {marks} |")
    return "\n".join(lines)
