"""PostgreSQL at scale: dashboard queries use indexes, retention blanks old text, partitions are leased."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from civicpulse.errors import LeaseLost
from civicpulse.models import Enrichment, Item
from civicpulse.store import Store, open_store
from civicpulse.store.fencing import advance, check
from civicpulse.store.labels import LabelCorrection, LabelTables, latest_labelled_items
from civicpulse.store.partitions import ensure_partitions
from civicpulse.store.scale import PartitionLease, blank_old_content
from civicpulse.store.stories import StoryTables
from civicpulse.store.understanding import EnrichmentTables
from tests.conftest import _truncate

NOW = datetime(2026, 1, 10, tzinfo=UTC)


@pytest.fixture
def pg_store(_postgres_store: Store) -> Store:
    """The session's PostgreSQL store, emptied (EXPLAIN plans are checked on the backend at scale)."""
    _truncate(_postgres_store)
    return _postgres_store


def items(n: int, start: datetime = NOW) -> list[Item]:
    return [
        Item(
            key=f"k{i}",
            text=f"nội dung {i}",
            raw_text=f"<p>nội dung {i}</p>",
            title=f"tiêu đề {i}",
            content_hash=f"h{i}",
            published_at=start - timedelta(hours=i),
            collected_at=start - timedelta(days=i // 50),
        )
        for i in range(n)
    ]


def plans(store: Store, read: Any) -> list[str]:
    """Run `read(store)`, then EXPLAIN each SELECT it made with sequential scans discouraged."""
    captured: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        read(store)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    found = []
    with store.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # small tables: ask what the planner *can* use
        for statement, parameters in captured:
            rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars()
            found.append("\n".join(rows))
    return found


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("read", "index"),
    [
        (lambda s: s.newest_items(20), "ix_items_when_id"),
        (lambda s: s.newest_items(20, since=NOW - timedelta(days=1)), "ix_items_when_id"),
        (lambda s: s.hourly_counts(NOW - timedelta(days=2)), "ix_items_when_id"),
        (lambda s: s.daily_counts((NOW - timedelta(days=3)).date()), "ix_items_collected_at"),
        (lambda s: s.search("tiêu đề"), "ix_items_fold_fts"),
        (lambda s: StoryTables(s).recent(20), "ix_stories_last_seen"),
    ],
)
def test_dashboard_queries_use_an_index(pg_store: Store, read: Any, index: str) -> None:
    store = pg_store
    ensure_partitions(store, NOW.date(), ahead=0)  # the items' month, as the daily timer would have made it
    store.add_items(items(300))
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    names = index_and_its_partitions(store, index)
    assert any(name in plan for plan in plans(store, read) for name in names), plans(store, read)


def index_and_its_partitions(store: Store, index: str) -> list[str]:
    """`index` and its copy on each partition of its table (items is partitioned by month, migration 0013)."""
    query = (
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = to_regclass(:name)"
    )
    with store.engine.connect() as conn:
        return [index, *conn.execute(sa.text(query), {"name": index}).scalars()]


def test_retention_blanks_old_text_once_and_keeps_the_rest(store: Store) -> None:
    stored = store.add_items(items(120))
    EnrichmentTables(store).save([(i.id or 0, Enrichment(analysis_text="văn bản")) for i in stored])
    LabelTables(store).add(LabelCorrection(stored[-1].id or 0, "sentiment", "negative"))
    cutoff = NOW - timedelta(hours=12)  # items 50.. were collected a day or more before NOW
    assert blank_old_content(store, cutoff, batch=16) == 70
    assert blank_old_content(store, cutoff) == 0
    kept, gone = store.item(stored[0].id or 0), store.item(stored[-1].id or 0)
    assert kept is not None and kept.text == "nội dung 0" and kept.raw_text
    assert gone is not None and (gone.text, gone.raw_text, gone.title) == ("", "", "tiêu đề 119")
    assert EnrichmentTables(store).get([stored[-1].id or 0])[stored[-1].id or 0].analysis_text == ""
    assert [i.id for i in store.search("tiêu đề 119")] == []  # the blanked text left the search index
    # The label's copy of what it judged follows the same policy (migration 0013): title kept, text blanked.
    assert latest_labelled_items(store, "sentiment") == [(stored[-1].id, "tiêu đề 119", "", "negative")]


@pytest.mark.postgres
def test_a_partition_has_one_owner_until_it_is_released(postgres_url: str) -> None:
    first, second = open_store(postgres_url, upgrade=True), open_store(postgres_url)
    try:
        a, b = PartitionLease(first, "stories-p0"), PartitionLease(second, "stories-p0")
        assert a.try_acquire()
        assert not b.try_acquire()
        a.release()
        assert b.try_acquire()
        b.release()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_a_lease_ends_with_its_session_and_the_holder_notices(postgres_url: str) -> None:
    first, second = open_store(postgres_url, upgrade=True), open_store(postgres_url)
    try:
        a, b = PartitionLease(first, "stories-p1"), PartitionLease(second, "stories-p1")
        assert a.try_acquire() and a.holds()
        assert not b.holds()  # never taken
        end_session = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"
            " AND objid = CAST(:k AS oid) AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with second.engine.connect() as conn:  # what a PostgreSQL restart does to the holder
            assert conn.execute(sa.text(end_session), {"k": a.key}).scalar() == 1
        old = a.fence
        assert not a.holds() and a.fence is None
        assert b.try_acquire()  # a standby takes over at once
        assert not a.try_acquire()  # and the old holder, reconnected, now waits
        assert old is not None and b.fence == replace(old, generation=old.generation + 1)
        with first.engine.begin() as conn, pytest.raises(LeaseLost):
            check(conn, old)  # what the old holder's late save runs into
        b.release()
        assert a.try_acquire() and a.holds()
        a.release()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_a_holder_whose_generation_moved_gives_the_lease_up(postgres_url: str) -> None:
    store = open_store(postgres_url, upgrade=True)
    try:
        lease = PartitionLease(store, "detect-p0")
        assert lease.try_acquire() and lease.holds()
        first = lease.fence
        assert first is not None
        with store.engine.begin() as conn:
            advance(conn, lease.name)  # a takeover this holder missed (or an operator fencing it off)
        assert not lease.holds()  # the advisory lock is released with it
        assert lease.try_acquire() and lease.fence == replace(first, generation=first.generation + 2)
        lease.release()
    finally:
        store.close()
