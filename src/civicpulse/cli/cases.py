"""`civicpulse cases list|open|move|escalate`: the response loop from the command line."""

from __future__ import annotations

import click

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.models import Case, Severity
from civicpulse.respond.desk import ResponseDesk

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


@cases.command("open")
@click.option("--story", type=int, default=None, help="Open a case about this story (routed to its units).")
@click.option("--report", type=int, default=None, help="Open a case from this field report.")
@click.option("--title", default="", help="Title of a case opened by hand.")
@click.option("--unit", "units", multiple=True, help="Route to this unit (repeat for several).")
@click.option("--severity", type=SEVERITIES, default="normal", show_default=True, help="Sets the deadlines.")
@click.option("--as", "actor", default="cli", help="Who opens it (for the history).")
@pass_app
def open_case(
    app: AppContext,
    *,
    story: int | None,
    report: int | None,
    title: str,
    units: tuple[str, ...],
    severity: str,
    actor: str,
) -> None:
    """Open a case from a story, a field report, or by hand."""
    desk = ResponseDesk(app.settings, app.store())
    level = Severity(severity)
    if story is not None:
        case, created = desk.cases.open_from_story(story, actor, severity=level, units=list(units) or None)
    elif report is not None:
        case, created = desk.cases.open_from_field_report(report, actor, severity=level)
    else:
        case, created = desk.cases.open(
            title=title, origin="manual", units=units, severity=level, actor=actor
        )
    verb = "Opened" if created else "Story already handled by"
    click.echo(f"{verb} case #{case.id} ({case.status}), units: {', '.join(case.units) or 'none yet'}.")


@cases.command("move")
@click.argument("case_id", type=int)
@click.argument("status")
@click.option("--note", default="", help="Why (kept in the case history).")
@click.option("--as", "actor", default="cli", help="Who moves it.")
@pass_app
def move(app: AppContext, case_id: int, status: str, note: str, actor: str) -> None:
    """Move a case to STATUS (assigned, in_progress, answered, closed; in_progress again reopens)."""
    case = ResponseDesk(app.settings, app.store()).transition(case_id, status, actor, note)
    click.echo(f"Case #{case.id} is now {case.status}.")


@cases.command("escalate")
@pass_app
def escalate(app: AppContext) -> None:
    """Notify the units of every newly overdue case (run by `civicpulse run` on schedule)."""
    done = ResponseDesk(app.settings, app.store()).cases.escalate_overdue()
    click.echo(f"Escalated {len(done):,} overdue cases.")
