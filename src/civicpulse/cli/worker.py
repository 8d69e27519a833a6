"""`civicpulse worker` (a stage over NATS JetStream); `civicpulse cluster` (local deployment, retention)."""

from __future__ import annotations

import signal
import subprocess
import threading
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.cluster.deploy import Deployment, parse_workers
from civicpulse.cluster.publish import connected, publish_ids
from civicpulse.cluster.roles import ROLES, STAGES
from civicpulse.cluster.run import WorkerSpec, run_worker
from civicpulse.config import Settings
from civicpulse.errors import InputError
from civicpulse.pipeline.bus import BusOptions
from civicpulse.store import open_store
from civicpulse.store.partitions import DroppedMonth, drop_old_partitions, ensure_partitions
from civicpulse.store.scale import blank_old_content, unprocessed_ids
from civicpulse.store.store import now


def bus_options(f: click.decorators.FC) -> click.decorators.FC:
    """The options every command that talks to the bus shares; left out, they come from the settings."""
    decorators = [
        click.option("--nats", "nats_url", default=None,
                     help="NATS server URL(s), JetStream enabled [setting nats_url]."),
        click.option("--database", "database_url", envvar="CIVICPULSE_DATABASE_URL", default=None,
                     help="Store URL (PostgreSQL for more than one process); default: the settings' store."),
        click.option("--prefix", default=None,
                     help="First token of every subject and stream name, one per deployment [bus_prefix]."),
        click.option("--partitions", type=int, default=None,
                     help="Partitions of the stateful stages; the same on every worker [bus_partitions]."),
        click.option("--batch", type=int, default=None, help="Largest batch fetched [bus_batch]."),
        click.option("--max-ack-pending", type=int, default=None,
                     help="Messages a consumer may hold unacknowledged, backpressure [bus_max_ack_pending]."),
        click.option("--ack-wait", type=float, default=None,
                     help="Seconds before a crashed worker's messages are delivered again [bus_ack_wait_s]."),
        click.option("--max-deliver", type=int, default=None,
                     help="Deliveries of a failing message before it is dead-lettered [bus_max_deliver]."),
        click.option("--backoff", default=None,
                     help="Seconds before each redelivery of a failed message, e.g. 1,5,30 [bus_backoff_s]."),
    ]  # fmt: skip
    for decorate in reversed(decorators):
        f = decorate(f)
    return f


def make_options(settings: Settings, *, prefix: str | None = None, partitions: int | None = None,
                 batch: int | None = None, max_ack_pending: int | None = None, ack_wait: float | None = None,
                 max_deliver: int | None = None, backoff: str | None = None) -> BusOptions:  # fmt: skip
    """Return the bus options of the settings with the command line's on top; refuse nonsense clearly."""
    delays = None
    if backoff is not None:
        try:
            delays = tuple(float(b) for b in backoff.split(",") if b.strip())
        except ValueError as exc:
            raise InputError(
                f"--backoff {backoff!r} must be seconds separated by commas, e.g. 1,5,30"
            ) from exc
    options = BusOptions.from_settings(
        settings, prefix=prefix, partitions=partitions, batch=batch, max_ack_pending=max_ack_pending,
        ack_wait_s=ack_wait, max_deliver=max_deliver, backoff_s=delays,
    )  # fmt: skip
    if options.partitions < 1 or options.batch < 1 or options.max_deliver < 1:
        raise InputError("--partitions, --batch and --max-deliver must be at least 1")
    return options


def parse_partition(text: str | None, partitions: int) -> tuple[int | None, int]:
    """Parse `K/N`; N overrides --partitions. Return (K, N)."""
    if text is None:
        return None, partitions
    index, _, count = text.partition("/")
    if not index.isdigit() or (count and not count.isdigit()):
        raise InputError(f"--partition {text!r} must be K/N, e.g. 0/2 for the first of two partitions")
    total = int(count) if count else partitions
    if int(index) >= total:
        raise InputError(f"--partition {text}: K must be below N (partitions are numbered from 0)")
    return int(index), total


