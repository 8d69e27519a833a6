"""A stage worker: fetch a bounded batch of item ids, run the stages, commit, publish downstream, then ack.

Outcomes are handled here, as the in-process runner does (STYLE.md 7): `Skip` is acknowledged and counted;
`Quarantine` goes to the quarantine table and the dead-letter stream with its reason; `Retry` and unexpected
errors are redelivered with backoff until the last allowed delivery, then dead-lettered. Acks come only after
the store commit, so a crash anywhere means redelivery, and idempotent writes make that harmless.

An outage (the database or the bus away, e.g. restarting) is not the item's fault: it fails the whole batch,
which is redelivered, and the stages are rebuilt from the last checkpoint before the next batch. So is a
save refused because another worker took the partition (`LeaseLost`): the batch goes back, unacknowledged,
to the new holder.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from civicpulse.config import Settings
from civicpulse.errors import LeaseLost, Quarantine, Retry, Skip
from civicpulse.models import Item, QuarantineEntry
from civicpulse.pipeline.bus import Bus, BusOptions, DeadLetter, Delivery, Envelope
from civicpulse.pipeline.stage import Stage
from civicpulse.store import Store
from civicpulse.store.fencing import Fence
from civicpulse.store.scale import items_by_ids

log = logging.getLogger(__name__)
HOLD_POLL_S = 0.1
"""How long a fetch waits while deliveries are held for lower ids (they are due as soon as those pass)."""

# settings, store, partition, partitions, the partition lease's fence
Build = Callable[[Settings, Store, int | None, int, Fence | None], list[Stage]]
Route = Callable[[Item, BusOptions, int | None], tuple[int, Envelope]]


@dataclass(frozen=True)
class Role:
    """What one kind of worker consumes, runs and publishes."""

    stage: str
    source: str
    """The boundary it consumes."""
    target: str | None
    """The boundary it publishes processed items to (None: the end of the line)."""
    partitioned: bool
    """Stateful: one worker per partition, state checkpointed in the store."""
    enriched: bool
    """Whether items are loaded with the enrichment earlier stages stored."""
    build: Build
    route: Route
    follows: tuple[str, str] | None = None
    """The boundary and stage of parallel workers before this one: deliveries wait until every lower id has
    passed them, so this stateful stage sees the stream in id (collection) order, as one process does."""


class Metrics:
    """Counters of one worker process, rendered in the Prometheus text format."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.batch_seconds = 0.0
        self.batches = 0
        self.last_batch_at = 0.0
        self._lock = Lock()

    def count(self, stage: str, outcome: str, n: int = 1) -> None:
        with self._lock:
            self.counts[(stage, outcome)] += n

    def batch(self, seconds: float) -> None:
        with self._lock:
            self.batch_seconds += seconds
            self.batches += 1
            self.last_batch_at = time.time()


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database is away (a restart, a dropped session), not that an item is bad."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class StageWorker:
    """Runs one role's stages over batches from the bus; `run_once` handles one batch."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        bus: Bus,
        role: Role,
        *,
        partition: int | None = None,
        metrics: Metrics | None = None,
        fence: Fence | None = None,
    ) -> None:
        self.settings, self.store, self.bus, self.role = settings, store, bus, role
        self.partition = partition
        self.metrics = metrics or Metrics()
        self.fence = fence
        """The partition lease's generation, checked by the stateful stages' saves (None: unleased)."""
        self.stages = self._build()
        self._stale = False
        self._held: dict[int, tuple[Delivery, float]] = {}
        """Deliveries waiting for lower ids, by item id (with when each was last marked in progress)."""
        bus.ensure(role.stage, partition)

    def reset(self, fence: Fence | None = None) -> None:
        """Rebuild the stages from the store's last checkpoint before the next batch.

        After a failed batch the stages may hold state the store never got; after a lost partition lease
        another worker may have moved the state on (a re-taken lease passes its new `fence`). Rebuilding
        waits for the next batch, so a database that is still away fails that call (and is tried again),
        never the cleanup of the last one.
        """
        if fence is not None:
            self.fence = fence
            self.release()  # the partition may have changed hands: held messages go back in stream order
        self._stale = True

    def release(self) -> None:
        """Give back held deliveries (a lost lease, a stop): they come again, in order, to the holder."""
        held, self._held = self._held, {}
        for delivery, _ in held.values():
            self._nak_quietly(delivery)

    def _build(self) -> list[Stage]:
        options = self.bus.options
        return self.role.build(self.settings, self.store, self.partition, options.partitions, self.fence)

    def run_once(self, timeout_s: float = 1.0) -> int:
        """Fetch and handle one batch; return how many messages it held (0 when the wait timed out)."""
        if self._stale:
            self.stages = self._build()
            self._stale = False
        if self.role.follows is None:
            deliveries = self.bus.fetch(self.role.source, self.role.stage, self.partition, timeout_s)
        else:
            deliveries = self._in_order(timeout_s)
        if not deliveries:
            return 0
        started = time.perf_counter()
        try:
            self._handle(deliveries)
        except LeaseLost as lost:
            # Nothing was committed or acknowledged; the new holder gets the batch, this worker stands by.
            log.warning("stage %s: %s (%d messages)", self.role.stage, lost, len(deliveries))
            self.metrics.count(self.role.stage, "batch_fenced")
            for delivery in deliveries:
                self._nak_quietly(delivery)
            self.release()
            self.reset()
        except Exception as error:
            # Nothing of this batch was acknowledged; it comes back after the backoff.
            cause = "the database is unreachable" if is_outage(error) else "it failed"
            log.exception(
                "stage %s: %s during a batch of %d; it will be redelivered",
                self.role.stage,
                cause,
                len(deliveries),
            )
            self.metrics.count(self.role.stage, "batch_failed")
            for delivery in deliveries:
                self._nak_quietly(delivery)
            self.reset()
        self.metrics.batch(time.perf_counter() - started)
        return len(deliveries)

    def _in_order(self, timeout_s: float) -> list[Delivery]:
        """Fetch until a batch of the lowest held ids is due: every lower id has passed `role.follows`.

        Parallel upstream workers publish their batches in whatever order they finish; the stateful stage
        must not see item 40 before item 10. A full hold (the consumer delivers no more) goes on in id
        order without waiting, so a stalled upstream worker cannot stop the stream.
        """
        assert self.role.follows is not None
        options, malformed = self.bus.options, list[Delivery]()
        wait = HOLD_POLL_S if self._held else timeout_s  # held ids may be due as soon as upstream moves
        while True:
            fetched = self.bus.fetch(self.role.source, self.role.stage, self.partition, wait)
            now = time.monotonic()
            for delivery in fetched:
                try:
                    # A copy of an id already held (redelivered, re-published) replaces it: the batch's ack
                    # settles a redelivery; a re-published copy comes back and finds the item done.
                    self._held[Envelope.decode(delivery.data).item_id] = (delivery, now)
                except Quarantine:
                    malformed.append(delivery)  # handled (dead-lettered) at once
            if not self._held:
                return malformed
            below = self.bus.watermark(self.role.follows, self.role.source, self.role.stage, self.partition)
            if len(self._held) + options.batch > options.max_ack_pending:
                below = math.inf
            due = [i for i in sorted(self._held)[: options.batch] if i < below]
            for item_id, (delivery, touched) in self._held.items():
                if item_id not in due and now - touched > options.ack_wait_s / 3:
                    delivery.in_progress()  # held, not stuck: no redelivery meanwhile
                    self._held[item_id] = (delivery, now)
            if due or malformed or not fetched:
                return malformed + [self._held.pop(i)[0] for i in due]
            wait = HOLD_POLL_S

    def _handle(self, deliveries: Sequence[Delivery]) -> None:
        settled: list[Delivery] = []
        todo: list[tuple[Delivery, Envelope]] = []
        for delivery in deliveries:
            try:
                todo.append((delivery, Envelope.decode(delivery.data)))
            except Quarantine as problem:
                self._give_up(delivery, None, problem.reason)
                settled.append(delivery)
        found = items_by_ids(self.store, [e.item_id for _, e in todo], enriched=self.role.enriched)
        out: dict[int, list[Envelope]] = defaultdict(list)
        # Item-id order is collection order: stateful stages see the stream as the single process does.
        for delivery, envelope in sorted(todo, key=lambda pair: pair[1].item_id):
            item = found.get(envelope.item_id)
            if item is None:
                self._give_up(delivery, None, f"item {envelope.item_id} is not in the store")
                settled.append(delivery)
                continue
            result = self._process(delivery, item)
            if result is _LATER:
                continue
            settled.append(delivery)
            if isinstance(result, Item) and self.role.target is not None:
                partition, message = self.role.route(result, self.bus.options, self.partition)
                out[partition].append(message)
        for stage in self.stages:
            flush = getattr(stage, "flush", None)
            if flush is not None:
                flush()  # the store commit: only after it may anything be acknowledged
        for partition, messages in sorted(out.items()):
            assert self.role.target is not None
            self.bus.publish(self.role.target, messages, partition)
        self.bus.ack_all(settled)
        self.metrics.count(self.role.stage, "done", sum(len(m) for m in out.values()))

    def _process(self, delivery: Delivery, item: Item) -> object:
        for stage in self.stages:
            try:
                item = stage.process(item)
            except Skip:
                self.metrics.count(stage.name, "skipped")
                return None
            except Quarantine as problem:
                self._give_up(delivery, item, problem.reason, stage.name)
                return None
            except Retry as retry:
                return self._later(delivery, item, stage.name, retry.reason)
            except Exception as exc:
                if is_outage(exc):
                    raise  # the whole batch waits for the database, no item is blamed
                log.exception("stage %s failed on item %s", stage.name, item.id)
                return self._later(delivery, item, stage.name, repr(exc))
        return item

    def _later(self, delivery: Delivery, item: Item, stage: str, reason: str) -> object:
        if delivery.attempt >= self.bus.options.max_deliver:
            self._give_up(delivery, item, f"gave up after {delivery.attempt} deliveries: {reason}", stage)
            return None
        self.metrics.count(stage, "retried")
        delivery.nak(self.bus.options.delay(delivery.attempt))
        return _LATER

    def _give_up(self, delivery: Delivery, item: Item | None, reason: str, stage: str | None = None) -> None:
        """Keep the message in the dead-letter stream and the item in quarantine, with the reason."""
        stage = stage or self.role.stage
        self.metrics.count(stage, "dead_lettered")
        log.warning("stage %s gave up on a message: %s", stage, reason)
        self.bus.dead_letter(
            DeadLetter(self.role.stage, f"{stage}: {reason}", delivery.data, delivery.attempt)
        )
        self.store.quarantine(
            QuarantineEntry(
                origin=f"worker:{stage} item:{item.id if item else '?'}",
                reason=reason,
                payload=(item.title or item.text[:500])
                if item
                else delivery.data[:500].decode("utf-8", "replace"),
                source_id=item.source_id if item else None,
            )
        )

    def _nak_quietly(self, delivery: Delivery) -> None:
        try:
            delivery.nak(self.bus.options.delay(delivery.attempt))
        except Exception:  # the bus may be what failed; the server redelivers after ack_wait anyway
            log.debug("nak failed", exc_info=True)


_LATER = object()
