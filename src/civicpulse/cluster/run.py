"""Run one worker process: open the store and the bus, lease the partition, loop until asked to stop."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from civicpulse.cluster.publish import BusPipeline
from civicpulse.cluster.roles import ROLES
from civicpulse.config import Settings
from civicpulse.pipeline.bus import BusOptions
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.pipeline.worker import Metrics, StageWorker
from civicpulse.pipeline.worker_http import WorkerHttp
from civicpulse.store import Store, open_store
from civicpulse.store.scale import PartitionLease

log = logging.getLogger(__name__)
POLL_S = 1.0


@dataclass(frozen=True)
class WorkerSpec:
    """Which worker to run and where its services are."""

    stage: str
    nats_url: str
    database_url: str
    options: BusOptions
    partition: int | None = None
    health_host: str = "127.0.0.1"
    health_port: int | None = None
    """None: no HTTP endpoints; 0: any free port."""

    @property
    def label(self) -> str:
        return self.stage if self.partition is None else f"{self.stage}-p{self.partition}"


def run_worker(settings: Settings, spec: WorkerSpec, stop: threading.Event) -> Metrics:
    """Run `spec` until `stop` is set; the current batch always finishes (and is acknowledged) first."""
    store = open_store(spec.database_url)
    store.check_schema()
    try:
        bus = JetStreamBus(spec.nats_url, spec.options, name=f"civicpulse-{spec.label}")
    except BaseException:
        store.close()
        raise
    running = Running(settings, spec, store, bus)
    http = running.serve() if spec.health_port is not None else None
    try:
        if spec.stage == "collect":
            _collect(settings, store, bus, stop)
        else:
            running.consume(stop)
        return running.metrics
    finally:
        if http is not None:
            http.close()
        running.lease.release()
        bus.close()
        store.close()


class Running:
    """One worker process's connections, lease and counters, and its loop over batches."""

    def __init__(self, settings: Settings, spec: WorkerSpec, store: Store, bus: JetStreamBus) -> None:
        self.settings, self.spec, self.store, self.bus = settings, spec, store, bus
        self.metrics = Metrics()
        self.lease = PartitionLease(store, f"{spec.options.prefix}:{spec.label}")
        self.leased = spec.partition is None
        self.started = spec.stage == "collect"

    def ready(self) -> str:
        """Return "" when the worker can work, else why not (for `/readyz`)."""
        if not self.bus.connected:
            return "not connected to NATS"
        if not self.leased:
            return (
                f"waiting for partition {self.spec.label} (another worker holds it, or the database is away)"
            )
        try:
            self.store.ping()
        except Exception as exc:
            return str(exc)
        return "" if self.started else "starting: building the stages (models, windows, checkpoint)"

    def serve(self) -> WorkerHttp:
        spec, backlog = self.spec, None
        if spec.stage in ROLES:
            role = ROLES[spec.stage]
            backlog = lambda: self.bus.backlog(role.source, role.stage, spec.partition)  # noqa: E731
        http = WorkerHttp(
            self.metrics,
            stage=spec.stage,
            partition="" if spec.partition is None else str(spec.partition),
            ready=self.ready,
            backlog=backlog,
            host=spec.health_host,
            port=spec.health_port or 0,
        )
        log.info("worker %s serves /healthz, /readyz and /metrics on port %d", spec.label, http.port)
        return http

    def consume(self, stop: threading.Event) -> None:
        """Handle batches until `stop`; ride out outages of NATS and PostgreSQL instead of exiting.

        The bus reconnects by itself and unacknowledged messages come back; the store's pool reconnects on
        the next checkout. A stateful worker checks its lease before each batch: a dropped database session
        ends the advisory lock, so it takes the lease again and rebuilds its state from the checkpoint. A
        batch in flight when another worker took over is refused at its save (the lease's fence) and goes
        back to the new holder.
        """
        worker: StageWorker | None = None
        problem = ""
        while not stop.is_set():
            try:
                if not self._hold_lease(worker, stop):
                    break
                if worker is None:
                    worker = self._start()
                if not self.bus.connected:
                    raise ConnectionError("not connected to NATS (reconnecting)")
                self.store.ping()  # fetch nothing while the database is away: deliveries are bounded
                if problem:
                    log.info("worker %s carries on (was: %s)", self.spec.label, problem)
                    problem = ""
                worker.run_once(timeout_s=1.0)
            except Exception as error:
                if str(error) != problem:
                    log.warning("worker %s waits: %s", self.spec.label, error, exc_info=not problem)
                problem = str(error)
                stop.wait(POLL_S)
        if worker is not None:
            worker.release()  # held deliveries go back at once rather than after ack_wait

    def _start(self) -> StageWorker:
        spec, role = self.spec, ROLES[self.spec.stage]
        self.bus.watch_max_deliveries(role.stage, role.source, spec.partition)
        worker = StageWorker(
            self.settings,
            self.store,
            self.bus,
            role,
            partition=spec.partition,
            metrics=self.metrics,
            fence=self.lease.fence,
        )
        log.info("worker %s started", spec.label)
        self.started = True
        return worker

    def _hold_lease(self, worker: StageWorker | None, stop: threading.Event) -> bool:
        """Make sure a stateful worker holds its partition (a standby waits here); False when stopping."""
        spec, role = self.spec, ROLES[self.spec.stage]
        if not role.partitioned or self.lease.holds():
            return True
        self.leased = False
        if worker is not None:
            log.warning(
                "worker %s lost its partition lease (its database session ended or another worker took it);"
                " taking it again or waiting as a standby",
                spec.label,
            )
        while not self.lease.try_acquire():
            if stop.wait(POLL_S):
                return False
        self.leased = True
        if worker is not None:
            worker.reset(self.lease.fence)  # another worker may have held the partition meanwhile
        elif self.bus.backlog(role.source, role.stage, spec.partition)[1]:
            # The previous owner died holding messages: let them come back (first, in order) before new ones.
            stop.wait(spec.options.ack_wait_s)
        return not stop.is_set()


def _collect(settings: Settings, store: Store, bus: JetStreamBus, stop: threading.Event) -> None:
    """Collect on schedule; new items go to the bus instead of through local stages."""
    from civicpulse.collect.collector import Collector
    from civicpulse.collect.http import make_client

    with make_client(settings) as client:
        collector = Collector(settings, store, BusPipeline(store, bus), client)
        started = time.monotonic()
        results = collector.collect_once()
        log.info("first collection pass: %d sources in %.1fs", len(results), time.monotonic() - started)
        collector.run_forever(stop)