@click.command()
@click.option("--stage", type=click.Choice(STAGES), required=True, help="The stage this worker runs.")
@click.option("--partition", default=None, help="K/N: the partition of a stateful stage (stories, detect).")
@click.option("--concurrency", default=1, show_default=True, help="Worker processes (stateless stages).")
@click.option("--health-port", default=None, type=int, help="Serve /healthz, /readyz, /metrics here.")
@click.option("--health-host", default="127.0.0.1", show_default=True, help="Address of those endpoints.")
@bus_options
@pass_app
def worker(app: AppContext, /, *, stage: str, partition: str | None, concurrency: int,
           health_port: int | None, health_host: str, nats_url: str | None, database_url: str | None,
           **bus: Any) -> None:  # fmt: skip
    """Run one stage as a worker over NATS JetStream until SIGTERM or Ctrl-C (the current batch finishes)."""
    options = make_options(app.settings, **bus)
    nats_url = nats_url or app.settings.nats_url
    index, total = parse_partition(partition, options.partitions)
    options = BusOptions(**{**options.__dict__, "partitions": total})
    stateful = stage in ROLES and ROLES[stage].partitioned
    if stateful and index is None:
        index = 0 if total == 1 else None
        if index is None:
            raise InputError(f"--stage {stage} is partitioned: give --partition K/{total}")
    if stateful and concurrency != 1:
        raise InputError(f"--stage {stage} keeps state: scale it with partitions, not --concurrency")
    url = database_url or app.settings.store_url
    children = _spawn_siblings(concurrency, health_port)
    spec = WorkerSpec(stage, nats_url, url, options, index if stateful else None, health_host, health_port)
    stop = threading.Event()

    def handle(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handle)
    try:
        metrics = run_worker(app.settings, spec, stop)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait()
    done = sum(v for (_, outcome), v in metrics.counts.items() if outcome == "done")
    click.echo(f"Worker {spec.label} stopped after {done:,} items.")


def _spawn_siblings(concurrency: int, health_port: int | None) -> list[subprocess.Popen[bytes]]:
    """--concurrency N: N-1 more processes of this same command (processes, since stages hold the GIL)."""
    import sys

    if concurrency <= 1:
        return []
    argv = list(sys.argv[1:])
    children = []
    for n in range(1, concurrency):
        args = _replace_option(_replace_option(argv, "--concurrency", "1"), "--health-port",
                               None if health_port is None else str(health_port + n))  # fmt: skip
        children.append(subprocess.Popen([sys.executable, "-m", "civicpulse", *args]))  # noqa: S603
    return children


def _replace_option(argv: list[str], name: str, value: str | None) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == name:
            skip = True
            continue
        if arg.startswith(f"{name}="):
            continue
        out.append(arg)
    return out if value is None else [*out, name, value]


@click.group()
def cluster() -> None:
    """Run the stages as workers over NATS JetStream and PostgreSQL."""


@cluster.command("up")
@click.option(
    "--workers",
    default="understand=1,stories=1,detect=1,respond=1",
    show_default=True,
    help="Processes per stage, e.g. understand=2,stories=1 (stateful stages: one per partition).",
)
@click.option("--health-port-base", default=9100, show_default=True, help="First worker's /metrics port.")
@click.option(
    "--log-dir", type=click.Path(path_type=Path), default=None, help="Write each worker's log here."
)
@bus_options
@pass_app
def up(app: AppContext, /, *, workers: str, health_port_base: int, log_dir: Path | None,
       nats_url: str | None, database_url: str | None, **bus: Any) -> None:  # fmt: skip
    """Start a local multi-process deployment and keep it running until Ctrl-C (development and tests)."""
    options = make_options(app.settings, **bus)
    nats_url = nats_url or app.settings.nats_url
    url = database_url or app.settings.store_url
    open_store(url, upgrade=True).close()  # migrate once, before the workers race to
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
    deployment = Deployment(nats_url, url, options, health_port_base, log_dir=log_dir)
    names = deployment.up(parse_workers(workers))
    for n, name in enumerate(names):
        click.echo(f"  {name}: http://127.0.0.1:{health_port_base + n}/metrics")
    click.echo(f"Started {len(names)} workers against {nats_url} — press Ctrl-C to stop them.")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _s, _f: stop.set())
    while not stop.wait(1.0):
        gone = [name for name, p in deployment.processes.items() if p.poll() is not None]
        for name in gone:
            click.echo(f"Worker {name} exited with {deployment.processes[name].returncode}; restarting it.")
            stage, _, rest = name.rpartition("-")
            process = deployment.processes.pop(name)
            del process
            partition = int(rest[1:]) if rest.startswith("p") else None
            deployment.start(name, stage, partition)
    deployment.stop()
    click.echo("Stopped.")


