"""Faults on loopback: a worker killed mid-batch, a consumer restarted, poison messages, a failing stage."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from civicpulse.cluster.deploy import Deployment
from civicpulse.cluster.publish import BusPipeline
from civicpulse.cluster.roles import ROLES
from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings
from civicpulse.models import Item
from civicpulse.pipeline.bus import COLLECTED, BusOptions, Envelope
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.pipeline.stage import Stage
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.pipeline.worker import StageWorker
from civicpulse.store import Store, open_store
from civicpulse.store.fencing import Fence
from civicpulse.store.scale import story_assignments
from tests.cluster.conftest import totals, wait_until, write_stream

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


def test_a_killed_and_a_restarted_worker_lose_nothing_and_count_nothing_twice(
    settings: Settings,
    tmp_path: Path,
    nats_url: str,
    prefix: str,
    cluster_db: str,
    worker_env: dict[str, str],
) -> None:
    path = write_stream(tmp_path / "stream.jsonl")
    single = open_store(f"sqlite:///{tmp_path / 'single.db'}", upgrade=True)
    replay_file(single, lay_pipe(settings, single), path, pseudonym_key=settings.pseudonym_key, speed=None)
    expected = story_assignments(single)
    single.close()
    options = BusOptions(prefix=prefix, batch=8, ack_wait_s=2.0, backoff_s=(0.2,))
    store, bus = open_store(cluster_db), JetStreamBus(nats_url, options)
    deployment = Deployment(nats_url, cluster_db, options, env=worker_env, log_dir=tmp_path)
    try:
        bus.ensure("test", None)
        deployment.up({"understand": 1, "stories": 1})
        replay_file(store, BusPipeline(store, bus), path, pseudonym_key=settings.pseudonym_key, speed=None)
        wait_until(lambda: totals(store)[0] >= 20, "the first stories")
        deployment.stop_one("understand-0")  # restart a consumer: it finishes its batch, acks, leaves
        deployment.start("understand-0", "understand")
        wait_until(lambda: totals(store)[0] >= 60, "more stories")
        deployment.kill("stories-p0")  # kill -9 in the middle of whatever it was doing
        deployment.start("stories-p0", "stories", 0)
        wait_until(lambda: totals(store)[0] == len(expected), "every item getting its story")
        wait_until(lambda: bus.backlog("understood", "stories", 0) == (0, 0), "the stories queue draining")
        assert totals(store) == (len(expected),) * 3  # nothing lost, nothing counted twice
        # The replacement waited for the dead worker's messages, so it saw the stream in the same order.
        assert story_assignments(store) == expected
    finally:
        deployment.stop()
        bus.close()
        store.close()


def test_poison_messages_go_to_the_dead_letter_stream_with_their_reason(
    settings: Settings,
    tmp_path: Path,
    nats_url: str,
    prefix: str,
    cluster_db: str,
    worker_env: dict[str, str],
) -> None:
    path = write_stream(tmp_path / "stream.jsonl", demo=30, synthetic=1)
    options = BusOptions(prefix=prefix, ack_wait_s=5.0, backoff_s=(0.2,))
    store, bus = open_store(cluster_db), JetStreamBus(nats_url, options)
    deployment = Deployment(nats_url, cluster_db, options, env=worker_env, log_dir=tmp_path)
    try:
        bus.ensure("test", None)
        deployment.up({"understand": 1, "stories": 1})
        bus.call(bus.js.publish(bus.names.subject(COLLECTED), b"{not json"))
        bus.publish(COLLECTED, [Envelope(999_999)])
        report = replay_file(
            store, BusPipeline(store, bus), path, pseudonym_key=settings.pseudonym_key, speed=None
        )
        wait_until(lambda: len(bus.dead_letters("understand")) == 2, "two dead letters")
        wait_until(lambda: totals(store)[0] == report.counts.new, "the pipeline catching up")
        reasons = sorted(letter.reason for letter in bus.dead_letters("understand"))
        assert reasons[0].startswith("understand: item 999999 is not in the store")
        assert reasons[1].startswith("understand: malformed message")
        assert {e.reason.split(" (")[0] for e in store.quarantined()} >= {"item 999999 is not in the store"}
        assert totals(store) == (report.counts.new,) * 3
    finally:
        deployment.stop()
        bus.close()
        store.close()


class Brittle:
    """A stage that always fails on one item (an unexpected error, not a named outcome)."""

    name = "brittle"

    def __init__(self, bad: int) -> None:
        self.bad = bad

    def process(self, item: Item) -> Item:
        if item.id == self.bad:
            raise RuntimeError("cannot parse this one")
        return item


def test_a_failing_item_is_redelivered_with_backoff_then_dead_lettered(
    settings: Settings, nats_url: str, prefix: str, cluster_db: str
) -> None:
    store = open_store(cluster_db)
    stored = store.add_items([Item(key=f"k{n}", text=f"item {n}", content_hash=f"h{n}") for n in range(5)])
    bad = stored[2].id or 0

    def build(_s: Settings, _st: Store, _p: int | None, _n: int, _f: Fence | None) -> list[Stage]:
        return [Brittle(bad)]

    role = replace(ROLES["understand"], build=build)
    options = BusOptions(prefix=prefix, max_deliver=3, ack_wait_s=5.0, backoff_s=(0.05, 0.05))
    bus = JetStreamBus(nats_url, options)
    try:
        worker = StageWorker(settings, store, bus, role)
        bus.publish(COLLECTED, [Envelope(i.id or 0) for i in stored])
        wait_until(
            lambda: worker.run_once(0.2) >= 0 and bool(bus.dead_letters("understand")), "a dead letter"
        )
        assert worker.metrics.counts[("brittle", "retried")] == 2
        assert worker.metrics.counts[("understand", "done")] == 4
        [letter] = bus.dead_letters("understand")
        assert letter.attempt == 3
        assert letter.reason == "brittle: gave up after 3 deliveries: RuntimeError('cannot parse this one')"
        assert Envelope.decode(letter.data).item_id == bad
        assert bus.backlog(COLLECTED, "understand", None) == (0, 0)
    finally:
        bus.close()
        store.close()


def test_a_redelivered_message_is_not_delivered_again_while_a_worker_holds_it(
    nats_url: str, prefix: str
) -> None:
    # A short backoff for failed messages must not become the ack wait of redelivered ones: that sent a
    # crashed worker's messages to its replacement again and again until max_deliver dead-lettered them.
    bus = JetStreamBus(nats_url, BusOptions(prefix=prefix, batch=1, ack_wait_s=3.0, backoff_s=(0.05,)))
    try:
        bus.ensure("test", None)
        bus.publish(COLLECTED, [Envelope(1)])
        assert [d.attempt for d in bus.fetch(COLLECTED, "understand", None, 5.0)] == [1]  # then it dies
        [again] = bus.fetch(COLLECTED, "understand", None, 10.0)  # the replacement, after ack_wait
        assert again.attempt == 2
        assert bus.fetch(COLLECTED, "understand", None, 1.0) == []  # held: nobody else gets it
        again.ack()
        wait_until(lambda: bus.backlog(COLLECTED, "understand", None) == (0, 0), "the ack")
    finally:
        bus.close()
