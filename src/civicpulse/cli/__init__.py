"""The `civicpulse` command: parses arguments and calls into the package, nothing more.

Each command group lives in its own module; `main` wires them in one readable list.
"""

from __future__ import annotations

import logging
import sys

import click

from civicpulse import __version__
from civicpulse.cli import (
    alerts,
    briefing,
    cases,
    claims,
    collecting,
    db,
    evaluating,
    importing,
    places,
    reprocess,
    serving,
    telegram,
    topics,
    training,
    units,
    users,
    worker,
)
from civicpulse.cli.context import AppContext
from civicpulse.errors import CivicpulseError, ConfigError, InputError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="civicpulse")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Listen to the city, detect hotspots early, respond and measure."""
    ctx.obj = AppContext()


COMMANDS = [
    units.units,
    cases.cases,
    briefing.briefing,
    telegram.telegram,
    db.db,
    db.stats,
    db.quarantine,
    collecting.sources,
    collecting.collect,
    importing.import_file,
    importing.replay,
    importing.export,
    serving.run,
    serving.serve,
    serving.demo,
    evaluating.eval_group,
    training.train,
    training.models,
    places.places,
    topics.topics,
    claims.claims,
    users.users,
    worker.worker,
    worker.cluster,
    reprocess.reprocess_command,
    alerts.alerts,
    alerts.recipients,
]
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Run the CLI; a known error prints one line saying what to do and exits 1 (2 for bad input)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except (ConfigError, CivicpulseError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