@cluster.command("retention")
@click.option("--days", default=None, type=int, help="Keep raw text this many days (default: the settings).")
@click.option(
    "--partitions",
    "manage_partitions",
    is_flag=True,
    help="Also create the next months' partitions of items and drop months older than "
    "item_retention_months (PostgreSQL).",
)
@click.option(
    "--ahead",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --partitions: months of partitions to keep ready after this one.",
)
@click.option(
    "--months",
    default=None,
    type=click.IntRange(min=1),
    help="With --partitions: keep this many whole months of items [item_retention_months].",
)
@click.option("--database", "database_url", envvar="CIVICPULSE_DATABASE_URL", default=None, help="Store URL.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def retention(app: AppContext, /, *, days: int | None, manage_partitions: bool, ahead: int,
              months: int | None, database_url: str | None, as_json: bool) -> None:  # fmt: skip
    """Blank the text of items older than the retention policy (titles, counts and stories stay)."""
    keep = days if days is not None else app.settings.raw_retention_days
    keep_months = months if months is not None else app.settings.item_retention_months
    created: list[str] = []
    dropped: list[DroppedMonth] = []
    store = open_store(database_url or app.settings.store_url)
    try:
        store.check_schema()
        if manage_partitions:
            today = now().date()
            created = ensure_partitions(store, today, ahead)
            if keep_months is not None:
                dropped = drop_old_partitions(store, keep_months, today)
        blanked = blank_old_content(store, now() - timedelta(days=keep))
    finally:
        store.close()
    if as_json:
        echo_json({
            "days": keep, "blanked": blanked, "months": keep_months if manage_partitions else None,
            "created": created, "dropped": [asdict(d) for d in dropped],
        })  # fmt: skip
        return
    for name in created:
        click.echo(f"Created partition {name}.")
    for month in dropped:
        click.echo(
            f"Dropped partition {month.name}: {month.items:,} items (daily counts kept), "
            f"{month.labels_kept:,} analysts' labels kept, {month.reports_detached:,} field reports unlinked."
        )
    click.echo(f"Blanked the text of {blanked:,} items collected more than {keep} days ago.")


@cluster.command("republish")
@click.option("--since-hours", default=24.0, show_default=True, help="Look at items collected this recently.")
@click.option("--nats", "nats_url", default=None, help="NATS server URL(s) [setting nats_url].")
@click.option("--prefix", default=None, help="The deployment's stream prefix [bus_prefix].")
@click.option("--database", "database_url", envvar="CIVICPULSE_DATABASE_URL", default=None, help="Store URL.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def republish(app: AppContext, /, *, since_hours: float, nats_url: str | None, prefix: str | None,
              database_url: str | None, as_json: bool) -> None:  # fmt: skip
    """Send stored items that no worker has understood to the workers again (after a long NATS outage)."""
    with connected(app.settings, nats_url, prefix) as bus:
        store = open_store(database_url or app.settings.store_url)
        try:
            store.check_schema()
            ids = unprocessed_ids(store, now() - timedelta(hours=since_hours))
            published = publish_ids(bus, ids)
        finally:
            store.close()
    if as_json:
        echo_json({"since_hours": since_hours, "published": published})
    else:
        click.echo(
            f"Published {published:,} items collected in the last {since_hours:g} h and not yet understood."
        )
