"""Stage workers over the in-process bus: same stories as the runner, redelivery counted once, endpoints."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from civicpulse.cli.worker import make_options, parse_partition
from civicpulse.cluster.deploy import parse_workers
from civicpulse.cluster.publish import BusPipeline
from civicpulse.cluster.roles import ROLES
from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.errors import InputError, Quarantine
from civicpulse.models import Item
from civicpulse.pipeline.bus import COLLECTED, UNDERSTOOD, BusOptions, Envelope, InProcessBus, partition_of
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.pipeline.worker import Metrics, StageWorker
from civicpulse.pipeline.worker_http import WorkerHttp
from civicpulse.store import Store, open_store
from civicpulse.store.scale import story_assignments
from tests.cluster.conftest import totals


def workers(settings: Settings, store: Store, bus: InProcessBus) -> list[StageWorker]:
    return [
        StageWorker(settings, store, bus, ROLES[name], partition=0 if ROLES[name].partitioned else None)
        for name in ("understand", "stories", "detect")
    ]


def drain(pool: list[StageWorker]) -> None:
    while any(w.run_once(0.01) for w in pool):
        pass


def test_workers_over_the_in_process_bus_match_the_runner(settings: Settings, tmp_path: Path) -> None:
    single = open_store(f"sqlite:///{tmp_path}/single.db", upgrade=True)
    split = open_store(f"sqlite:///{tmp_path}/split.db", upgrade=True)
    try:
        load_demo(settings, single, lay_pipe(settings, single))
        bus = InProcessBus(BusOptions(batch=16))
        load_demo(settings, split, BusPipeline(split, bus))
        drain(workers(settings, split, bus))
        assert story_assignments(split) == story_assignments(single)
        assert totals(split) == totals(single)
    finally:
        single.close()
        split.close()


def test_a_redelivered_batch_is_not_counted_twice(settings: Settings, sqlite_store: Store) -> None:
    bus = InProcessBus(BusOptions(batch=16))
    load_demo(settings, sqlite_store, BusPipeline(sqlite_store, bus))
    drain(workers(settings, sqlite_store, bus))
    before, assignments = totals(sqlite_store), story_assignments(sqlite_store)
    # As if the worker crashed after its commit but before its acks: the same messages come again.
    bus.publish(UNDERSTOOD, [Envelope(i) for i in sorted(assignments)])
    drain(workers(settings, sqlite_store, bus))  # fresh workers: restored from the checkpoint
    assert totals(sqlite_store) == before
    assert story_assignments(sqlite_store) == assignments


def test_poison_messages_are_dead_lettered_and_quarantined(settings: Settings, sqlite_store: Store) -> None:
    bus = InProcessBus()
    bus.publish(COLLECTED, [Envelope(12345)])
    worker = StageWorker(settings, sqlite_store, bus, ROLES["understand"])
    assert worker.run_once(0.01) == 1
    [letter] = bus.dead
    assert letter.reason == "understand: item 12345 is not in the store"
    assert sqlite_store.quarantined()[0].reason == "item 12345 is not in the store"
    assert worker.metrics.counts[("understand", "dead_lettered")] == 1


class FlakyDatabase:
    """A stage whose database drops the connection the first `failures` times (as in a restart)."""

    name = "flaky"

    def __init__(self, state: dict[str, int]) -> None:
        self.state = state
        state["built"] += 1

    def process(self, item: Item) -> Item:
        if self.state["failures"]:
            self.state["failures"] -= 1
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return item


def test_a_database_outage_fails_the_batch_not_the_item(settings: Settings, sqlite_store: Store) -> None:
    stored = sqlite_store.add_items(
        [Item(key=f"k{n}", text=f"item {n}", content_hash=f"h{n}") for n in range(3)]
    )
    state = {"failures": 1, "built": 0}
    role = replace(ROLES["understand"], build=lambda *_: [FlakyDatabase(state)])
    bus = InProcessBus(BusOptions(max_deliver=1))  # one delivery: blaming an item would dead-letter it
    worker = StageWorker(settings, sqlite_store, bus, role)
    bus.publish(COLLECTED, [Envelope(item.id or 0) for item in stored])
    assert worker.run_once(0.01) == 3
    assert worker.metrics.counts[(role.stage, "batch_failed")] == 1
    assert (bus.dead, sqlite_store.quarantined(), state["built"]) == ([], [], 1)
    assert worker.run_once(0.01) == 3  # the stages are rebuilt first, then the whole batch comes again
    assert state["built"] == 2
    assert worker.metrics.counts[(role.stage, "done")] == 3
    assert worker.metrics.counts[("flaky", "retried")] == 0


def test_bus_options_come_from_the_settings_and_the_command_line_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CIVICPULSE_BUS_BACKOFF_S", "[2, 4.5]")
    monkeypatch.setenv("CIVICPULSE_BUS_PREFIX", "hcmc")
    settings = Settings(data_dir=tmp_path, bus_max_deliver=7, _env_file=None)
    options = make_options(settings, batch=16)
    assert (options.prefix, options.batch, options.max_deliver) == ("hcmc", 16, 7)
    assert (options.backoff_s, options.ack_wait_s) == ((2.0, 4.5), 30.0)
    assert make_options(settings, backoff="1,3", prefix="test").backoff_s == (1.0, 3.0)
    with pytest.raises(InputError, match="seconds separated by commas"):
        make_options(settings, backoff="soon")
    with pytest.raises(ValidationError, match="bus_batch"):
        Settings(bus_batch=0, _env_file=None)


def test_envelopes_round_trip_and_reject_garbage() -> None:
    assert Envelope.decode(Envelope(7, 3).encode()) == Envelope(7, 3)
    for garbage in (b"{not json", b'{"id": "7"}', b"[]", b'{"story": 1}'):
        with pytest.raises(Quarantine, match="malformed message"):
            Envelope.decode(garbage)


def test_partitions_are_stable_and_in_range() -> None:
    assert partition_of("vi", 1) == 0
    assert {partition_of(lang, 3) for lang in ("vi", "en", "fr", "zh", "km")} <= {0, 1, 2}
    assert partition_of("vi", 4) == partition_of("vi", 4)


def test_worker_options_are_parsed_with_helpful_errors() -> None:
    assert parse_workers("understand=2, stories=1") == {"understand": 2, "stories": 1}
    assert parse_partition("1/2", 1) == (1, 2)
    assert parse_partition(None, 3) == (None, 3)
    with pytest.raises(InputError, match="STAGE=N"):
        parse_workers("understand=two")
    with pytest.raises(InputError, match="K must be below N"):
        parse_partition("2/2", 1)


def test_health_readiness_and_metrics_endpoints() -> None:
    metrics, problems = Metrics(), ["waiting for partition stories-p0"]
    metrics.count("understand", "done", 5)
    http = WorkerHttp(
        metrics, stage="understand", partition="", ready=lambda: problems[0], backlog=lambda: (3, 2)
    )
    base = f"http://127.0.0.1:{http.port}"
    try:
        with urllib.request.urlopen(f"{base}/healthz") as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError) as not_ready:
            urllib.request.urlopen(f"{base}/readyz")
        assert not_ready.value.code == 503
        not_ready.value.close()
        problems[0] = ""
        with urllib.request.urlopen(f"{base}/readyz") as response:
            assert response.status == 200
        with urllib.request.urlopen(f"{base}/metrics") as response:
            text = response.read().decode()
    finally:
        http.close()
    assert 'civicpulse_items_total{stage="understand",partition="",outcome="done"} 5' in text
    assert 'civicpulse_queue_depth{stage="understand",partition=""} 3' in text
    assert 'civicpulse_queue_lag{stage="understand",partition=""} 5' in text
