"""Login rate limiting: lockout per account and per address, doubling backoff, forgetting old failures."""

from __future__ import annotations

from datetime import timedelta

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from tests.access.conftest import FakeClock

HOME = Actor(address="10.0.0.1")


def add(access: AccessControl, username: str = "lan") -> None:
    access.tables.add_user(
        username, "analyst", (), access.passwords.hash("a long passphrase"), access.clock()
    )


def fail(access: AccessControl, times: int, username: str = "lan", actor: Actor = HOME) -> str:
    outcome = ""
    for _ in range(times):
        outcome = access.accounts.login(username, "wrong password", actor).outcome
    return outcome


def test_an_account_locks_after_the_limit_and_says_until_when(
    access: AccessControl, clock: FakeClock
) -> None:
    add(access)
    limit = access.settings.login_max_failures
    assert fail(access, limit - 1) == "refused"
    result = access.accounts.login("lan", "wrong password", HOME)
    assert result.outcome == "locked"
    assert result.retry_at == clock.now + timedelta(seconds=access.settings.login_lockout_s)
    # Even the right password is refused while locked (and is not checked, so it is no oracle).
    assert access.accounts.login("lan", "a long passphrase", HOME).outcome == "locked"
    clock.advance(seconds=access.settings.login_lockout_s + 1)
    assert access.accounts.login("lan", "a long passphrase", HOME).outcome == "ok"
    assert access.accounts.login("lan", "wrong password", HOME).outcome == "refused"  # success reset it


def test_each_further_failure_doubles_the_lockout(access: AccessControl, clock: FakeClock) -> None:
    add(access)
    base = access.settings.login_lockout_s
    fail(access, access.settings.login_max_failures)
    waits = []
    for _ in range(3):
        locked = access.throttle.locked_until("lan", HOME.address)
        assert locked is not None
        clock.now = locked + timedelta(seconds=1)
        result = access.accounts.login("lan", "wrong password", HOME)
        assert result.retry_at is not None
        waits.append((result.retry_at - clock.now).total_seconds())
    assert waits == [base * 2, base * 4, base * 8]


def test_the_lockout_is_capped(access: AccessControl, clock: FakeClock) -> None:
    add(access)
    fail(access, access.settings.login_max_failures + 30)
    locked = access.throttle.locked_until("lan", HOME.address)
    assert locked is not None
    assert locked - clock.now <= timedelta(seconds=access.settings.login_lockout_max_s)


def test_old_failures_are_forgotten(access: AccessControl, clock: FakeClock) -> None:
    add(access)
    fail(access, access.settings.login_max_failures - 1)
    clock.advance(seconds=access.settings.login_window_s + 1)
    assert fail(access, access.settings.login_max_failures - 1) == "refused"


def test_one_address_guessing_many_accounts_is_locked(access: AccessControl) -> None:
    limit = access.settings.login_address_max_failures
    for i in range(limit - 1):
        assert access.accounts.login(f"user{i}", "guess", HOME).outcome == "refused"
    assert access.accounts.login("someone", "guess", HOME).outcome == "locked"
    add(access, "lan")
    assert access.accounts.login("lan", "a long passphrase", HOME).outcome == "locked"
    assert access.accounts.login("lan", "a long passphrase", Actor(address="10.0.0.2")).outcome == "ok"


def test_unknown_accounts_fail_like_known_ones(access: AccessControl) -> None:
    assert fail(access, access.settings.login_max_failures, username="ghost") == "locked"


def test_failures_and_lockouts_are_audited(access: AccessControl) -> None:
    add(access)
    fail(access, access.settings.login_max_failures)
    actions = [e.action for e in access.audit.entries()]
    assert actions.count("login.failed") == access.settings.login_max_failures
    assert actions[0] == "login.locked"
    assert {e.address for e in access.audit.entries()} == {"10.0.0.1"}
