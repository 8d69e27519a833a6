"""Sessions: signed cookies, idle and absolute timeouts, logout and password changes end them."""

from __future__ import annotations

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from civicpulse.store.access import User
from tests.access.conftest import FakeClock

ACTOR = Actor(username="lan", address="10.0.0.1")


def user(access: AccessControl, password: str = "a long passphrase") -> User:
    return access.tables.add_user("lan", "analyst", (), access.passwords.hash(password), access.clock())


def test_a_session_resolves_to_its_user(access: AccessControl) -> None:
    cookie, record = access.sessions.start(user(access), "10.0.0.1", "test")
    resolved = access.sessions.resolve(cookie)
    assert resolved is not None
    assert resolved[0].id_hash == record.id_hash
    assert resolved[1].username == "lan"
    assert cookie.split(".")[0] not in record.id_hash  # only the hash is stored


def test_a_tampered_or_unknown_cookie_is_nobody(access: AccessControl) -> None:
    cookie, _ = access.sessions.start(user(access), "", "")
    session_id, signature = cookie.rsplit(".", 1)
    assert access.sessions.resolve(f"{session_id}x.{signature}") is None
    assert access.sessions.resolve(f"{session_id}.{signature[:-2]}AA") is None
    assert access.sessions.resolve("") is None
    assert access.sessions.resolve("no-dot") is None


def test_idle_timeout(access: AccessControl, clock: FakeClock) -> None:
    cookie, _ = access.sessions.start(user(access), "", "")
    idle = access.settings.session_idle_s
    clock.advance(seconds=idle - 10)
    assert access.sessions.resolve(cookie) is not None  # activity moves the idle deadline
    clock.advance(seconds=idle - 10)
    assert access.sessions.resolve(cookie) is not None
    clock.advance(seconds=idle + 1)
    assert access.sessions.resolve(cookie) is None
    clock.advance(seconds=-idle)
    assert access.sessions.resolve(cookie) is None  # expired sessions are revoked, not just skipped


def test_absolute_timeout_however_active(access: AccessControl, clock: FakeClock) -> None:
    cookie, _ = access.sessions.start(user(access), "", "")
    for _ in range(int(access.settings.session_max_s // 600)):
        clock.advance(seconds=600)
        if access.sessions.resolve(cookie) is None:
            break
    else:
        clock.advance(seconds=600)
    assert access.sessions.resolve(cookie) is None


def test_logout_ends_only_that_session(access: AccessControl) -> None:
    account = user(access)
    first, record = access.sessions.start(account, "", "")
    second, _ = access.sessions.start(account, "", "")
    access.sessions.end(record.id_hash)
    assert access.sessions.resolve(first) is None
    assert access.sessions.resolve(second) is not None


def test_password_change_ends_the_other_sessions(access: AccessControl) -> None:
    account = user(access)
    mine, record = access.sessions.start(account, "", "")
    other, _ = access.sessions.start(account, "", "")
    access.accounts.change_password(
        account, "a long passphrase", "another long one", ACTOR, keep_session=record.id_hash
    )
    assert access.sessions.resolve(mine) is not None
    assert access.sessions.resolve(other) is None


def test_disabling_a_user_ends_their_sessions(access: AccessControl) -> None:
    account = user(access)
    cookie, _ = access.sessions.start(account, "", "")
    access.tables.add_user("boss", "administrator", (), "x", access.clock())
    access.accounts.set_disabled("lan", True, ACTOR)
    assert access.sessions.resolve(cookie) is None
