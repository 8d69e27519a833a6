"""The store contract, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table

from civicpulse.errors import StoreError
from civicpulse.models import FetchRecord, QuarantineEntry, SourceState
from civicpulse.store import Store, open_store
from civicpulse.store.schema import metadata
from tests import factories

MONTH_PARTITION = re.compile(r"^items_(\d{4}_\d{2}|default)$")
# On PostgreSQL `items` is partitioned by month (0013): a unique key there must contain `collected_at`, so
# `key` is unique in `item_keys` instead, and no table keeps a foreign key to `items` (partition retention
# cleans them itself, store/partitions.py). SQLite keeps both, as schema.py declares them.
PARTITIONED_ITEMS = {
    ("add_constraint", "items"),
    *(
        ("add_fk", table)
        for table in ("enrichments", "item_topics", "claim_matches", "item_labels", "field_reports")
    ),
}


def _not_a_partition(obj: Any, _name: Any, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return not (isinstance(table, Table) and MONTH_PARTITION.match(table.name))


# SQLAlchemy cannot reflect SQLite's expression indexes (0012) and says so; they are checked by name below.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_create_exactly_the_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _not_a_partition})
        diff = compare_metadata(context, metadata)
    # Created by raw SQL, per backend: search (0001), PostgreSQL's expression index on item time (0007) and
    # SQLite's on story sentiment (0012).
    search_parts = ("items_fts", "ix_items_fold_fts", "ix_items_when_id", "ix_enrichments_story_sentiment")
    diff = [d for d in diff if not any(part in str(d) for part in search_parts)]
    if store.dialect == "postgresql":
        assert {(d[0], d[1].table.name) for d in diff} == PARTITIONED_ITEMS
    else:
        assert diff == []


def test_adding_a_source_twice_returns_the_same_source(store: Store) -> None:
    first = store.add_source(factories.source(name="VnExpress"))
    second = store.add_source(factories.source(name="Another name"))
    assert first.id == second.id
    assert [s.name for s in store.sources()] == ["VnExpress"]


def test_items_are_inserted_once_by_natural_key(store: Store) -> None:
    src = store.add_source(factories.source())
    batch = [
        factories.item("Một", source_id=src.id, url="https://a.vn/1"),
        factories.item("Hai", source_id=src.id, url="https://a.vn/2"),
    ]
    assert len(store.add_items(batch)) == 2
    again = [factories.item("Một (sửa)", source_id=src.id, url="https://a.vn/1?utm_source=x")]
    assert store.add_items(again + batch) == []
    assert store.stats()["items"] == 2


def test_inserted_items_come_back_with_ids_and_aware_times(store: Store) -> None:
    [stored] = store.add_items([factories.item("Tin mới")])
    assert stored.id is not None
    loaded = store.item(stored.id)
    assert loaded is not None
    assert loaded.text == "Tin mới"
    assert loaded.published_at == datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("query", ["ngập Thủ Đức", "ngap thu duc", "NGẬP", "thủ đức"])
def test_search_matches_with_and_without_diacritics(store: Store, query: str) -> None:
    store.add_items([factories.item("Ngập sâu ở Thủ Đức sau mưa lớn"), factories.item("Giá vàng tăng mạnh")])
    assert [i.text for i in store.search(query)] == ["Ngập sâu ở Thủ Đức sau mưa lớn"]


def test_search_treats_query_syntax_as_plain_words(store: Store) -> None:
    store.add_items([factories.item("Ngập sâu ở Thủ Đức")])
    assert store.search('ngập" OR * NEAR(') != [] or store.search("ngap") != []
    assert store.search("") == []
    assert store.search('" AND "') == []


def test_source_state_round_trips(store: Store) -> None:
    src = store.add_source(factories.source())
    assert src.id is not None
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    state = SourceState(
        etag='"abc"',
        last_modified="Tue, 14 Nov 2017 17:42:44 GMT",
        interval_s=600.0,
        next_fetch_at=when,
        last_success_at=when,
        last_error="",
        error_streak=2,
    )
    store.save_source_state(src.id, state)
    assert store.source_state(src.id) == state


def test_fetch_log_and_quarantine_are_kept(store: Store) -> None:
    src = store.add_source(factories.source())
    assert src.id is not None
    store.record_fetch(FetchRecord(source_id=src.id, started_at=datetime.now(UTC), status="ok", items_new=3))
    store.quarantine(QuarantineEntry(origin="feed.xml", reason="not a feed", payload="x" * 10_000))
    [fetch] = store.fetches(src.id)
    [kept] = store.quarantined()
    assert (fetch.status, fetch.items_new) == ("ok", 3)
    assert (kept.reason, len(kept.payload)) == ("not a feed", 2000)
    assert store.stats() == {"items": 0, "sources": 1, "quarantined": 1, "fetches": 1}


def test_daily_counts_group_by_source_and_day(store: Store) -> None:
    src = store.add_source(factories.source())
    store.add_items([factories.item(f"tin {i}", source_id=src.id) for i in range(3)])
    counts = store.daily_counts(date(2020, 1, 1))
    assert counts == {src.id: {datetime.now(UTC).date(): 3}}


def test_checkpoints_overwrite(store: Store) -> None:
    assert store.checkpoint("import:x") is None
    store.save_checkpoint("import:x", {"line": 10})
    store.save_checkpoint("import:x", {"line": 20})
    assert store.checkpoint("import:x") == {"line": 20}


def test_iter_items_reads_everything_in_order(store: Store) -> None:
    store.add_items([factories.item(f"tin số {i}") for i in range(25)])
    assert [i.text for i in store.iter_items(batch_size=7)] == [f"tin số {i}" for i in range(25)]


def test_an_unmigrated_database_is_refused_with_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(StoreError, match="civicpulse db upgrade"):
        store.check_schema()
    store.upgrade()
    store.check_schema()


def test_a_malformed_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("not a url at all")
