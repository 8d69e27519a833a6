"""Alerts: the list by page, one with its explanation; acknowledge, dismiss, feedback, case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.errors import InputError
from civicpulse.store import Store
from civicpulse.store.dashboard import DashboardReads
from civicpulse.store.detection import DetectionTables
from civicpulse.store.understanding import TopicTables
from civicpulse.web.auth import record, require
from civicpulse.web.dashboard_schemas import AlertDetail, AlertList, AlertOut
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.hotspots import alert_out
from civicpulse.web.i18n import Translator, choose_language
from civicpulse.web.listing import Cursor, Limit, decode_cursor, encode_cursor, next_page, twin
from civicpulse.web.rendering import CITY_ZONE
from civicpulse.web.response_deps import DeskDep
from civicpulse.web.response_schemas import NewCase
from civicpulse.web.routes.cases import open_case
from civicpulse.web.trend import band_chart
from civicpulse.web.workbench import MaybeWorkbenchDep, Workbench, WorkbenchDep, unit_names

router = APIRouter(tags=["alerts"])
Viewer = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
Actor = Annotated[Principal, require(Permission.ACT_ON_ALERTS)]
CaseOpener = Annotated[Principal, require(Permission.MANAGE_CASES)]
Status = Literal["", "new", "acknowledged", "case_opened", "dismissed"]
Move = Literal["acknowledged", "dismissed"]
Verdict = Literal["useful", "noise"]
MOVES = {"new": ["acknowledged", "case_opened", "dismissed"], "acknowledged": ["case_opened", "dismissed"]}
MAX_ID = 2**31
SCOPED_SCAN = 4  # a unit officer's page reads this many pages' worth and keeps their units' alerts


def outs(
    store: Store, rows: list[dict[str, Any]], t: Translator, workbench: Workbench | None
) -> list[AlertOut]:
    topics = {tp.id or 0: tp.name for tp in TopicTables(store).topics()}
    names = unit_names(workbench)
    return [alert_out(row, t, names, topics) for row in rows]


def list_alerts(
    store: Store,
    *,
    principal: Principal,
    t: Translator,
    workbench: Workbench | None,
    status: str,
    cursor: str,
    limit: int,
) -> AlertList:
    """A page of alerts newest first, within the principal's units."""
    after = decode_cursor(cursor)
    key = None if after is None or after[0] is None else (after[0], after[1])
    scan = limit if principal.all_units else limit * SCOPED_SCAN
    rows = DashboardReads(store).alert_page(status=status, before=key, limit=scan)
    found = outs(store, rows, t, workbench)
    kept = [a for a in found if principal.all_units or principal.sees_any(a.units)][:limit]
    last = kept[-1] if len(kept) == limit else (found[-1] if len(rows) == scan and found else None)
    return AlertList(alerts=kept, next_cursor=encode_cursor(last.opened_at, last.id) if last else None)


def alert_detail(
    store: Store, principal: Principal, alert_id: int, t: Translator, workbench: Workbench | None
) -> AlertDetail:
    """One alert with its explanation; 404 when missing or outside the principal's units."""
    tables = DetectionTables(store)
    row = tables.alert(alert_id) if 0 < alert_id < MAX_ID else None
    out = outs(store, [row], t, workbench)[0] if row else None
    if row is None or out is None or not (principal.all_units or principal.sees_any(out.units)):
        raise HTTPException(404, f"No alert {alert_id} in your units; list them at /api/alerts.")
    history = [
        {"action": h["action"], "actor": h["actor"], "at": h["at"], "details": h["details"]}
        for h in tables.history(alert_id)
    ]
    return AlertDetail(
        alert=out, explanation=row["explanation"] or {}, history=history, moves=MOVES.get(out.status, [])
    )


def chart_of(detail: AlertDetail) -> Any:
    """The 24 hours before the alert as bars, against the expected count ± 2√expected."""
    series = detail.explanation.get("series") or []
    expected = float(detail.explanation.get("expected") or 0)
    spread = 2 * expected**0.5
    hours = [(datetime.fromtimestamp(int(h["hour"]), UTC), int(h.get("distinct", 0))) for h in series]
    return band_chart(hours, [(max(0.0, expected - spread), expected + spread)] * len(hours), CITY_ZONE)


@router.get("/alerts", include_in_schema=False)
def alerts_page(
    request: Request,
    *,
    store: StoreDep,
    pages: PagesDep,
    principal: Viewer,
    workbench: MaybeWorkbenchDep,
    status: Status = "",
    cursor: Cursor = "",
    limit: Limit = 50,
) -> HTMLResponse:
    t = Translator(choose_language(request))
    data = list_alerts(
        store, principal=principal, t=t, workbench=workbench, status=status, cursor=cursor, limit=limit
    )
    more = next_page(request, data.next_cursor)
    return pages.render(
        request,
        "alerts.html",
        data=data,
        status=status,
        more=more,
        active="alerts",
        api_url=twin(request, "/api/alerts"),
    )


