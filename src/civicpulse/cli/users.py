"""`civicpulse users ...`: add, list, set-role, reset-password, disable and ensure-admin."""

from __future__ import annotations

import getpass

import click

from civicpulse.access.audit import Actor
from civicpulse.access.control import AccessControl
from civicpulse.access.permissions import Role
from civicpulse.cli.context import AppContext, echo_json, pass_app

ROLES = click.Choice([r.value for r in Role])
units_option = click.option(
    "--units", default="", help="Unit codes a unit officer covers, comma-separated (e.g. 26734,26737)."
)


def access(app: AppContext) -> AccessControl:
    """Open access control over the migrated store (setting up creates the tables when needed)."""
    return AccessControl(app.upgraded_store(), app.settings)


def cli_actor() -> Actor:
    """The audit log's author for CLI commands: the operating-system account that ran them."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(username=f"cli:{who}", via="cli", address="local")


def show_password(username: str, password: str) -> None:
    click.echo(f"One-time password for {username}: {password}")
    click.echo("Hand it over safely; it must be changed at first sign-in and is not shown again.")


@click.group()
def users() -> None:
    """Manage accounts: add, list, change roles, reset passwords, disable."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=ROLES, required=True, help="What the user may do (see docs/access.md).")
@units_option
@pass_app
def add(app: AppContext, username: str, role: str, units: str) -> None:
    """Add USERNAME with ROLE and print a one-time password."""
    user, password = access(app).accounts.add(username, role, units, cli_actor())
    show_password(user.username, password)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per user.")
@pass_app
def list_users(app: AppContext, as_json: bool) -> None:
    """List every account with its role, units and state."""
    found = access(app).tables.users()
    for user in found:
        state = "active"
        if user.disabled or user.must_change_password:
            state = "disabled" if user.disabled else "must change password"
        if as_json:
            echo_json(
                {
                    "username": user.username,
                    "role": user.role,
                    "units": list(user.units),
                    "disabled": user.disabled,
                    "must_change_password": user.must_change_password,
                    "totp_enabled": user.totp_enabled,
                }
            )
        else:
            units = ",".join(user.units) or "all units"
            click.echo(f"{user.username}  {user.role}  {units}  ({state})")
    if not found and not as_json:
        click.echo("No users yet. Add the first administrator with: civicpulse users ensure-admin")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLES)
@units_option
@pass_app
def set_role(app: AppContext, username: str, role: str, units: str) -> None:
    """Give USERNAME the role ROLE (and, for a unit officer, its units)."""
    user = access(app).accounts.set_role(username, role, units, cli_actor())
    click.echo(f"{user.username} is now {user.role}" + (f" of {', '.join(user.units)}" if user.units else ""))


@users.command("reset-password")
@click.argument("username")
@pass_app
def reset_password(app: AppContext, username: str) -> None:
    """Give USERNAME a new one-time password and sign them out everywhere."""
    show_password(username, access(app).accounts.reset_password(username, cli_actor()))


@users.command("disable")
@click.argument("username")
@pass_app
def disable(app: AppContext, username: str) -> None:
    """Disable USERNAME: sign them out everywhere and refuse their sign-ins and API tokens."""
    access(app).accounts.set_disabled(username, True, cli_actor())
    click.echo(f"{username} is disabled.")


@users.command("enable")
@click.argument("username")
@pass_app
def enable(app: AppContext, username: str) -> None:
    """Enable USERNAME again."""
    access(app).accounts.set_disabled(username, False, cli_actor())
    click.echo(f"{username} is enabled.")


@users.command("ensure-admin")
@pass_app
def ensure_admin(app: AppContext) -> None:
    """Create the first administrator (`admin`, with a one-time password) unless one exists."""
    password = access(app).accounts.ensure_admin(cli_actor())
    if password is None:
        click.echo("An administrator exists; nothing to do.")
    else:
        show_password("admin", password)
