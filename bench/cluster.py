"""Cluster benchmark: understand throughput with 1 and 2 workers, queue lag under a 10x burst, cost per item.

Needs the NATS server at CIVICPULSE_NATS_URL (default nats://127.0.0.1:4222) and PostgreSQL at
CIVICPULSE_TEST_POSTGRES_URL; creates and drops its own database and streams. Writes
docs/performance_cluster.md. Run: .venv/bin/python bench/cluster.py [--items 1200]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from civicpulse.cluster.deploy import Deployment
from civicpulse.demo import demo_rows
from civicpulse.models import Item
from civicpulse.pipeline.bus import COLLECTED, BusOptions, Envelope
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.store import Store, open_store

NATS = os.environ.get("CIVICPULSE_NATS_URL", "nats://127.0.0.1:4222")
ADMIN = os.environ.get("CIVICPULSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).resolve().parents[1] / "docs" / "performance_cluster.md"
PORT = 9750
TICKS = os.sysconf("SC_CLK_TCK")


@contextmanager
def database() -> Iterator[str]:
    name = f"civicpulse_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        open_store(url, upgrade=True).close()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_items(n: int, round_: int) -> list[Item]:
    rows = demo_rows()
    return [
        Item(
            key=f"bench:{round_}:{i}",
            title=f"{rows[i % len(rows)]['title']} ({i // len(rows)})",
            text=rows[i % len(rows)]["lede"],
            content_hash=f"{round_}:{i}",
            published_at=datetime(2020, 11, 1, tzinfo=UTC),
        )
        for i in range(n)
    ]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wait_ready(port: int) -> None:
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"worker on port {port} never became ready")


def drain(bus: JetStreamBus, samples: list[tuple[float, int]] | None = None, start: float = 0.0) -> None:
    while True:
        waiting, unacked = bus.backlog(COLLECTED, "understand", None)
        if samples is not None:
            samples.append((time.monotonic() - start, waiting + unacked))
        if waiting + unacked == 0:
            return
        time.sleep(0.1)


@dataclass
class Run:
    workers: int
    items: int
    seconds: float
    cpu: float
    load: float  # the machine's 1-minute load average when the run started (other work competes)

    @property
    def rate(self) -> float:
        return self.items / self.seconds


def deploy(url: str, options: BusOptions, workers: int, log_dir: Path) -> Deployment:
    deployment = Deployment(NATS, url, options, health_port_base=PORT, log_dir=log_dir)
    deployment.env = {"CIVICPULSE_DATA_DIR": str(log_dir / "data"), "CIVICPULSE_CONFIG": str(log_dir / "x")}
    deployment.up({"understand": workers})
    for n in range(workers):
        wait_ready(PORT + n)
    return deployment


def throughput(store: Store, url: str, workers: int, n: int, log_dir: Path, round_: int) -> Run:
    options = BusOptions(prefix=f"bench{uuid.uuid4().hex[:6]}", batch=64)
    bus = JetStreamBus(NATS, options)
    bus.ensure("bench", None)
    deployment = deploy(url, options, workers, log_dir)
    try:
        stored = store.add_items(make_items(n, round_))
        pids = [p.pid for p in deployment.processes.values()]
        cpu0, load = sum(cpu_seconds(p) for p in pids), os.getloadavg()[0]
        start = time.monotonic()
        for i in range(0, len(stored), 500):
            bus.publish(COLLECTED, [Envelope(item.id or 0) for item in stored[i : i + 500]])
        drain(bus)
        seconds = time.monotonic() - start
        cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    finally:
        deployment.stop()
        bus.delete()
        bus.close()
    return Run(workers, n, seconds, cpu, load)


def burst(store: Store, url: str, base_rate: float, log_dir: Path) -> tuple[list[tuple[float, int]], float]:
    """Feed at `base_rate` for 6 s, at 10x for 3 s, at base again for 6 s; sample the lag throughout."""
    options = BusOptions(prefix=f"bench{uuid.uuid4().hex[:6]}", batch=64)
    bus = JetStreamBus(NATS, options)
    bus.ensure("bench", None)
    deployment = deploy(url, options, 1, log_dir)
    samples: list[tuple[float, int]] = []
    try:
        phases = [(base_rate, 6.0), (10 * base_rate, 3.0), (base_rate, 6.0)]
        stored = store.add_items(make_items(int(sum(r * s for r, s in phases)) + 10, 99))
        start, cursor, sent = time.monotonic(), 0.0, 0
        for rate, seconds in phases:
            cursor += seconds
            while (now := time.monotonic() - start) < cursor:
                due = int(sent + rate * 0.1)
                bus.publish(COLLECTED, [Envelope(i.id or 0) for i in stored[sent:due]])
                sent = due
                waiting, unacked = bus.backlog(COLLECTED, "understand", None)
                samples.append((now, waiting + unacked))
                time.sleep(max(0.0, 0.1 - (time.monotonic() - start - now)))
        drain(bus, samples, start)
        return samples, time.monotonic() - start
    finally:
        deployment.stop()
        bus.delete()
        bus.close()


def table_bytes(store: Store) -> int:
    with store.engine.connect() as conn:
        query = (
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            " WHERE relname IN ('items', 'enrichments', 'item_topics')"
        )
        return int(conn.execute(sa.text(query)).scalar() or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1200, help="Items per throughput run.")
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="civicpulse-bench-"))
    with database() as url:
        store = open_store(url)
        before = table_bytes(store)
        one = throughput(store, url, 1, args.items, log_dir, 1)
        two = throughput(store, url, 2, args.items, log_dir, 2)
        per_item_bytes = (table_bytes(store) - before) / (2 * args.items)
        samples, total = burst(store, url, base_rate=0.4 * one.rate, log_dir=log_dir)
        store.close()
    write(args.items, one, two, per_item_bytes, samples, total)
    print(OUT.read_text(encoding="utf-8"))


def write(
    n: int, one: Run, two: Run, per_item_bytes: float, samples: list[tuple[float, int]], total: float
) -> None:
    peak_at, peak = max(samples, key=lambda s: s[1])
    after = [t for t, lag in samples if t > 9.0 and lag == 0]
    drained = f"{after[0] - 9.0:.1f} s after the burst ended" if after else "not within the run"
    cpu_ms = 1000 * one.cpu / one.items
    cpu_hours = one.cpu / one.items * 1e6 / 3600
    lines = [
        "# Cluster performance",
        "",
        "Generated by `bench/cluster.py`; do not edit by hand. Machine: "
        f"{platform.machine()}, {os.cpu_count()} cores shared with other work (load varies between runs), "
        f"Python {platform.python_version()}, NATS JetStream and PostgreSQL on loopback.",
        "",
        "## Understand throughput (messages carry item ids; workers read items from PostgreSQL)",
        "",
        "| workers | items | seconds | items/s | speed-up | worker CPU s | load average at start |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| 1 | {one.items:,} | {one.seconds:.1f} | {one.rate:.0f} | 1.00x | {one.cpu:.1f} "
        f"| {one.load:.1f} |",
        f"| 2 | {two.items:,} | {two.seconds:.1f} | {two.rate:.0f} | {two.rate / one.rate:.2f}x "
        f"| {two.cpu:.1f} | {two.load:.1f} |",
        "",
        "Time runs from the first publish to an empty consumer (every message processed, committed and",
        "acknowledged); workers are started and ready before it. Worker CPU per item is the same with one",
        "or two workers (no coordination cost); the wall-clock speed-up is bounded by the cores actually",
        "free:",
        f"with a load average of {two.load:.1f} on {os.cpu_count()} cores, a second worker mostly competes",
        "with other processes. On idle cores the CPU column predicts near-linear scaling"
        f" ({1 / (two.cpu / two.items):.0f} items per CPU-second per worker).",
        "",
        "## Queue lag under a 10x burst (one understand worker)",
        "",
        f"Feed at {0.4 * one.rate:.0f} items/s (40% of one worker's capacity) for 6 s, at 10x that for 3 s,",
        f"then at the base rate again. Peak lag: **{peak:,} messages** at {peak_at:.1f} s; the lag was back",
        f"to zero {drained}; whole run {total:.1f} s. Nothing is dropped: the stream holds the backlog",
        "(bounded by `max_bytes`) and the worker never holds more than `max_ack_pending` messages.",
        "",
        "| t (s) | lag |",
        "|---:|---:|",
        *[f"| {t:.1f} | {lag:,} |" for t, lag in samples[:: max(1, len(samples) // 20)]],
        "",
        "## Cost model per million items, per understand worker",
        "",
        f"- CPU: {cpu_ms:.2f} ms of worker CPU per item → **{cpu_hours:.2f} CPU-hours per million items**;",
        f"  one worker on one core handles about {3600 / (cpu_ms / 1000) / 1e6:.1f} million items per hour",
        f"  at full load (measured wall-clock rate here: {one.rate:.0f} items/s on a shared machine).",
        f"- PostgreSQL: {per_item_bytes / 1024:.1f} KiB per item for items, enrichments and topic matches,",
        f"  indexes included → **{per_item_bytes * 1e6 / 1024**3:.1f} GiB per million items** (demo-sized",
        "  texts: a headline and a lede; full articles are larger; retention blanks text after",
        "  `raw_retention_days`).",
        "- JetStream: a message is a JSON id (about 12 bytes) plus a dedup header; with work-queue retention",
        "  acknowledged messages are deleted, so storage is the backlog only (a million waiting messages is",
        "  on the order of 100 MB).",
        "- Planning: workers = peak items/s ÷ per-worker items/s, plus one for failover; PostgreSQL",
        "  connections = about 3 per worker (pool, partition lease, listener).",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
