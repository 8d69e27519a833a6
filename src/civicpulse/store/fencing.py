"""Fencing tokens of leased partitions: a generation each new holder advances, checked where state is saved.

A partition lease (`store.scale.PartitionLease`, an advisory lock) ends with its database session, and the
holder notices only before its next batch; meanwhile a standby may have taken the partition and restored
its state. The generation makes the old holder's late save harmless: whoever takes the lease advances it,
and the save transaction of a stateful stage locks the generation's row and commits only while the
generation is still its own. The row lock also orders a save and a takeover: the new holder's advance
waits for a save already under way, so it restores from a checkpoint that includes it.

The generation is a row of the `checkpoints` table (`lease:<name>`, value `{"generation": n}`): no schema
change, and a stage's checkpoint and its fence live in the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from civicpulse.errors import LeaseLost
from civicpulse.store.schema import checkpoints

ROW_PREFIX = "lease:"


@dataclass(frozen=True)
class Fence:
    """The generation of a partition lease that a holder took; its saves commit only while it is current."""

    lease: str
    """The lease's name (e.g. `civicpulse:stories-p0`)."""
    generation: int


def row_name(lease: str) -> str:
    """Return the `checkpoints` row that holds `lease`'s generation."""
    return f"{ROW_PREFIX}{lease}"


def advance(conn: Connection, lease: str) -> Fence:
    """Advance `lease`'s generation (in `conn`'s transaction) and return the new holder's fence.

    Call it right after taking the lease. It waits for a save that holds the row (the old holder's last
    commit goes first), and every later save of an older generation is refused.
    """
    name, stamp = row_name(lease), datetime.now(UTC)
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    first = {"generation": 0}
    conn.execute(
        dialect_insert(checkpoints)
        .values(name=name, value=first, updated_at=stamp)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    generation = _generation(conn, lease, lock=True) + 1
    conn.execute(
        update(checkpoints)
        .where(checkpoints.c.name == name)
        .values(value={"generation": generation}, updated_at=stamp)
    )
    return Fence(lease, generation)


def current(conn: Connection, lease: str) -> int:
    """Return `lease`'s generation (0 when nobody ever took it)."""
    return _generation(conn, lease, lock=False)


def check(conn: Connection, fence: Fence | None) -> None:
    """Lock the fence's generation until `conn`'s transaction ends; raise `LeaseLost` if it moved on.

    Call it first in a save transaction, so the refusal rolls back everything the save would write.
    None (an unleased, single-process stage) checks nothing.
    """
    if fence is None:
        return
    now = _generation(conn, fence.lease, lock=True)
    if now != fence.generation:
        raise LeaseLost(
            f"partition {fence.lease} was taken over (generation {fence.generation}, now {now}); "
            "this worker's batch is left to the new holder"
        )


def _generation(conn: Connection, lease: str, *, lock: bool) -> int:
    query = select(checkpoints.c.value).where(checkpoints.c.name == row_name(lease))
    if lock:
        query = query.with_for_update()  # PostgreSQL: a row lock; SQLite has one writer anyway
    value = conn.execute(query).scalar()
    return int(value["generation"]) if isinstance(value, dict) else 0
