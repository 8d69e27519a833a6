"""Monthly partitions of `items` on PostgreSQL (migration 0013): keys across months, pruning, retention."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.models import Item
from civicpulse.store import Store, open_store
from civicpulse.store.engine import _alembic_config, migrate
from civicpulse.store.labels import LabelCorrection, LabelTables, latest_labelled_items
from civicpulse.store.partitions import (
    DEFAULT_PARTITION,
    add_months,
    drop_old_partitions,
    ensure_partitions,
    month_of,
    partitions,
)
from civicpulse.store.schema import (
    claim_matches,
    claims,
    enrichments,
    field_reports,
    item_keys,
    item_topics,
    items,
    topics,
)
from civicpulse.store.store import now
from tests import factories
from tests.cluster.test_scale_store import plans
from tests.conftest import _truncate, scratch_database

JAN, FEB, MAR = (datetime(2024, month, 10, 8, 0, tzinfo=UTC) for month in (1, 2, 3))


@pytest.fixture
def pg_store(_postgres_store: Store) -> Store:
    """The session's PostgreSQL store, emptied (partitions are PostgreSQL's; SQLite has none)."""
    _truncate(_postgres_store)
    return _postgres_store


def entry(text: str, source_id: int | None = None, when: datetime = JAN) -> Item:
    return replace(factories.item(text, source_id=source_id, url=f"https://a.vn/{text}"), collected_at=when)


def collected(store: Store, when: datetime, *texts: str) -> list[int]:
    """Store items collected at `when`; return their ids."""
    src = store.add_source(factories.source())
    return [int(i.id or 0) for i in store.add_items([entry(t, src.id, when) for t in texts])]


@pytest.mark.postgres
def test_items_are_partitioned_by_month_with_months_ahead(pg_store: Store) -> None:
    with pg_store.engine.connect() as conn:
        strategy = conn.execute(
            sa.text("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = to_regclass('items')")
        ).scalar()
        default = conn.execute(sa.text(f"SELECT to_regclass('{DEFAULT_PARTITION}')")).scalar()
    assert strategy == "r" and default is not None
    this_month = now().date().replace(day=1)
    starts = {p.start for p in partitions(pg_store)}
    assert this_month in starts and (this_month + timedelta(days=95)).replace(day=1) in starts


def test_an_item_collected_again_a_month_later_is_stored_once(store: Store) -> None:
    [first] = collected(store, JAN, "Ngập ở Thủ Đức")
    assert collected(store, FEB, "Ngập ở Thủ Đức", "Cây đổ ở Quận 3") != []
    assert collected(store, MAR, "Ngập ở Thủ Đức", "Cây đổ ở Quận 3") == []
    assert store.stats()["items"] == 2
    key = entry("Ngập ở Thủ Đức").key
    assert store.known_keys([key, "nope"]) == {key}
    stored = store.item(first)
    assert stored is not None and stored.collected_at == JAN


@pytest.mark.postgres
def test_the_key_row_names_the_stored_item(pg_store: Store) -> None:
    [item_id] = collected(pg_store, JAN, "Kẹt xe ở cầu Sài Gòn")
    with pg_store.engine.connect() as conn:
        rows = conn.execute(sa.select(item_keys.c.item_id, item_keys.c.collected_at)).all()
    assert rows == [(item_id, JAN)]


@pytest.mark.postgres
def test_writers_racing_with_overlapping_batches_store_each_key_once(
    postgres_url: str, pg_store: Store
) -> None:
    texts = [f"tin {k}" for k in range(2000)]
    stores = [open_store(postgres_url) for _ in range(4)]
    start = threading.Barrier(len(stores))

    def write(k: int) -> int:
        mine = [entry(t, when=FEB) for t in (texts[::-1] if k % 2 else texts)]  # half in opposite order
        start.wait()
        return sum(len(stores[k].add_items(mine[i : i + 1000])) for i in (0, 1000))

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            stored = list(pool.map(write, range(len(stores))))
    finally:
        for store in stores:
            store.close()
    assert sum(stored) == 2000 and pg_store.stats()["items"] == 2000


@pytest.mark.postgres
def test_a_query_by_collection_time_reads_only_the_months_it_needs(pg_store: Store) -> None:
    ensure_partitions(pg_store, JAN.date(), ahead=2)
    for month in (JAN, FEB, MAR):
        collected(pg_store, month, *(f"tin {month.month}-{k}" for k in range(20)))
    with pg_store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE items")
    plan = plans(pg_store, lambda s: s.daily_counts(date(2024, 3, 1)))[0]  # then the rollup's
    assert "items_2024_03" in plan and "items_2024_01" not in plan and "items_2024_02" not in plan, plan


@pytest.mark.postgres
def test_rows_in_the_default_partition_move_to_their_month(pg_store: Store) -> None:
    month = date(2019, 5, 1)  # no partition for it: its rows land in DEFAULT
    ids = collected(pg_store, datetime(2019, 5, 3, tzinfo=UTC), "cũ 1", "cũ 2")
    created = ensure_partitions(pg_store, month, ahead=0)
    assert "items_2019_05" in created
    assert ensure_partitions(pg_store, month, ahead=0) == []  # idempotent
    with pg_store.engine.connect() as conn:
        where = conn.execute(
            sa.select(sa.literal_column("tableoid::regclass::text"))
            .select_from(items)
            .where(items.c.id.in_(ids))
        ).scalars()
        assert set(where) == {"items_2019_05"}


@pytest.mark.postgres
def test_dropping_an_old_month_keeps_labels_and_counts_and_cleans_derived_rows(pg_store: Store) -> None:
    store = pg_store
    ensure_partitions(store, JAN.date(), ahead=2)
    old = collected(store, JAN, "Ngập sâu ở Thủ Đức", "Cháy chợ Bình Tây", "Mất điện ở Quận 7")
    [recent] = collected(store, MAR, "Kẹt xe ở cầu Sài Gòn")
    LabelTables(store).add(LabelCorrection(old[0], "sentiment", "negative", "neutral", "ana"))
    with store.engine.begin() as conn:
        conn.execute(sa.insert(enrichments), [{"item_id": i, "updated_at": JAN} for i in [*old, recent]])
        topic = conn.execute(
            sa.insert(topics)
            .values(name="ngập", query="ngập", created_at=JAN, updated_at=JAN)
            .returning(topics.c.id)
        ).scalar_one()
        conn.execute(sa.insert(item_topics).values(item_id=old[0], topic_id=topic, matched_at=JAN))
        claim = conn.execute(
            sa.insert(claims)
            .values(
                key="c1", text="tin đồn", verdict="false", origin="manual", created_at=JAN, updated_at=JAN
            )
            .returning(claims.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(claim_matches).values(
                item_id=old[1], claim_id=claim, score=0.9, lexical=0.9, status="suggested", matched_at=JAN
            )
        )
        conn.execute(
            sa.insert(field_reports).values(
                idempotency_key="r1",
                reporter="u",
                channel="web",
                text="thấy ngập",
                item_id=old[2],
                created_at=JAN,
            )
        )

    dropped = drop_old_partitions(store, keep_months=1, today=MAR.date())
    jan = next(d for d in dropped if d.name == "items_2024_01")
    assert (jan.items, jan.labels_kept, jan.reports_detached) == (3, 1, 1)
    assert "items_2024_03" not in [d.name for d in dropped]
    assert all(store.item(i) is None for i in old) and store.item(recent) is not None
    with store.engine.connect() as conn:
        assert set(conn.execute(sa.select(enrichments.c.item_id)).scalars()) == {recent}
        assert conn.execute(sa.select(sa.func.count()).select_from(item_topics)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(claim_matches)).scalar_one() == 0
        assert conn.execute(sa.select(field_reports.c.item_id)).scalar_one() is None
    # The analyst's label and what it judged stay, and still train.
    assert [row[3] for row in latest_labelled_items(store, "sentiment")] == ["negative"]
    assert latest_labelled_items(store, "sentiment")[0][2] == "Ngập sâu ở Thủ Đức"
    # The month's daily counts stay for the dashboard's history; its keys are forgotten with it.
    [source_id] = [s.id for s in store.sources()]
    assert store.daily_counts(date(2024, 1, 1))[source_id or 0] == {JAN.date(): 3, MAR.date(): 1}
    assert store.known_keys([entry("Cháy chợ Bình Tây").key]) == set()
    assert drop_old_partitions(store, keep_months=1, today=MAR.date()) == []


@pytest.fixture
def scratch_url() -> Iterator[str]:
    """A database of its own, for migrating down and up (the session's stays at head for other tests)."""
    with scratch_database("civicpulse_test_migrate") as url:
        yield url


@pytest.mark.postgres
def test_partitioning_migrates_down_and_up_with_the_rows(scratch_url: str) -> None:
    store = open_store(scratch_url)
    try:
        migrate(store.engine, "0012")
        with store.engine.begin() as conn:  # items as 0012 stored them, in two months
            conn.execute(
                sa.insert(items),
                [
                    {
                        "key": f"k{k}",
                        "kind": "article",
                        "content_hash": "h",
                        "collected_at": when,
                        "extra": {},
                    }
                    for k, when in enumerate([JAN, MAR])
                ],
            )
        migrate(store.engine)
        assert {p.name for p in partitions(store)} >= {"items_2024_01", "items_2024_02", "items_2024_03"}
        assert store.known_keys(["k0", "k1"]) == {"k0", "k1"}
        [added] = collected(store, FEB, "mới")
        assert added == 3  # the same sequence goes on
        _downgrade(store, "0012")
        assert partitions(store) == []
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(items)).scalar_one() == 3
        migrate(store.engine)
        assert store.stats()["items"] == 3 and store.known_keys(["k1"]) == {"k1"}
    finally:
        store.close()


def _downgrade(store: Store, revision: str) -> None:
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@pytest.mark.postgres
def test_the_daily_command_makes_months_ahead_and_drops_old_ones(
    pg_store: Store, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    this = month_of(now())
    old, ahead = add_months(this, -3), add_months(this, 4)
    collected(pg_store, datetime(old.year, old.month, 2, tzinfo=UTC), "cũ")  # lands in DEFAULT first
    [recent] = collected(pg_store, now(), "mới")
    with pg_store.engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS items_{ahead:%Y_%m}"))
    args = [
        "cluster",
        "retention",
        "--partitions",
        "--ahead",
        "4",
        "--months",
        "1",
        "--database",
        postgres_url,
    ]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {f"items_{old:%Y_%m}", f"items_{ahead:%Y_%m}"} <= set(report["created"])
    assert {"name": f"items_{old:%Y_%m}", "items": 1, "labels_kept": 0, "reports_detached": 0} in report[
        "dropped"
    ]
    assert pg_store.item(recent) is not None and pg_store.stats()["items"] == 1
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "Created partition" not in again.output and "Dropped partition" not in again.output
