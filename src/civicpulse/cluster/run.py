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
LEASE_POLL_S = 1.0


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
    bus = JetStreamBus(spec.nats_url, spec.options, name=f"civicpulse-{spec.label}")
    metrics, lease = Metrics(), PartitionLease(store, f"{spec.options.prefix}:{spec.label}")
    state = {"leased": spec.partition is None}

    def ready() -> str:
        if not bus.connected:
            return "not connected to NATS"
        if not state["leased"]:
            return f"waiting for partition {spec.label} (another worker holds it)"
        try:
            store.ping()
        except Exception as exc:
            return str(exc)
        return ""

    http = None
    if spec.health_port is not None:
        backlog = None
        if spec.stage in ROLES:
            role = ROLES[spec.stage]
            backlog = lambda: bus.backlog(role.source, role.stage, spec.partition)  # noqa: E731
        http = WorkerHttp(
            metrics,
            stage=spec.stage,
            partition="" if spec.partition is None else str(spec.partition),
            ready=ready,
            backlog=backlog,
            host=spec.health_host,
            port=spec.health_port,
        )
        log.info("worker %s serves /healthz, /readyz and /metrics on port %d", spec.label, http.port)
    try:
        if spec.stage == "collect":
            _collect(settings, store, bus, stop)
            return metrics
        # A stateful partition has one owner: a replacement waits here until the old owner's session ends.
        while not state["leased"] and not stop.is_set():
            state["leased"] = lease.try_acquire()
            if not state["leased"]:
                stop.wait(LEASE_POLL_S)
        if stop.is_set():
            return metrics
        role = ROLES[spec.stage]
        if role.partitioned and bus.backlog(role.source, role.stage, spec.partition)[1]:
            # The previous owner died holding messages: let them come back (first, in order) before new ones.
            stop.wait(spec.options.ack_wait_s)
        bus.watch_max_deliveries(role.stage, role.source, spec.partition)
        worker = StageWorker(settings, store, bus, role, partition=spec.partition, metrics=metrics)
        log.info("worker %s started", spec.label)
        while not stop.is_set():
            try:
                worker.run_once(timeout_s=1.0)
            except Exception:
                # The bus or the store is away (restarting, network): unacknowledged work comes back.
                log.exception("worker %s could not fetch; trying again", spec.label)
                stop.wait(1.0)
        return metrics
    finally:
        if http is not None:
            http.close()
        lease.release()
        bus.close()
        store.close()


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
