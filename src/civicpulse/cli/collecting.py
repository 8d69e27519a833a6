"""`civicpulse sources ...` and `civicpulse collect`."""

from __future__ import annotations

import threading
from contextlib import closing
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.table import Table

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.collect.collector import Collector, SourceResult
from civicpulse.collect.health import source_health
from civicpulse.collect.http import make_client
from civicpulse.collect.opml import parse_opml, to_opml
from civicpulse.errors import InputError
from civicpulse.models import Source, SourceKind
from civicpulse.pipeline.topology import lay_pipe

MARKS = {"ok": "✓", "not_modified": "✓", "retry": "…", "failed": "✗"}


@click.group()
def sources() -> None:
    """Register, import, export and check sources."""


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Name shown in reports (default: the URL's host).")
@click.option(
    "--kind",
    type=click.Choice([SourceKind.FEED.value, SourceKind.PAGE.value]),
    default=SourceKind.FEED.value,
    show_default=True,
    help="feed: RSS, Atom or JSON Feed; page: a web page or site section to extract articles from.",
)
@pass_app
def add(app: AppContext, url: str, name: str | None, kind: str) -> None:
    """Register a feed or a watched page."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url!r} is not an http(s) URL; give the full address, e.g. https://vnexpress.net/rss/"
        )
    source = app.upgraded_store().add_source(
        Source(name=name or parts.hostname, kind=SourceKind(kind), url=url)
    )
    click.echo(f"Source {source.id}: {source.name} ({source.kind}) {source.url}")


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--default", "use_default", is_flag=True, help="Import the bundled Vietnamese news feeds.")
@pass_app
def import_opml(app: AppContext, file: Path | None, use_default: bool) -> None:
    """Register every feed of an OPML file (sources already registered are kept as they are)."""
    if bool(file) == use_default:
        raise click.UsageError("give either an OPML FILE or --default")
    if use_default:
        data = resources.files("civicpulse").joinpath("data/feeds/default.opml").read_bytes()
        origin = "the bundled default.opml"
    else:
        assert file is not None
        data, origin = file.read_bytes(), str(file)
    found = parse_opml(data, origin=origin)
    store = app.upgraded_store()
    before = {s.url for s in store.sources()}
    for source in found:
        store.add_source(source)
    added = sum(1 for s in found if s.url not in before)
    click.echo(
        f"Imported {added:,} new sources from {origin} ({len(found) - added:,} were already registered)."
    )


@sources.command("export")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
)
@pass_app
def export_opml(app: AppContext, out: Path | None) -> None:
    """Export feed and page sources as OPML 2.0."""
    document = to_opml(app.store().sources())
    if out is None:
        click.echo(document, nl=False)
        return
    out.write_text(document, encoding="utf-8")
    click.echo(f"Wrote {out}.", err=True)


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_sources(app: AppContext, as_json: bool) -> None:
    """List registered sources."""
    found = app.store().sources()
    if as_json:
        echo_json(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind.value,
                    "url": s.url,
                    "enabled": s.enabled,
                    **s.settings,
                }
                for s in found
            ]
        )
        return
    if not found:
        click.echo("No sources yet; add one with `civicpulse sources add URL` or `sources import --default`.")
        return
    table = Table("id", "name", "kind", "enabled", "url")
    for s in found:
        table.add_row(str(s.id), s.name, s.kind.value, "yes" if s.enabled else "no", s.url)
    Console().print(table)


@sources.command("health")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def health(app: AppContext, as_json: bool) -> None:
    """Show each source's last success, error streak, item rate and unusual days."""
    report = source_health(app.store())
    if as_json:
        echo_json([h.as_dict() for h in report])
        return
    table = Table("name", "status", "last success", "errors", "items/day", "yesterday", "last error")
    for h in report:
        success = f"{h.last_success_at:%Y-%m-%d %H:%M}" if h.last_success_at else "never"
        day = f"{h.day.count} (mean {h.day.mean:.1f})" if h.day else ""
        table.add_row(
            h.name, h.status, success, str(h.error_streak), f"{h.items_per_day:g}", day, h.last_error[:60]
        )
    Console().print(table)


@click.command()
@click.option("--once", is_flag=True, help="Fetch every due source once and exit.")
@click.option("--force", is_flag=True, help="Fetch every enabled source, due or not.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of results (with --once).")
@pass_app
def collect(app: AppContext, once: bool, force: bool, as_json: bool) -> None:
    """Fetch due sources and store new items; without --once, keep collecting until interrupted.

    Prints one line per source (✓ name: N new, or ✗ name: reason — what to do) and a summary. With --once
    the exit code is 0 when at least one source worked or nothing was due, and 1 when every fetched source
    failed: one broken feed is reported but does not fail a cron job, while a dead network or proxy does.
    """
    settings, store = app.settings, app.store()
    err = Console(stderr=True)
    pipeline = lay_pipe(settings, store)
    with make_client(settings) as client, closing(pipeline):
        collector = Collector(settings, store, pipeline, client)
        show = None if as_json else _print_result
        if not once:
            err.print("Collecting until interrupted (Ctrl+C stops).")
            stop = threading.Event()
            try:
                collector.run_forever(stop, progress=show)
            except KeyboardInterrupt:
                stop.set()
            return
        with err.status(f"Fetching {len(collector.due(force=force)):,} sources"):
            results = collector.collect_once(force=force, progress=show)
    if as_json:
        echo_json([r.as_dict() for r in results])
    else:
        _print_summary(results)
    if results and not any(r.worked for r in results):
        raise SystemExit(1)


def _print_result(result: SourceResult) -> None:
    mark = MARKS.get(result.status, "?")
    if result.worked:
        detail = (
            "not modified" if result.status == "not_modified" else f"{result.new:,} new of {result.seen:,}"
        )
        click.echo(f"{mark} {result.name}: {detail}")
    else:
        click.echo(f"{mark} {result.name}: {result.error} — {result.hint}")


def _print_summary(results: list[SourceResult]) -> None:
    if not results:
        click.echo(
            "No source is due; use --force to fetch them all now, or add one with `civicpulse sources add`."
        )
        return
    worked = sum(r.worked for r in results)
    new = sum(r.new for r in results)
    click.echo(f"{worked:,}/{len(results):,} sources fetched, {new:,} new items.")
