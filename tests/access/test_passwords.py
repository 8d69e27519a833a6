"""Argon2id hashes, rehash on login when the parameters change, one-time passwords, weak passwords."""

from __future__ import annotations

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from civicpulse.access.passwords import ALPHABET, Passwords, one_time_password, weakness
from civicpulse.config import Settings
from civicpulse.store import Store

CHEAP = Passwords(time_cost=1, memory_kib=1024)


def test_hashes_are_argon2id_and_verify() -> None:
    stored = CHEAP.hash("mật khẩu rất dài")
    assert stored.startswith("$argon2id$")
    assert "mật khẩu" not in stored
    assert CHEAP.verify(stored, "mật khẩu rất dài")
    assert not CHEAP.verify(stored, "mat khau rat dai")
    assert not CHEAP.verify("not a hash", "anything")


def test_login_rehashes_when_the_parameters_change(cheap_settings: Settings, sqlite_store: Store) -> None:
    old = AccessControl(sqlite_store, cheap_settings)
    user = old.tables.add_user("lan", "analyst", (), old.passwords.hash("a long passphrase"), old.clock())
    stronger = AccessControl(sqlite_store, cheap_settings.model_copy(update={"argon2_time_cost": 2}))
    assert stronger.passwords.needs_rehash(user.password_hash)
    assert stronger.accounts.login("lan", "a long passphrase", Actor(address="10.0.0.1")).outcome == "ok"
    rehashed = stronger.tables.user(user.id)
    assert rehashed is not None
    assert rehashed.password_hash != user.password_hash
    assert "t=2" in rehashed.password_hash
    assert not stronger.passwords.needs_rehash(rehashed.password_hash)
    assert stronger.accounts.login("lan", "a long passphrase", Actor(address="10.0.0.1")).outcome == "ok"


def test_one_time_passwords_are_long_random_and_unambiguous() -> None:
    passwords = {one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 16 and set(p) <= set(ALPHABET) for p in passwords)
    assert not set("0O1lI") & set(ALPHABET)


def test_weak_passwords_are_named() -> None:
    assert weakness("short", "lan", 10) == "password.too_short"
    assert weakness("lan-is-my-name", "lan", 10) == "password.has_username"
    assert weakness("aaaaaaaaaaaa", "lan", 10) == "password.too_simple"
    assert weakness("ngập ở Thủ Đức", "lan", 10) == ""
