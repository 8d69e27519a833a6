"""The audit log is append-only: the app has no way to change it and the database refuses to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from civicpulse.store.access import AccessTables
from civicpulse.store.schema import audit_log

ACTOR = Actor(username="lan", user_id=1, via="session", address="10.0.0.1", user_agent="Firefox")


def test_entries_keep_who_what_when_and_from_where(access: AccessControl) -> None:
    access.audit.record(ACTOR, "demo.load", "demo", new=3)
    [entry] = access.audit.entries()
    assert (entry.actor, entry.via, entry.action, entry.target) == ("lan", "session", "demo.load", "demo")
    assert entry.details == {"new": 3}
    assert (entry.address, entry.user_agent) == ("10.0.0.1", "Firefox")
    assert entry.at == access.clock()


@pytest.mark.parametrize(
    "statement",
    [sa.update(audit_log).values(actor="someone else"), sa.delete(audit_log)],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_the_audit_log(
    access: AccessControl, statement: sa.Executable
) -> None:
    access.audit.record(ACTOR, "login", "lan")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), access.tables.engine.begin() as conn:
        conn.execute(statement)
    [entry] = access.audit.entries()
    assert entry.actor == "lan"


def test_the_store_has_no_way_to_change_the_audit_log() -> None:
    names = [n for n in dir(AccessTables) if "audit" in n]
    assert sorted(names) == ["append_audit", "audit_entries"]


def test_entries_page_newest_first(access: AccessControl) -> None:
    for i in range(5):
        access.audit.record(ACTOR, "login.failed" if i % 2 else "login", str(i))
    newest = access.audit.entries(limit=2)
    assert [e.target for e in newest] == ["4", "3"]
    older = access.audit.entries(limit=2, before=newest[-1].id)
    assert [e.target for e in older] == ["2", "1"]
    assert [e.target for e in access.audit.entries(action="login.failed")] == ["3", "1"]
