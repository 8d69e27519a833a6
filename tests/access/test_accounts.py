"""Account management: one-time passwords, roles and units, the last administrator, TOTP enrolment."""

from __future__ import annotations

import pytest

from civicpulse.access import totp
from civicpulse.access.accounts import AccountError
from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl

ADMIN = Actor(username="boss", address="10.0.0.1")


def test_added_users_must_change_their_one_time_password(sqlite_access: AccessControl) -> None:
    user, password = sqlite_access.accounts.add("Lan", "unit_officer", "26734,26737", ADMIN)
    assert user.username == "lan"
    assert user.units == ("26734", "26737")
    assert user.must_change_password
    assert sqlite_access.accounts.login("lan", password, ADMIN).outcome == "ok"
    sqlite_access.accounts.change_password(user, password, "my own long password", ADMIN)
    changed = sqlite_access.accounts.get("lan")
    assert not changed.must_change_password
    assert sqlite_access.accounts.login("lan", password, ADMIN).outcome == "refused"


@pytest.mark.parametrize(
    ("username", "role", "units", "key"),
    [
        ("x", "viewer", "", "users.bad_name"),
        ("lan", "mayor", "", "users.bad_role"),
        ("lan", "unit_officer", "", "users.needs_units"),
        ("lan", "unit_officer", "Thủ Đức", "users.bad_units"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(
    sqlite_access: AccessControl, username: str, role: str, units: str, key: str
) -> None:
    with pytest.raises(AccountError) as caught:
        sqlite_access.accounts.add(username, role, units, ADMIN)
    assert caught.value.key == key


def test_only_unit_officers_keep_units(sqlite_access: AccessControl) -> None:
    user, _ = sqlite_access.accounts.add("lan", "analyst", "26734", ADMIN)
    assert user.units == ()


def test_the_last_administrator_cannot_be_demoted_or_disabled(sqlite_access: AccessControl) -> None:
    assert sqlite_access.accounts.ensure_admin(ADMIN) is not None
    assert sqlite_access.accounts.ensure_admin(ADMIN) is None
    with pytest.raises(AccountError, match="last administrator"):
        sqlite_access.accounts.set_role("admin", "viewer", "", ADMIN)
    with pytest.raises(AccountError, match="last administrator"):
        sqlite_access.accounts.set_disabled("admin", True, ADMIN)
    sqlite_access.accounts.add("second", "administrator", "", ADMIN)
    sqlite_access.accounts.set_disabled("admin", True, ADMIN)
    assert sqlite_access.accounts.ensure_admin(ADMIN) is None


def test_totp_enrolment_then_second_factor(sqlite_access: AccessControl) -> None:
    user, password = sqlite_access.accounts.add("boss", "administrator", "", ADMIN)
    secret = sqlite_access.accounts.totp_begin(user)
    code = totp.totp(totp.decode_secret(secret), sqlite_access.clock().timestamp())
    assert not sqlite_access.accounts.totp_confirm(sqlite_access.accounts.get("boss"), "000000", ADMIN)
    assert sqlite_access.accounts.totp_confirm(sqlite_access.accounts.get("boss"), code, ADMIN)
    first = sqlite_access.accounts.login("boss", password, ADMIN)
    assert first.outcome == "totp"
    assert first.user is not None
    assert sqlite_access.accounts.second_factor(first.user, "000000", ADMIN).outcome == "refused"
    assert sqlite_access.accounts.second_factor(first.user, code, ADMIN).outcome == "ok"
    actions = [e.action for e in sqlite_access.audit.entries()]
    assert actions[:3] == ["login", "login.failed", "totp.enable"]
