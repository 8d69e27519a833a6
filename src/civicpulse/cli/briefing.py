"""`civicpulse briefing --date D [--unit CODE] --out FILE.pdf|.html`: the daily briefing on demand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from civicpulse.cli.context import AppContext, pass_app
from civicpulse.errors import InputError
from civicpulse.reports.briefing import CITY_ZONE
from civicpulse.reports.schedule import write_briefing


@click.command()
@click.option("--date", "day", default="", help="Local day YYYY-MM-DD (default: yesterday).")
@click.option("--unit", default="", help="A unit code for that unit's briefing (default: the whole city).")
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="FILE.pdf or FILE.html."
)
@pass_app
def briefing(app: AppContext, day: str, unit: str, out: Path) -> None:
    """Write the daily briefing: top stories, new and overdue cases, clarifications and impact, sources."""
    if out.suffix.lower() not in (".pdf", ".html"):
        raise InputError(f"{out}: give a file name ending in .pdf or .html")
    try:
        when = (
            date.fromisoformat(day)
            if day
            else datetime.now(UTC).astimezone(CITY_ZONE).date() - timedelta(days=1)
        )
    except ValueError:
        raise InputError(f"--date {day!r} is not a date; write it as YYYY-MM-DD") from None
    path = write_briefing(app.store(), when, out, unit)
    click.echo(f"Wrote the briefing of {when.isoformat()}{' for ' + unit if unit else ''} to {path}.")
