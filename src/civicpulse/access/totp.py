"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), with the standard library only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import quote, urlencode

STEP_S = 30
DIGITS = 6
ISSUER = "civicpulse"


def new_secret() -> str:
    """Return a random 160-bit secret in base32, as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def decode_secret(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """Return the HOTP code of `counter` (RFC 4226 dynamic truncation)."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp(key: bytes, unix_time: float, digits: int = DIGITS, digest: str = "sha1") -> str:
    """Return the TOTP code valid at `unix_time`."""
    return hotp(key, int(unix_time // STEP_S), digits, digest)


def verify(secret: str, code: str, unix_time: float, window: int = 1) -> bool:
    """Accept the code of this step or `window` steps either side (clocks on phones drift)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == DIGITS):
        return False
    key = decode_secret(secret)
    return any(
        hmac.compare_digest(totp(key, unix_time + shift * STEP_S), code)
        for shift in range(-window, window + 1)
    )


def provisioning_uri(secret: str, username: str) -> str:
    """Return the otpauth:// URI an authenticator app can import (typed or pasted; no QR code needed)."""
    label = quote(f"{ISSUER}:{username}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_S}
    )
    return f"otpauth://totp/{label}?{query}"
