"""Servers restarting under a running pipeline: NATS killed and started again, PostgreSQL dropping everyone.

Nothing may be lost (every item gets its story), nothing counted twice (story counts and hour buckets
equal the items), nothing dead-lettered, and the same worker processes catch up without being restarted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from civicpulse.cluster.deploy import Deployment
from civicpulse.cluster.publish import BusPipeline
from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings
from civicpulse.pipeline.bus import COLLECTED, UNDERSTOOD, BusOptions
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.store import Store, open_store
from tests.cluster.conftest import PrivateNats, totals, wait_until, write_stream
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


def options(prefix: str) -> BusOptions:
    # Short waits so a lost ack comes back quickly; the default max_deliver: an outage must not use it up.
    return BusOptions(prefix=prefix, batch=8, ack_wait_s=2.0, backoff_s=(0.2, 1.0))


def split_stream(tmp_path: Path) -> tuple[Path, Path]:
    """Write the mixed stream as two halves: one replayed before a restart, one after."""
    lines = write_stream(tmp_path / "stream.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    second.write_text("".join(lines[len(lines) // 2 :]), encoding="utf-8")
    return first, second


def caught_up(store: Store, bus: JetStreamBus, deployment: Deployment, expected: int) -> None:
    """Wait until every item has its story and both queues are empty; check the workers never died."""
    wait_until(lambda: totals(store)[0] == expected, "every item getting its story")
    wait_until(lambda: bus.backlog(COLLECTED, "understand", None) == (0, 0), "the understand queue draining")
    wait_until(lambda: bus.backlog(UNDERSTOOD, "stories", 0) == (0, 0), "the stories queue draining")
    assert {name: p.poll() for name, p in deployment.processes.items()} == dict.fromkeys(deployment.processes)
    assert totals(store) == (expected,) * 3  # nothing lost, nothing counted twice
    assert bus.dead_letters("understand") == bus.dead_letters("stories") == []


def test_nats_killed_and_restarted_mid_stream_loses_and_doubles_nothing(
    settings: Settings,
    tmp_path: Path,
    private_nats: PrivateNats,
    prefix: str,
    cluster_db: str,
    worker_env: dict[str, str],
) -> None:
    first, second = split_stream(tmp_path)
    url, key = private_nats.url, settings.pseudonym_key
    store, bus = open_store(cluster_db), JetStreamBus(url, options(prefix))
    deployment = Deployment(url, cluster_db, options(prefix), env=worker_env, log_dir=tmp_path)
    try:
        bus.ensure("test", None)
        deployment.up({"understand": 1, "stories": 1})
        new = replay_file(store, BusPipeline(store, bus), first, pseudonym_key=key, speed=None).counts.new
        wait_until(lambda: totals(store)[0] >= 20, "the first stories")
        private_nats.kill()  # in the middle of whatever the workers were doing
        wait_until(lambda: not bus.connected, "the clients noticing")
        private_nats.start()  # same port, same store directory: the streams and consumers come back
        wait_until(lambda: bus.connected, "the clients reconnecting")
        new += replay_file(store, BusPipeline(store, bus), second, pseudonym_key=key, speed=None).counts.new
        caught_up(store, bus, deployment, new)
    finally:
        deployment.stop()
        bus.close()
        store.close()


def drop_connections(database_url: str) -> int:
    """Do to every client of the database what a PostgreSQL restart does: end its session."""
    name = sa.make_url(database_url).database
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    query = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = :name AND pid <> pg_backend_pid()"
    )
    try:
        with admin.connect() as conn:
            return int(conn.execute(sa.text(query), {"name": name}).scalar() or 0)
    finally:
        admin.dispose()


def leases(store: Store) -> int:
    query = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(query)).scalar() or 0)


def test_postgres_dropping_every_connection_mid_stream_loses_and_doubles_nothing(
    settings: Settings,
    tmp_path: Path,
    nats_url: str,
    prefix: str,
    cluster_db: str,
    worker_env: dict[str, str],
) -> None:
    first, second = split_stream(tmp_path)
    key = settings.pseudonym_key
    store, bus = open_store(cluster_db), JetStreamBus(nats_url, options(prefix))
    deployment = Deployment(nats_url, cluster_db, options(prefix), env=worker_env, log_dir=tmp_path)
    try:
        bus.ensure("test", None)
        deployment.up({"understand": 1, "stories": 1})
        new = replay_file(store, BusPipeline(store, bus), first, pseudonym_key=key, speed=None).counts.new
        wait_until(lambda: totals(store)[0] >= 20, "the first stories")
        assert drop_connections(cluster_db) >= 2  # at least the workers' sessions, the story lease among them
        new += replay_file(store, BusPipeline(store, bus), second, pseudonym_key=key, speed=None).counts.new
        wait_until(lambda: totals(store)[0] >= new * 2 // 3, "more stories")
        assert drop_connections(cluster_db) >= 2
        caught_up(store, bus, deployment, new)
        wait_until(lambda: leases(store) == 1, "the story worker taking its partition lease again")
    finally:
        deployment.stop()
        bus.close()
        store.close()
