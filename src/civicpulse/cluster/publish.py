"""Hand newly stored items to the bus instead of running the stages here (collect workers, replays)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from civicpulse.config import Settings
from civicpulse.errors import Retry
from civicpulse.models import Item
from civicpulse.pipeline.bus import COLLECTED, Bus, BusOptions, Envelope
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store

log = logging.getLogger(__name__)
PUBLISH_ATTEMPTS = 5


class BusPipeline(Pipeline):
    """A `Pipeline` whose `submit` publishes item ids to the collected stream: any collector feeds workers."""

    def __init__(self, store: Store, bus: Bus) -> None:
        super().__init__(store, stages=[])
        self.bus = bus

    def submit(self, items: Iterable[Item]) -> int:
        """Publish the ids of `items` (already committed); retry a refusing stream with backoff."""
        published = publish_ids(self.bus, [item.id for item in items if item.id is not None])
        self.counts["published"] += published
        return published


def publish_ids(bus: Bus, ids: Sequence[int], chunk: int = 500) -> int:
    """Publish item ids to the collected stream in chunks, retrying a refusing stream; return how many.

    When every attempt fails the items stay stored; `civicpulse cluster republish` sends them later.
    """
    for start in range(0, len(ids), chunk):
        envelopes = [Envelope(i) for i in ids[start : start + chunk]]
        for attempt in range(1, PUBLISH_ATTEMPTS + 1):
            try:
                bus.publish(COLLECTED, envelopes)
                break
            except Retry as retry:
                if attempt == PUBLISH_ATTEMPTS:
                    raise
                log.warning("publishing %d items failed (%s); retrying", len(envelopes), retry.reason)
                time.sleep(min(retry.after_s or 1.0, 5.0) * attempt)
    return len(ids)


@contextmanager
def connected(
    settings: Settings, nats_url: str | None = None, prefix: str | None = None
) -> Iterator[JetStreamBus]:
    """The bus of `nats_url` (default: the settings') with its streams in place, closed afterwards.

    Wrap it in a `BusPipeline` over a store the workers share: they read the published items back from it.
    """
    bus = JetStreamBus(nats_url or settings.nats_url, BusOptions.from_settings(settings, prefix=prefix))
    try:
        bus.ensure(COLLECTED, None)
        yield bus
    finally:
        bus.close()
