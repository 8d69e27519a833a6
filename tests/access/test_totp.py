"""TOTP against the RFC 6238 test vectors; verification window; the otpauth URI."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from civicpulse.access import totp

SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890123456789012345678901234567890123456789012345678901234"
# RFC 6238 appendix B: (time, code) for each algorithm, 8 digits.
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp.totp(SHA1_KEY, at, digits=8) == sha1
    assert totp.totp(SHA256_KEY, at, digits=8, digest="sha256") == sha256
    assert totp.totp(SHA512_KEY, at, digits=8, digest="sha512") == sha512


def test_verify_accepts_one_step_of_drift_and_nothing_more() -> None:
    secret = totp.new_secret()
    key = totp.decode_secret(secret)
    now = 1_700_000_000
    assert totp.verify(secret, totp.totp(key, now), now)
    assert totp.verify(secret, totp.totp(key, now - 30), now)
    assert totp.verify(secret, totp.totp(key, now + 30), now)
    assert not totp.verify(secret, totp.totp(key, now - 90), now)
    assert not totp.verify(secret, "12345", now)
    assert not totp.verify(secret, "abcdef", now)


def test_provisioning_uri_names_issuer_account_and_secret() -> None:
    uri = urlparse(totp.provisioning_uri("JBSWY3DPEHPK3PXP", "admin"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/civicpulse:admin")
    query = parse_qs(uri.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["civicpulse"]
    assert query["digits"] == ["6"]
