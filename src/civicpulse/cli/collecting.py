"""`civicpulse sources ...` and `civicpulse collect` (being built)."""

from __future__ import annotations

import click


@click.group()
def sources() -> None:
    """Register, import, export and check sources."""


@click.command()
@click.option("--once", is_flag=True, help="Fetch every due source once and exit.")
def collect(once: bool) -> None:
    """Fetch due sources and store new items."""
    raise click.ClickException("collect is not built yet")
