"""`civicpulse cases list|open|move|escalate|notices`: the response loop from the command line.

Commands queue their notices in the delivery log and send what is due before they exit (`deliver_now`);
what fails is retried by `civicpulse run`, or by `civicpulse cases notices --send`.
"""

from __future__ import annotations

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.models import Case, Severity
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store.notices import NoticeTables

SEVERITIES = click.Choice([s.value for s in Severity])


def _row(case: Case) -> dict[str, object]:
    return {
        "id": case.id,
        "title": case.title,
        "status": str(case.status),
        "severity": str(case.severity),
        "units": list(case.units),
        "answer_due_at": case.answer_due_at.isoformat() if case.answer_due_at else None,
    }


@click.group()
def cases() -> None:
    """Open, route and follow cases."""


@cases.command("list")
@click.option("--status", default="", help="Only cases with this status.")
@click.option("--unit", default="", help="Only cases of this unit code.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_cases(app: AppContext, status: str, unit: str, as_json: bool) -> None:
    """List cases, newest first."""
    desk = ResponseDesk(app.settings, app.store())
    found = desk.cases.tables.cases(statuses=[status] if status else (), units=[unit] if unit else None)
    if as_json:
        echo_json([_row(c) for c in found])
        return
    for c in found:
        click.echo(f"#{c.id:<5} {c.status:<12} {', '.join(c.units) or '-':<20} {c.title[:70]}")
    click.echo(f"{len(found):,} cases.")


def _desk(app: AppContext) -> ResponseDesk:
    return ResponseDesk(app.settings, app.store()).in_foreground()


def _delivered(desk: ResponseDesk) -> None:
    sent = desk.deliver_now()
    if sent:
        click.echo(f"Sent {sent:,} notices (see `civicpulse cases notices`).")


@cases.command("open")
@click.option("--story", type=int, default=None, help="Open a case about this story (routed to its units).")
@click.option("--alert", type=int, default=None, help="Open a case from this alert (its story and units).")
@click.option("--claim", type=int, default=None, help="Open a case to answer this claim.")
@click.option("--report", type=int, default=None, help="Open a case from this field report.")
@click.option("--title", default="", help="Title of a case opened by hand.")
@click.option("--unit", "units", multiple=True, help="Route to this unit (repeat for several).")
@click.option(
    "--severity",
    type=SEVERITIES,
    default=None,
    help="Sets the deadlines [default: normal; alerts: by level].",
)
@click.option("--as", "actor", default="cli", help="Who opens it (for the history).")
@pass_app
def open_case(
    app: AppContext,
    *,
    story: int | None,
    alert: int | None,
    claim: int | None,
    report: int | None,
    title: str,
    units: tuple[str, ...],
    severity: str | None,
    actor: str,
) -> None:
    """Open a case from a story, an alert, a claim, a field report, or by hand (title and units copied)."""
    desk = _desk(app)
    level = Severity(severity or "normal")
    chosen = list(units) or None
    if story is not None:
        case, created = desk.cases.open_from_story(story, actor, severity=level, units=chosen)
    elif alert is not None:
        by_level = Severity(severity) if severity else None
        case, created = desk.cases.open_from_alert(alert, actor, severity=by_level, units=chosen)
    elif claim is not None:
        case, created = desk.cases.open_from_claim(claim, actor, severity=level, units=chosen)
    elif report is not None:
        case, created = desk.cases.open_from_field_report(report, actor, severity=level)
    else:
        case, created = desk.cases.open(
            title=title, origin="manual", units=units, severity=level, actor=actor
        )
    verb = "Opened" if created else "Story already handled by"
    click.echo(f"{verb} case #{case.id} ({case.status}): {case.title}")
    click.echo(f"Units: {', '.join(case.units) or 'none yet (assign one to route it)'}.")
    _delivered(desk)


@cases.command("move")
@click.argument("case_id", type=int)
@click.argument("status")
@click.option("--note", default="", help="Why (kept in the case history).")
@click.option("--as", "actor", default="cli", help="Who moves it.")
@pass_app
def move(app: AppContext, case_id: int, status: str, note: str, actor: str) -> None:
    """Move a case to STATUS (assigned, in_progress, answered, closed; in_progress again reopens)."""
    desk = _desk(app)
    case = desk.transition(case_id, status, actor, note)
    click.echo(f"Case #{case.id} is now {case.status}.")
    _delivered(desk)


@cases.command("escalate")
@pass_app
def escalate(app: AppContext) -> None:
    """Notify the units of every newly overdue case (run by `civicpulse run` on schedule)."""
    desk = _desk(app)
    done = desk.cases.escalate_overdue()
    click.echo(f"Escalated {len(done):,} overdue cases.")
    _delivered(desk)


@cases.command("notices")
@click.option("--status", type=click.Choice(["", "pending", "sent", "dead"]), default="", help="Only these.")
@click.option("--kind", default="", help="Only this kind (case.assigned, case.overdue, briefing, ...).")
@click.option("--send", is_flag=True, help="First send what is due now (retries included).")
@click.option("--limit", type=int, default=50, show_default=True, help="Show at most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with every attempt) for scripts.")
@pass_app
def notices(app: AppContext, *, status: str, kind: str, send: bool, limit: int, as_json: bool) -> None:
    """Show the delivery log of notices (case, clarification, briefing, Telegram), newest first."""
    if send:
        _delivered(_desk(app))
    tables = NoticeTables(app.store())
    rows = tables.deliveries(kind=kind, status=status, limit=limit)
    if as_json:
        keep = ("id", "kind", "target", "status", "attempts", "last_error", "created_at", "sent_at")
        echo_json([{k: r[k] for k in keep} | {"attempts_log": tables.log(r["id"])} for r in rows])
        return
    for r in rows:
        error = f"  {r['last_error'][:60]}" if r["last_error"] else ""
        click.echo(
            f"#{r['id']:<6} {r['status']:<8} {r['attempts']} {r['kind']:<24} {r['target'][:40]}{error}"
        )
    click.echo(f"{len(rows):,} deliveries.")