@router.get("/api/alerts", response_model=AlertList)
def alerts_api(
    request: Request,
    *,
    store: StoreDep,
    principal: Viewer,
    workbench: MaybeWorkbenchDep,
    status: Status = "",
    cursor: Cursor = "",
    limit: Limit = 50,
) -> AlertList:
    """List alerts newest first (a unit officer sees their units' only); page with `cursor`."""
    t = Translator(choose_language(request))
    return list_alerts(
        store, principal=principal, t=t, workbench=workbench, status=status, cursor=cursor, limit=limit
    )


@router.get("/alerts/{alert_id}", include_in_schema=False)
def alert_page(
    request: Request,
    *,
    alert_id: int,
    store: StoreDep,
    pages: PagesDep,
    principal: Viewer,
    workbench: MaybeWorkbenchDep,
) -> HTMLResponse:
    t = Translator(choose_language(request))
    try:
        data = alert_detail(store, principal, alert_id, t, workbench)
    except HTTPException:
        return pages.not_found(request, "alerts")
    return pages.render(
        request,
        "alert.html",
        data=data,
        chart=chart_of(data),
        names=unit_names(workbench),
        done=request.query_params.get("done", ""),
        error=request.query_params.get("error", ""),
        active="alerts",
        api_url=f"/api/alerts/{alert_id}",
    )


@router.get("/api/alerts/{alert_id}", response_model=AlertDetail)
def alert_api(
    request: Request, alert_id: int, store: StoreDep, principal: Viewer, workbench: MaybeWorkbenchDep
) -> AlertDetail:
    """Show one alert with its full explanation (numbers, findings, 24-hour series) and history."""
    return alert_detail(store, principal, alert_id, Translator(choose_language(request)), workbench)


def act(
    request: Request, *, store: Store, workbench: Workbench, principal: Principal, alert_id: int, action: str
) -> None:
    """Acknowledge or dismiss (a move) or give feedback; audited. 404 unknown, 409 a move not allowed."""
    if not 0 < alert_id < MAX_ID or DetectionTables(store).alert(alert_id) is None:
        raise HTTPException(404, f"No alert {alert_id}; list them at /api/alerts.")
    try:
        if action in ("useful", "noise"):
            workbench.alert_feedback(alert_id, action, principal.username)
        else:
            workbench.move_alert(alert_id, action, principal.username)
    except InputError as exc:
        raise HTTPException(409, str(exc)) from exc
    record(request, principal, f"alert.{action}", f"alert:{alert_id}")


@router.post("/alerts/{alert_id}", include_in_schema=False)
def act_form(
    request: Request,
    *,
    alert_id: int,
    store: StoreDep,
    workbench: WorkbenchDep,
    principal: Actor,
    action: Annotated[Literal["acknowledged", "dismissed", "useful", "noise"], Form()],
) -> RedirectResponse:
    try:
        act(request, store=store, workbench=workbench, principal=principal, alert_id=alert_id, action=action)
    except HTTPException as exc:
        if exc.status_code != 409:
            raise
        return RedirectResponse(f"/alerts/{alert_id}?error=move", status_code=303)
    return RedirectResponse(f"/alerts/{alert_id}?done={action}", status_code=303)


@router.post("/api/alerts/{alert_id}/status", response_model=AlertDetail)
def move_api(
    request: Request,
    *,
    alert_id: int,
    status: Move,
    store: StoreDep,
    workbench: WorkbenchDep,
    principal: Actor,
) -> AlertDetail:
    """Acknowledge or dismiss an alert (409 when it has moved past that)."""
    act(request, store=store, workbench=workbench, principal=principal, alert_id=alert_id, action=status)
    return alert_detail(store, principal, alert_id, Translator(choose_language(request)), workbench)


@router.post("/api/alerts/{alert_id}/feedback", response_model=AlertDetail)
def feedback_api(
    request: Request,
    *,
    alert_id: int,
    verdict: Verdict,
    store: StoreDep,
    workbench: WorkbenchDep,
    principal: Actor,
) -> AlertDetail:
    """Mark an alert useful or noise; its scope's sensitivity learns from it."""
    act(request, store=store, workbench=workbench, principal=principal, alert_id=alert_id, action=verdict)
    return alert_detail(store, principal, alert_id, Translator(choose_language(request)), workbench)


@router.post("/alerts/{alert_id}/case", include_in_schema=False)
def case_form(
    request: Request,
    *,
    alert_id: int,
    store: StoreDep,
    desk: DeskDep,
    workbench: WorkbenchDep,
    principal: CaseOpener,
) -> RedirectResponse:
    """Open a case from an alert (about its story when it has one) and move the alert to case_opened."""
    detail = alert_detail(store, principal, alert_id, Translator(choose_language(request)), workbench)
    alert = detail.alert
    # The desk copies the story's title, units and links; the alert's level sets the severity.
    body = NewCase(origin="alert", origin_id=alert.id, severity="normal")
    try:
        case = open_case(desk, principal, body)
        if alert.status in MOVES:
            workbench.move_alert(alert_id, "case_opened", principal.username)
    except InputError as exc:
        return RedirectResponse(f"/alerts/{alert_id}?error=case&detail={exc}", status_code=303)
    record(request, principal, "case.open", f"case:{case.id}", origin="alert", alert=alert_id)
    record(request, principal, "alert.case_opened", f"alert:{alert_id}", case=case.id)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
