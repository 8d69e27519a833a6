"""`civicpulse run` (collect + web), `civicpulse serve` (web only), `civicpulse demo` (load the sample)."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.collect.collector import Collector, SourceResult
from civicpulse.collect.http import make_client
from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.pipeline.workbench import Workbench
from civicpulse.reports.schedule import DailyJobs
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import Store

log = logging.getLogger(__name__)
FAILED = ("failed", "retry")
# Longest wait for the collector to finish its current fetch on shutdown; it is a daemon thread after that.
JOIN_TIMEOUT_S = 30.0

host_option = click.option("--host", default=None, help="Listen on this address (default: settings.host).")
port_option = click.option(
    "--port", default=None, type=int, help="Listen on this port (default: settings.port)."
)


def nothing_collected(url: str) -> str:
    return (
        "Nothing could be collected (no internet?). Load the bundled sample stream with: civicpulse demo "
        f"— or click 'Load demo' on {url}\n"
        "Chưa thu thập được gì (không có internet?). Tải luồng tin mẫu bằng lệnh: civicpulse demo "
        f"— hoặc bấm 'Tải dữ liệu mẫu' trên {url}"
    )


@contextlib.contextmanager
def quiet_signals(on_stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `on_stop` while uvicorn runs.

    uvicorn re-raises the signal it caught after shutting down; with these handlers that ends in a clean
    exit (code 0) instead of a KeyboardInterrupt traceback or death by SIGTERM.
    """

    def handle(_sig: int, _frame: FrameType | None) -> None:
        on_stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_web(
    settings: Settings,
    store: Store,
    host: str,
    port: int,
    stop: threading.Event,
    *,
    pipeline: Pipeline | None = None,
    desk: ResponseDesk | None = None,
) -> None:
    """Serve the dashboard in the foreground until Ctrl-C or SIGTERM."""
    import uvicorn

    from civicpulse.web.app import create_app

    desk = desk or ResponseDesk(settings, store, pipeline)
    config = uvicorn.Config(
        create_app(settings, store, pipeline, desk=desk, workbench=Workbench(store)),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
    )
    click.echo(f"Serving civicpulse on http://{host}:{port} — press Ctrl-C to stop.")
    with quiet_signals(stop):
        uvicorn.Server(config).run()


def report_first_pass(results: Sequence[SourceResult], store: Store, url: str) -> None:
    """Print which sources failed and why, a one-line summary, and what to do when nothing was collected."""
    failed = [r for r in results if r.status in FAILED]
    if results:
        click.echo(
            f"First collection pass: {len(results)} sources, {len(results) - len(failed)} fine, "
            f"{len(failed)} failed, {sum(r.new for r in results):,} new items."
        )
    elif store.sources(enabled_only=True):
        click.echo("No source is due yet; the collector fetches each one when its interval is up.")
    else:
        click.echo("No sources are registered yet; add one with `civicpulse sources add URL`.")
    for result in failed:
        hint = f" — {result.hint}" if result.hint else ""
        click.echo(f"  failed: {result.name} ({result.url}): {result.error}{hint}")
    if store.stats()["items"] == 0:
        click.echo(nothing_collected(url))


def collect_in_background(
    settings: Settings, store: Store, pipeline: Pipeline, stop: threading.Event, url: str
) -> threading.Thread:
    """Start the collector thread: a first pass with its report, then collection on schedule until `stop`."""

    def work() -> None:
        with make_client(settings) as client:
            collector = Collector(settings, store, pipeline, client)
            try:
                report_first_pass(collector.collect_once(), store, url)
                collector.run_forever(stop)
            except Exception:
                # The dashboard stays up when collection breaks; the traceback goes to the log.
                log.exception("the collector stopped; the dashboard keeps running (restart to collect again)")

    thread = threading.Thread(target=work, name="civicpulse-collector", daemon=True)
    thread.start()
    return thread


@click.command()
@host_option
@port_option
@pass_app
def run(app: AppContext, host: str | None, port: int | None) -> None:
    """Collect on schedule, run the pipeline and serve the dashboard, all in one process."""
    settings = app.settings
    host, port = host or settings.host, port or settings.port
    store = app.upgraded_store()
    stop = threading.Event()
    pipeline = lay_pipe(settings, store)
    collector = collect_in_background(settings, store, pipeline, stop, f"http://{host}:{port}")
    desk = ResponseDesk(settings, store, pipeline)
    # Overdue escalations and the morning briefing run beside the collector (issue 8).
    jobs = DailyJobs(settings, store, desk.cases, desk.notifier)
    threading.Thread(target=jobs.run_forever, args=(stop,), name="civicpulse-respond", daemon=True).start()
    try:
        serve_web(settings, store, host, port, stop, pipeline=pipeline, desk=desk)
    finally:
        stop.set()
        collector.join(JOIN_TIMEOUT_S)
        pipeline.close()
        store.close()
    click.echo("Stopped.")


@click.command()
@host_option
@port_option
@pass_app
def serve(app: AppContext, host: str | None, port: int | None) -> None:
    """Serve the dashboard only (no collecting)."""
    settings = app.settings
    store = app.store()
    try:
        serve_web(settings, store, host or settings.host, port or settings.port, threading.Event())
    finally:
        store.close()
    click.echo("Stopped.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def demo(app: AppContext, as_json: bool) -> None:
    """Load the bundled sample stream (~300 Dân Trí headlines and ledes); running it again adds nothing."""
    settings = app.settings
    result = load_demo(settings, app.upgraded_store())
    if as_json:
        echo_json(result.as_dict())
        return
    if result.new:
        click.echo(
            f"Loaded {result.new:,} new items from the sample stream "
            f"({result.seen:,} read, {result.quarantined:,} quarantined)."
        )
    else:
        click.echo("The sample stream is already loaded; nothing new was added.")
    click.echo(f"See them with `civicpulse run` on http://{settings.host}:{settings.port}")
