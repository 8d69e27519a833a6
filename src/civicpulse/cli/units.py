"""`civicpulse units list|import|link-telegram`: who can be routed a case, and how to reach them."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.errors import InputError
from civicpulse.respond.units import directory, import_file
from civicpulse.store.fieldreports import FieldReportTables


@click.group()
def units() -> None:
    """List and import the units and organisations that cases are routed to."""


@units.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--kind", default="", help="Show only this kind (phuong, xa, department, press, ...).")
@pass_app
def list_units(app: AppContext, as_json: bool, kind: str) -> None:
    """List the 168 units and the organisations, with their contact points."""
    found = [r for r in directory(app.store()).all() if not kind or r.kind == kind]
    if as_json:
        echo_json([asdict(r) for r in found])
        return
    for r in found:
        contacts = ", ".join(r.contacts) or "-"
        click.echo(f"{r.code:<28} {r.kind:<18} {r.name}  [{contacts}]")
    click.echo(f"{len(found):,} units and organisations.")


@units.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@pass_app
def import_units(app: AppContext, file: Path) -> None:
    """Load organisations and contact points from a TOML file (see data/organisations.toml)."""
    count = import_file(app.upgraded_store(), file)
    click.echo(f"Imported {count:,} organisations and unit contacts from {file}.")


@units.command("link-telegram")
@click.argument("telegram_user_id")
@click.argument("username")
@click.argument("unit")
@pass_app
def link_telegram(app: AppContext, telegram_user_id: str, username: str, unit: str) -> None:
    """Let a collaborator report through the Telegram bot (their Telegram id, account name and unit)."""
    store = app.store()
    if directory(store).get(unit) is None:
        raise InputError(f"unknown unit {unit}; see `civicpulse units list`")
    FieldReportTables(store).link_telegram(telegram_user_id, username, unit)
    click.echo(f"Telegram account {telegram_user_id} now reports as {username} for unit {unit}.")
