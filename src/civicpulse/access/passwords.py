"""Argon2id password hashes, rehashed on login when the cost parameters change; one-time passwords."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# No look-alike characters (0/O, 1/l/I), so a password read aloud or copied from a screen survives.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 16


class Passwords:
    """Hashes and checks passwords with the configured Argon2id cost."""

    def __init__(self, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        # Verifying against this when the account does not exist costs the same as a real check.
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Return whether `password` matches; a malformed stored hash never matches."""
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_nobody(self, password: str) -> None:
        """Spend the time of a real check, so a missing account cannot be told apart by timing."""
        self.verify(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def one_time_password(length: int = ONE_TIME_LENGTH) -> str:
    """Return a random password to hand over once; the user must change it at first login."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def weakness(password: str, username: str, min_length: int) -> str:
    """Return the message key saying why `password` is not acceptable, or "" when it is."""
    if len(password) < min_length:
        return "password.too_short"
    if username and username.lower() in password.lower():
        return "password.has_username"
    if len(set(password)) < 4:
        return "password.too_simple"
    return ""
