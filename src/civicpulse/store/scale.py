"""Store reads and writes of the distributed mode: items by id, partition leases, retention.

Workers receive item ids, never items: the store is the system of record, so a redelivered message re-reads
what was committed. A stateful partition is leased with a PostgreSQL advisory lock held on its own
connection, so a replacement worker waits until the old one is gone (its session ends, the lock goes). Each
holder advances the lease's generation when it takes it; saves check it (`store.fencing`), so an old holder
that has not noticed yet cannot overwrite what the new one does.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, and_, select, text, update
from sqlalchemy.exc import DBAPIError

from civicpulse.models import Item
from civicpulse.store.fencing import Fence, advance, current
from civicpulse.store.schema import enrichments, item_labels, items
from civicpulse.store.store import Store, _item, _item_select, aware
from civicpulse.store.understanding import EnrichmentTables

RETENTION_BATCH = 1000


def items_by_ids(store: Store, ids: Sequence[int], *, enriched: bool = False) -> dict[int, Item]:
    """Return the stored items among `ids`; with `enriched`, each carries its stored enrichment."""
    if not ids:
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(_item_select().where(items.c.id.in_(list(ids))))
        found = {row.id: _item(row._mapping) for row in rows}
    if enriched:
        stored = EnrichmentTables(store).get(list(found))
        found = {i: replace(item, enrichment=stored[i]) if i in stored else item for i, item in found.items()}
    return found


class PartitionLease:
    """An exclusive lease on a named partition for this process's lifetime (PostgreSQL advisory lock).

    On SQLite (one process by definition) the lease is always granted and has no fence.
    """

    def __init__(self, store: Store, name: str) -> None:
        self.store = store
        self.name = name
        self.key = zlib.crc32(f"civicpulse:{name}".encode())
        self.fence: Fence | None = None
        """The generation this process took, for the saves of its stages (None while not held)."""
        self._conn: Connection | None = None
        self._held = False

    def try_acquire(self) -> bool:
        """Take the lease if free and advance its generation; return whether this process holds it."""
        if self.store.dialect != "postgresql":
            return True
        if self._conn is None:
            self._conn = self.store.engine.connect()
        try:
            query = text("SELECT pg_try_advisory_lock(:k)")
            self._held = bool(self._conn.execute(query, {"k": self.key}).scalar())
            if self._held:
                self.fence = advance(self._conn, self.name)
            self._conn.commit()  # the lock is session-level; do not sit idle in a transaction
        except DBAPIError:
            self._forget()
            raise
        return self._held

    def holds(self) -> bool:
        """Whether this process still holds the lease: its session lives and the generation is still its own.

        A restart or a dropped session ends the lock. A generation moved by someone else (a takeover this
        process missed) gives the lease up, so the caller takes it again or waits as a standby.
        """
        if self.store.dialect != "postgresql":
            return True
        if self._conn is None or not self._held:
            return False
        try:
            generation = current(self._conn, self.name)
            self._conn.commit()
        except DBAPIError:
            self._forget()
            return False
        if self.fence is None or generation != self.fence.generation:
            self.release()
            return False
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._conn.commit()
        except DBAPIError:  # the session is gone already, and the lock with it
            pass
        self._forget()

    def _forget(self) -> None:
        assert self._conn is not None
        with contextlib.suppress(DBAPIError):
            self._conn.close()
        self._conn, self._held, self.fence = None, False, None


def blank_old_content(store: Store, before: datetime, batch: int = RETENTION_BATCH) -> int:
    """Blank raw and full text of items collected before `before` (retention); return how many were blanked.

    Titles, URLs, counts and derived labels stay, so stories and signals keep their history; the text a
    person wrote does not outlive the policy, in the item or in an analyst's label of it. Works in small
    batches so it never holds long locks; running it again does nothing more.
    """
    cutoff, total = aware(before), 0
    old = and_(items.c.collected_at < cutoff, (items.c.text != "") | (items.c.raw_text != ""))
    while True:
        with store._write(), store.engine.begin() as conn:
            ids = list(
                conn.execute(select(items.c.id).where(old).order_by(items.c.id).limit(batch)).scalars()
            )
            if not ids:
                return total
            conn.execute(update(items).where(items.c.id.in_(ids)).values(text="", raw_text="", fold=""))
            conn.execute(
                update(enrichments)
                .where(enrichments.c.item_id.in_(ids))
                .values(analysis_text="", features={})
            )
            # Labels keep their own copy of what was judged (migration 0013); it follows the same policy.
            conn.execute(update(item_labels).where(item_labels.c.item_id.in_(ids)).values(text=""))
        total += len(ids)


def unprocessed_ids(store: Store, since: datetime) -> list[int]:
    """Return the ids of items collected since `since` that no understand stage has stored, oldest first.

    After a publish that failed for good (the bus away longer than the collector retries), these are
    stored but never reached a worker. Items a stage skipped or quarantined are among them too: sending
    them again costs work and changes nothing.
    """
    query = (
        select(items.c.id)
        .select_from(items.outerjoin(enrichments, enrichments.c.item_id == items.c.id))
        .where(enrichments.c.item_id.is_(None), items.c.collected_at >= aware(since))
        .order_by(items.c.id)
    )
    with store.engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]


def story_assignments(store: Store) -> dict[int, int | None]:
    """Return every item's story id (None for items without one), for equivalence checks and audits."""
    query = select(items.c.id, enrichments.c.story_id).select_from(
        items.outerjoin(enrichments, enrichments.c.item_id == items.c.id)
    )
    with store.engine.connect() as conn:
        return {int(i): (None if s is None else int(s)) for i, s in conn.execute(query)}
