"""`civicpulse replay --nats` and `cluster republish`: stored items published to the raw-items stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.errors import ConfigError
from civicpulse.models import Enrichment, Item
from civicpulse.pipeline.bus import COLLECTED, BusOptions, Envelope
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.store import open_store
from civicpulse.store.understanding import EnrichmentTables
from tests.cluster.conftest import free_port, write_stream

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prefix: str, cluster_db: str) -> CliRunner:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CIVICPULSE_DATABASE_URL", cluster_db)
    monkeypatch.setenv("CIVICPULSE_BUS_PREFIX", prefix)
    get_settings.cache_clear()
    return CliRunner()


def count(url: str, table: str) -> int:
    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)
    finally:
        store.close()


def test_replay_publishes_stored_item_ids_to_the_workers_instead_of_running_the_stages(
    runner: CliRunner, tmp_path: Path, nats_url: str, prefix: str, cluster_db: str
) -> None:
    path = write_stream(tmp_path / "stream.jsonl", demo=30, synthetic=1)
    result = runner.invoke(cli, ["replay", str(path), "--speed", "max", "--nats", nats_url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == report["processed"] == count(cluster_db, "items") > 30
    assert count(cluster_db, "enrichments") == 0  # no stage ran here: the workers will
    bus = JetStreamBus(nats_url, BusOptions(prefix=prefix, batch=100))
    try:
        deliveries = bus.fetch(COLLECTED, "understand", None, timeout_s=2.0)
        ids = sorted(Envelope.decode(d.data).item_id for d in deliveries)
        bus.ack_all(deliveries)
    finally:
        bus.close()
    store = open_store(cluster_db)
    try:
        with store.engine.connect() as conn:
            stored = sorted(conn.execute(sa.text("SELECT id FROM items")).scalars())
    finally:
        store.close()
    assert ids == stored


def test_replay_to_an_unreachable_server_stores_nothing_and_says_what_to_fix(
    runner: CliRunner, tmp_path: Path, cluster_db: str
) -> None:
    path = write_stream(tmp_path / "stream.jsonl", demo=5, synthetic=1)
    nowhere = f"nats://127.0.0.1:{free_port()}"
    result = runner.invoke(cli, ["replay", str(path), "--speed", "max", "--nats", nowhere])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception).startswith(f"NATS is not reachable at {nowhere}; start nats-server")
    assert count(cluster_db, "items") == 0


def test_republish_sends_stored_items_no_worker_understood(
    runner: CliRunner, nats_url: str, prefix: str, cluster_db: str
) -> None:
    store = open_store(cluster_db)
    try:
        # Stored while the bus was away: the collector's publish failed for good.
        fresh = [Item(key=f"k{n}", text=f"item {n}", content_hash=f"h{n}") for n in range(3)]
        stored = store.add_items(fresh)
        EnrichmentTables(store).save([(stored[0].id or 0, Enrichment(analysis_text="understood"))])
    finally:
        store.close()
    args = ["cluster", "republish", "--since-hours", "1", "--nats", nats_url, "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["published"] == 2
    bus = JetStreamBus(nats_url, BusOptions(prefix=prefix, batch=10))
    try:
        deliveries = bus.fetch(COLLECTED, "understand", None, timeout_s=2.0)
        assert sorted(Envelope.decode(d.data).item_id for d in deliveries) == [i.id for i in stored[1:]]
        bus.ack_all(deliveries)
    finally:
        bus.close()
