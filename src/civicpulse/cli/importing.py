"""`civicpulse import`, `civicpulse replay`, `civicpulse export` (being built)."""

from __future__ import annotations

import click


@click.command("import")
@click.argument("file")
def import_file(file: str) -> None:
    """Import a file of items."""
    raise click.ClickException("import is not built yet")


@click.command()
@click.argument("file")
def replay(file: str) -> None:
    """Replay an evaluation-format file into the live pipeline."""
    raise click.ClickException("replay is not built yet")


@click.group()
def export() -> None:
    """Export stored data."""
