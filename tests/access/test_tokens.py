"""API tokens: shown once, only a hash at rest, revocable, refused when the owner is disabled."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from civicpulse.store.schema import api_tokens


def test_a_token_is_stored_only_as_its_hash(access: AccessControl) -> None:
    owner = access.tables.add_user("lan", "viewer", (), "x", access.clock())
    token, record = access.tokens.create(owner, "report script")
    assert token.startswith("cp_")
    assert len(token) > 40
    with access.tables.engine.connect() as conn:
        stored = conn.execute(sa.select(api_tokens)).one()._mapping
    assert token not in {str(v) for v in stored.values()}
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert record.prefix == token[:10]
    found = access.tokens.resolve(token)
    assert found is not None
    assert found[0].username == "lan"
    assert access.tokens.resolve(token + "x") is None
    assert access.tokens.resolve("Bearer " + token) is None


def test_revoked_tokens_and_disabled_owners_are_refused(access: AccessControl) -> None:
    access.tables.add_user("boss", "administrator", (), "x", access.clock())
    owner = access.tables.add_user("lan", "analyst", (), "x", access.clock())
    first, record = access.tokens.create(owner, "one")
    second, _ = access.tokens.create(owner, "two")
    other = access.tables.add_user("minh", "analyst", (), "x", access.clock())
    assert not access.tokens.revoke(other, record.id)  # only the owner revokes
    assert access.tokens.revoke(owner, record.id)
    assert not access.tokens.revoke(owner, record.id)
    assert access.tokens.resolve(first) is None
    assert access.tokens.resolve(second) is not None
    access.accounts.set_disabled("lan", True, Actor())
    assert access.tokens.resolve(second) is None
