"""A stateful worker after parallel workers holds deliveries until every lower id has passed upstream."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pytest

from civicpulse.cluster.roles import ROLES
from civicpulse.config import Settings
from civicpulse.models import Item
from civicpulse.pipeline.bus import COLLECTED, UNDERSTOOD, BusOptions, Envelope, InProcessBus
from civicpulse.pipeline.worker import StageWorker
from civicpulse.store import Store
from tests import factories


@dataclass
class WatermarkBus(InProcessBus):
    """The in-process bus with the upstream watermark set by the test (JetStream reads it from the server)."""

    below: float = math.inf

    def watermark(self, upstream: tuple[str, str], boundary: str, stage: str, partition: int | None) -> float:
        del upstream, boundary, stage, partition
        return self.below


@dataclass
class Seen:
    name: str = "seen"
    ids: list[int] = field(default_factory=list)

    def process(self, item: Item) -> Item:
        self.ids.append(item.id or 0)
        return item


def stored_ids(store: Store, n: int) -> list[int]:
    batch = [factories.item(f"item number {k}", url=f"https://example.org/{k}") for k in range(n)]
    return sorted(i.id or 0 for i in store.add_items(batch))


def order_worker(settings: Settings, store: Store, bus: InProcessBus) -> tuple[StageWorker, Seen]:
    seen = Seen()
    role = replace(ROLES["stories"], build=lambda *args: [seen], enriched=False)
    assert role.follows == (COLLECTED, "understand")  # stories follow the understand workers
    return StageWorker(settings, store, bus, role, partition=0), seen


def test_later_ids_wait_for_earlier_ones_still_upstream(settings: Settings, sqlite_store: Store) -> None:
    ids = stored_ids(sqlite_store, 8)
    bus = WatermarkBus(BusOptions(batch=4))
    worker, seen = order_worker(settings, sqlite_store, bus)
    # A fast understand worker published the second half; the first half is still being understood.
    bus.below = ids[4]
    bus.publish(UNDERSTOOD, [Envelope(i) for i in ids[4:]])
    assert worker.run_once(0.01) == 0
    assert seen.ids == []
    bus.below = math.inf
    bus.publish(UNDERSTOOD, [Envelope(i) for i in ids[:4]])
    assert worker.run_once(0.01) == 4
    assert worker.run_once(0.01) == 4
    assert seen.ids == ids  # in id order, one batch at a time
    assert bus.backlog(UNDERSTOOD, "stories", 0) == (0, 0)


def test_a_full_hold_goes_on_with_its_lowest_ids(settings: Settings, sqlite_store: Store) -> None:
    ids = stored_ids(sqlite_store, 6)
    bus = WatermarkBus(BusOptions(batch=2, max_ack_pending=4), below=0.0)  # upstream stalled
    worker, seen = order_worker(settings, sqlite_store, bus)
    bus.publish(UNDERSTOOD, [Envelope(i) for i in reversed(ids)])
    while worker.run_once(0.01):
        pass
    # The consumer would deliver no more than 4 unacknowledged: rather than stall, the lowest held go on.
    assert seen.ids == [ids[2], ids[3], ids[0], ids[1]]
    bus.below = math.inf
    assert worker.run_once(0.01) == 2
    assert seen.ids[4:] == ids[4:]


def test_held_deliveries_go_back_when_released(settings: Settings, sqlite_store: Store) -> None:
    ids = stored_ids(sqlite_store, 3)
    bus = WatermarkBus(BusOptions(batch=4), below=0.0)
    worker, seen = order_worker(settings, sqlite_store, bus)
    bus.publish(UNDERSTOOD, [Envelope(i) for i in ids])
    assert worker.run_once(0.01) == 0
    worker.release()  # a stop or a lost lease
    assert bus.backlog(UNDERSTOOD, "stories", 0) == (3, 0)
    assert seen.ids == []


@pytest.mark.parametrize("stage", ["understand", "detect"])
def test_only_stories_hold(stage: str) -> None:
    # Understanding is stateless; detection reads one story partition, already in order.
    assert ROLES[stage].follows is None
