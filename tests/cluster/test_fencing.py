"""Fencing: a story worker whose partition lease was taken over mid-batch cannot commit that batch.

The old holder's lease session is terminated while it is between fetch and save, and a standby takes the
lease and restores the state. Without the fence the old holder would commit its batch over the new holder's
checkpoint, and the new holder's later saves would drop that batch's items from the story counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from civicpulse.cluster.publish import BusPipeline
from civicpulse.cluster.roles import ROLES
from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings
from civicpulse.models import Item
from civicpulse.pipeline.bus import UNDERSTOOD, BusOptions
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.pipeline.worker import StageWorker
from civicpulse.store import open_store
from civicpulse.store.scale import PartitionLease
from tests.cluster.conftest import WAIT_S, totals, wait_until, write_stream

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

END_SESSION = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"
    " AND objid = CAST(:k AS oid) AND objsubid = 1"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class Takeover:
    """A stage after the story stage that runs `armed` once, while its worker is in the middle of a batch."""

    name = "takeover"

    def __init__(self) -> None:
        self.armed: Callable[[], None] | None = None

    def process(self, item: Item) -> Item:
        armed, self.armed = self.armed, None
        if armed is not None:
            armed()
        return item


def test_a_worker_whose_lease_was_taken_over_cannot_commit_its_batch(
    settings: Settings, tmp_path: Path, nats_url: str, prefix: str, cluster_db: str
) -> None:
    path = write_stream(tmp_path / "stream.jsonl")
    options = BusOptions(prefix=prefix, batch=8, ack_wait_s=2.0, backoff_s=(0.2,))
    old_store, new_store = open_store(cluster_db), open_store(cluster_db)
    old_bus, new_bus = JetStreamBus(nats_url, options), JetStreamBus(nats_url, options)
    name = f"{prefix}:stories-p0"
    old_lease, new_lease = PartitionLease(old_store, name), PartitionLease(new_store, name)
    try:
        old_bus.ensure("test", None)
        key = settings.pseudonym_key
        replay_file(old_store, BusPipeline(old_store, old_bus), path, pseudonym_key=key, speed=None)
        understand = StageWorker(settings, old_store, old_bus, ROLES["understand"])
        while understand.run_once(0.5):
            pass
        with old_store.engine.connect() as conn:
            expected = int(conn.execute(sa.text("SELECT count(*) FROM enrichments")).scalar_one())
        assert expected > 60

        takeover, standby = Takeover(), list[StageWorker]()
        role = replace(ROLES["stories"], build=lambda *args: [*ROLES["stories"].build(*args), takeover])
        assert old_lease.try_acquire()
        old = StageWorker(settings, old_store, old_bus, role, partition=0, fence=old_lease.fence)
        committed = old.run_once(WAIT_S) + old.run_once(WAIT_S)  # two batches committed by the first holder
        assert totals(old_store) == (committed,) * 3 and committed > 0

        def take_over() -> None:
            with new_store.engine.connect() as conn:  # the old holder's lease session ends, unnoticed
                assert conn.execute(sa.text(END_SESSION), {"k": old_lease.key}).scalar() == 1
            assert new_lease.try_acquire()
            fence = new_lease.fence
            standby.append(
                StageWorker(settings, new_store, new_bus, ROLES["stories"], partition=0, fence=fence)
            )

        takeover.armed = take_over
        assert old.run_once(WAIT_S) > 0
        assert old.metrics.counts[("stories", "batch_fenced")] == 1
        assert totals(old_store) == (committed,) * 3  # the third batch committed nothing
        assert not old_lease.holds() and not old_lease.try_acquire()  # the old holder stands by

        [new] = standby  # restored from the checkpoint of the first two batches; gets the refused batch back
        wait_until(
            lambda: new.run_once(0.5) == 0 and new_bus.backlog(UNDERSTOOD, "stories", 0) == (0, 0),
            "the new holder draining the stories queue",
        )
        assert new.metrics.counts[("stories", "batch_fenced")] == 0
        assert totals(new_store) == (expected,) * 3  # every item counted once, in the stories and buckets
    finally:
        old_lease.release()
        new_lease.release()
        old_bus.close()
        new_bus.close()
        old_store.close()
        new_store.close()
