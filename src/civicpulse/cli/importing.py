"""`civicpulse import`, `civicpulse replay` and `civicpulse export items`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.cluster.publish import BusPipeline, connected
from civicpulse.collect import imports
from civicpulse.collect.replay import ReplayReport, replay_file
from civicpulse.config import Settings
from civicpulse.errors import InputError
from civicpulse.export import EXPORT_FORMATS, export_items
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store


class BadInput(click.ClickException):
    """Bad input: one line on stderr and exit code 2, under `civicpulse` and click's test runner alike."""

    exit_code = 2


@contextmanager
def _bad_input() -> Iterator[None]:
    try:
        yield
    except InputError as exc:
        raise BadInput(str(exc)) from exc


def _progress() -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(imports.FORMATS), help="Read FILE as this format (default: detect)."
)
@click.option("--again", is_flag=True, help="Read a file that was already imported completely once more.")
@click.option(
    "--no-process",
    is_flag=True,
    help="Store the items only (fastest); run `civicpulse reprocess` later to understand and cluster them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON for scripts.")
@pass_app
def import_file(
    app: AppContext, *, file: Path, fmt: str | None, again: bool, no_process: bool, as_json: bool
) -> None:
    """Import a file of items (JSONL, CSV, evaluation format, Telegram or Facebook export); resumes."""
    store, settings = app.store(), app.settings
    options = imports.ImportOptions(format=fmt, batch_size=settings.import_batch_size, again=again)
    size = file.stat().st_size if file.is_file() else 0
    pipeline = None if no_process else lay_pipe(settings, store)
    with _bad_input(), _progress() as bar, ExitStack() as stack:
        if pipeline is not None:
            stack.callback(pipeline.close)
        task = bar.add_task("Importing 0/… rows", total=size or None)

        def show(rows: int, offset: int) -> None:
            bar.update(task, completed=offset, description=f"Importing {rows:,}/… rows")

        try:
            report = imports.import_file(
                store,
                file,
                pseudonym_key=settings.pseudonym_key,
                options=options,
                progress=show,
                submit=None if pipeline is None else pipeline.submit,
            )
        except KeyboardInterrupt:
            bar.stop()
            click.echo(
                f"Interrupted; run `civicpulse import {file}` again to go on where it stopped.", err=True
            )
            raise
    if as_json:
        echo_json(report.as_dict())
    elif report.already_done:
        click.echo(f"{file} was already imported completely; pass --again to read it once more.")
    else:
        c = report.counts
        resumed = f", resumed at line {report.resumed_from_line:,}" if report.resumed_from_line else ""
        click.echo(
            f"Imported {file} ({report.format}{resumed}) into source {report.source!r}: {c.seen:,} seen, "
            f"{c.new:,} new, {c.skipped:,} skipped, {c.quarantined:,} quarantined."
        )
        if c.quarantined:
            click.echo("See why with `civicpulse quarantine list`.")


def _speed(value: str) -> float | None:
    if value == "max":
        return None
    try:
        return float(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number; give a factor like 60, or `max`") from None


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--speed", default="1", show_default=True, help="Replay N times faster than real time, or `max`."
)
@click.option(
    "--nats",
    "nats_url",
    default=None,
    help="Publish to the raw-items stream of this NATS server for the workers, instead of running the "
    "stages here (the workers must share this store's database).",
)
@click.option("--prefix", default=None, help="With --nats: the deployment's stream prefix [bus_prefix].")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON for scripts.")
@pass_app
def replay(
    app: AppContext, /, file: Path, speed: str, *, nats_url: str | None, prefix: str | None, as_json: bool
) -> None:
    """Replay an evaluation-format file into the live pipeline at its rows' times."""
    factor, settings = _speed(speed), app.settings
    with ExitStack() as stack:
        # The bus first: when it is unreachable, nothing is stored that the workers would never see.
        bus = stack.enter_context(connected(settings, nats_url, prefix)) if nats_url else None
        store = app.store()
        stack.callback(store.close)
        pipeline = lay_pipe(settings, store) if bus is None else BusPipeline(store, bus)
        stack.callback(pipeline.close)  # before the store closes: alerts due are sent first
        report = _replay(store, settings, pipeline, file, factor)
    if as_json:
        echo_json(report.as_dict())
        return
    c = report.counts
    done = f"published to {nats_url}" if nats_url else "through the pipeline"
    click.echo(
        f"Replayed {file}: {c.seen:,} rows, {c.new:,} new, {report.processed:,} {done}, "
        f"{c.quarantined:,} quarantined."
    )


def _replay(
    store: Store, settings: Settings, pipeline: Pipeline, file: Path, factor: float | None
) -> ReplayReport:
    with _bad_input(), _progress() as bar:
        task = bar.add_task("Replaying 0 rows", total=None)
        return replay_file(
            store,
            pipeline,
            file,
            pseudonym_key=settings.pseudonym_key,
            speed=factor,
            batch_size=settings.import_batch_size,
            progress=lambda rows: bar.update(task, description=f"Replaying {rows:,} rows"),
        )


@click.group()
def export() -> None:
    """Export stored data."""


@export.command("items")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="File format.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only items published on or after DATE.")
@pass_app
def export_items_command(app: AppContext, fmt: str, out: Path, since: datetime | None) -> None:
    """Export items (authors only as pseudonyms) as CSV, JSON Lines or Parquet."""
    day: date | None = since.date() if since else None
    with _bad_input():
        count = export_items(app.store(), out, fmt, since=day)
    click.echo(f"Exported {count:,} items to {out}.", err=True)
