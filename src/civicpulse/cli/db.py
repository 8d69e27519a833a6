"""`civicpulse db upgrade`, `civicpulse stats`, `civicpulse quarantine list`."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from civicpulse.cli.context import AppContext, echo_json, pass_app


@click.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Create or migrate the database to the newest schema."""
    revision = app.upgraded_store().upgrade()
    click.echo(f"Database {app.settings.store_url} is at revision {revision}.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def stats(app: AppContext, as_json: bool) -> None:
    """Show counts of items, sources, quarantined entries, stories and alerts."""
    from civicpulse.store.detection import DetectionTables
    from civicpulse.store.stories import StoryTables

    store = app.store()
    counts = {
        **store.stats(),
        "stories": StoryTables(store).count(),
        "alerts": DetectionTables(store).count(),
    }
    if as_json:
        echo_json(counts)
        return
    for name, count in counts.items():
        click.echo(f"{name:>12}: {count:,}")


@click.group()
def quarantine() -> None:
    """Inspect what was kept aside, and why."""


@quarantine.command("list")
@click.option("--limit", default=100, show_default=True, help="Show at most this many entries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def quarantine_list(app: AppContext, limit: int, as_json: bool) -> None:
    """List quarantined entries, newest first, with their reasons."""
    entries = app.store().quarantined(limit)
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "origin": e.origin,
                    "reason": e.reason,
                    "source_id": e.source_id,
                    "created_at": e.created_at,
                    "payload": e.payload[:500],
                }
                for e in entries
            ]
        )
        return
    if not entries:
        click.echo("Nothing is quarantined.")
        return
    table = Table("id", "when", "origin", "reason")
    for e in entries:
        table.add_row(str(e.id), f"{e.created_at:%Y-%m-%d %H:%M}" if e.created_at else "", e.origin, e.reason)
    Console().print(table)
