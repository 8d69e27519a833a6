"""`civicpulse run`, `civicpulse serve`, `civicpulse demo` (being built)."""

from __future__ import annotations

import click


@click.command()
def run() -> None:
    """Collect on schedule, run the pipeline and serve the web app."""
    raise click.ClickException("run is not built yet")


@click.command()
def serve() -> None:
    """Serve the web app."""
    raise click.ClickException("serve is not built yet")


@click.command()
def demo() -> None:
    """Load the bundled sample stream."""
    raise click.ClickException("demo is not built yet")
