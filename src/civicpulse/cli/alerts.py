"""`civicpulse alerts` (list, show, move, feedback, sensitivity) and `civicpulse recipients`."""

from __future__ import annotations

import secrets

import click
from rich.console import Console
from rich.table import Table

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.detect.lifecycle import FEEDBACK, STATUSES, give_feedback, move, set_preset
from civicpulse.detect.score import PRESETS
from civicpulse.errors import InputError
from civicpulse.respond.notify import SMTP_CHECKPOINT
from civicpulse.respond.notify_schedule import DIGESTS, parse_quiet_hours
from civicpulse.store.detection import DetectionTables


@click.group()
def alerts() -> None:
    """Read hotspot alerts, move them through their lifecycle and mark them useful or noise."""


@alerts.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only alerts with this status.")
@click.option("--limit", default=50, show_default=True, help="Show at most this many alerts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts (with explanations).")
@pass_app
def list_alerts(app: AppContext, status: str | None, limit: int, as_json: bool) -> None:
    """List alerts, newest first, each with its one-line reason."""
    found = DetectionTables(app.store()).alerts(limit=limit, status=status)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No alerts yet. Detection runs inside `civicpulse run` and `civicpulse replay`.")
        return
    table = Table("id", "opened", "status", "level", "score", "reason")
    for a in found:
        table.add_row(
            str(a["id"]),
            f"{a['opened_at']:%Y-%m-%d %H:%M}",
            a["status"],
            str(a["level"]),
            f"{a['score']:.2f}",
            a["headline"],
        )
    Console().print(table)


@alerts.command("show")
@click.argument("alert_id", type=int)
@pass_app
def show(app: AppContext, alert_id: int) -> None:
    """Print one alert with its explanation, history and deliveries as JSON."""
    tables = DetectionTables(app.store())
    alert = tables.alert(alert_id)
    if alert is None:
        raise InputError(f"there is no alert {alert_id}; see `civicpulse alerts list`")
    echo_json({**alert, "history": tables.history(alert_id), "deliveries": tables.deliveries(alert_id)})


@alerts.command("move")
@click.argument("alert_id", type=int)
@click.argument("status", type=click.Choice(STATUSES[1:]))
@click.option("--by", "actor", default="", help="Who made the change (kept in the alert's history).")
@pass_app
def move_command(app: AppContext, alert_id: int, status: str, actor: str) -> None:
    """Acknowledge an alert, open a case from it, or dismiss it."""
    move(DetectionTables(app.store()), alert_id, status, actor)
    click.echo(f"Alert {alert_id} is now {status}.")


@alerts.command("feedback")
@click.argument("alert_id", type=int)
@click.argument("verdict", type=click.Choice(FEEDBACK))
@click.option("--by", "actor", default="", help="Who judged it (kept in the alert's history).")
@pass_app
def feedback(app: AppContext, alert_id: int, verdict: str, actor: str) -> None:
    """Mark an alert useful or noise; its topic's threshold moves a little (docs/detection.md)."""
    adjustment = give_feedback(DetectionTables(app.store()), alert_id, verdict, actor)
    click.echo(f"Alert {alert_id} marked {verdict}; its scope's threshold is now x{adjustment:.2f}.")


@alerts.command("sensitivity")
@click.argument("scope")
@click.argument("preset", type=click.Choice(tuple(PRESETS)))
@pass_app
def sensitivity(app: AppContext, scope: str, preset: str) -> None:
    """Set the sensitivity of a topic (`topic:ID`) or of everything else (`default`)."""
    if scope != "default" and not (scope.startswith("topic:") and scope[6:].isdigit()):
        raise InputError(f"scope {scope!r} must be `default` or `topic:ID` (see `civicpulse topics list`)")
    set_preset(DetectionTables(app.store()), scope, preset)
    click.echo(f"Sensitivity of {scope} is now {preset}.")


@click.group()
def recipients() -> None:
    """Choose who is told of alerts: webhooks and email addresses, with topics, quiet hours and digests."""


@recipients.command("add")
@click.option("--webhook", metavar="URL", help="POST each alert as signed JSON to this URL.")
@click.option("--email", metavar="ADDR", help="Email each alert to this address.")
@click.option(
    "--topic", "topic_ids", multiple=True, type=int, help="Only alerts about this topic id (repeat)."
)
@click.option("--quiet-hours", default="", metavar="22-06", help="Hold alerts between these local hours.")
@click.option("--digest", type=click.Choice(DIGESTS[1:]), help="Send one digest per hour or per day.")
@click.option("--secret", default="", help="Webhook signing secret (default: a new random one, printed).")
@pass_app
def add(  # noqa: PLR0917 - click passes every option positionally
    app: AppContext,
    webhook: str | None,
    email: str | None,
    topic_ids: tuple[int, ...],
    quiet_hours: str,
    digest: str | None,
    secret: str,
) -> None:
    """Register a recipient of alerts."""
    if bool(webhook) == bool(email):
        raise InputError("give exactly one of --webhook URL or --email ADDR")
    if webhook and not webhook.startswith(("http://", "https://")):
        raise InputError(f"--webhook {webhook!r} must be an http:// or https:// URL")
    if email and "@" not in email:
        raise InputError(f"--email {email!r} is not an email address")
    parse_quiet_hours(quiet_hours)
    kind, target = ("webhook", webhook) if webhook else ("email", email)
    secret = secret or (secrets.token_hex(16) if kind == "webhook" else "")
    recipient_id = DetectionTables(app.store()).add_recipient(
        kind=kind,
        target=target,
        secret=secret,
        topics=list(topic_ids),
        quiet_hours=quiet_hours,
        digest=digest or "",
    )
    click.echo(f"Recipient {recipient_id} added: {kind} {target}.")
    if kind == "webhook":
        click.echo(
            f"Deliveries carry X-Civicpulse-Signature: sha256=HMAC-SHA256(secret, body); secret: {secret}"
        )


@recipients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_recipients(app: AppContext, as_json: bool) -> None:
    """List the recipients of alerts (secrets hidden)."""
    found = [{k: v for k, v in r.items() if k != "secret"} for r in DetectionTables(app.store()).recipients()]
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No recipients yet; add one with `civicpulse recipients add --webhook URL`.")
        return
    table = Table("id", "kind", "target", "topics", "quiet hours", "digest")
    for r in found:
        table.add_row(
            str(r["id"]),
            r["kind"],
            r["target"],
            ",".join(map(str, r["topics"])) or "all",
            r["quiet_hours"],
            r["digest"],
        )
    Console().print(table)


@recipients.command("smtp")
@click.option("--host", required=True, help="SMTP server host.")
@click.option("--port", default=25, show_default=True, help="SMTP server port.")
@click.option("--sender", default="civicpulse@localhost", show_default=True, help="From address.")
@pass_app
def smtp(app: AppContext, host: str, port: int, sender: str) -> None:
    """Set the SMTP server that alert emails go out through."""
    app.store().save_checkpoint(SMTP_CHECKPOINT, {"host": host, "port": port, "sender": sender})
    click.echo(f"Alert emails now go through {host}:{port} from {sender}.")
