"""Cases: the list, a case's page (assign, status, notes, attachments, hand-off) and their JSON twins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicpulse.access.permissions import Permission, Principal
from civicpulse.errors import InputError
from civicpulse.models import Attachment, Case
from civicpulse.store import Store
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.store.response import ResponseTables
from civicpulse.web.auth import record, require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.response_deps import DeskDep, back, reporter_name, scoped_case
from civicpulse.web.response_schemas import (
    AttachmentOut,
    CaseAction,
    CaseDetail,
    CaseList,
    CaseOut,
    EventOut,
    NewCase,
    ReportOut,
)

router = APIRouter(tags=["cases"])
Officer = Annotated[Principal, require(Permission.ACT_ON_UNIT_CASES)]
Manager = Annotated[Principal, require(Permission.MANAGE_CASES)]
Reader = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
TextField = Annotated[str, Form(max_length=10000)]
STATUSES = ("new", "assigned", "in_progress", "answered", "closed")


def case_list(store: Store, principal: Principal, status: str = "") -> CaseList:
    units = None if principal.all_units else list(principal.units)
    found = ResponseTables(store).cases(statuses=[status] if status else (), units=units)
    now = datetime.now(UTC)
    return CaseList(cases=[CaseOut.of(c, now) for c in found])


def case_detail(store: Store, principal: Principal, case: Case) -> CaseDetail:
    tables = ResponseTables(store)
    reports = FieldReportTables(store).reports(case_id=case.id)
    return CaseDetail(
        case=CaseOut.of(case, datetime.now(UTC)),
        events=[EventOut.of(e) for e in tables.events(case.id or 0)],
        attachments=[AttachmentOut.of(a) for a in tables.attachments(case.id or 0)],
        reports=[ReportOut.of(r, reporter_name(principal, r.reporter, r.unit, f"#{r.id}")) for r in reports],
        past_units=tables.past_units(case.id or 0),
    )


def open_case(desk: Any, principal: Principal, body: NewCase) -> Case:
    """Open a case through the desk from what `body` names."""
    severity = body.severity or "normal"
    if body.origin == "story" and body.story_id is not None:
        case, _ = desk.cases.open_from_story(
            body.story_id, principal.username, severity=severity, units=body.units
        )
    elif body.origin == "field_report" and body.origin_id is not None:
        case, _ = desk.cases.open_from_field_report(body.origin_id, principal.username, severity=severity)
    elif body.origin == "alert" and body.origin_id is not None:
        # "normal" is the form's default: an alert's own level sets the severity unless another is chosen.
        by_level = None if severity == "normal" else severity
        case, _ = desk.cases.open_from_alert(
            body.origin_id, principal.username, severity=by_level, units=body.units
        )
    elif body.origin == "claim" and body.origin_id is not None:
        case, _ = desk.cases.open_from_claim(
            body.origin_id, principal.username, severity=severity, units=body.units
        )
    else:
        case, _ = desk.cases.open(
            title=body.title,
            origin=body.origin,
            origin_id=body.origin_id,
            story_id=body.story_id,
            units=body.units or [],
            severity=severity,
            summary=body.summary,
            actor=principal.username,
        )
    opened: Case = case
    return opened


def act(desk: Any, principal: Principal, case: Case, action: CaseAction) -> Case:
    """Apply one change to a case; unit officers may hand off only from their own units."""
    case_id, who = case.id or 0, principal.username
    if action.units:
        if not principal.can(Permission.MANAGE_CASES):
            raise InputError("only analysts route cases to more units; hand the case off instead")
        case = desk.cases.assign(case_id, action.units, who)
    if action.to_unit:
        if not principal.sees_unit(action.from_unit):
            raise InputError("you can hand off a case only from one of your own units")
        case = desk.cases.handoff(case_id, action.from_unit, action.to_unit, who, action.note)
    elif action.note and not action.status:
        desk.cases.note(case_id, who, action.note)
    if action.report_id is not None:
        report = FieldReportTables(desk.store).report(action.report_id)
        if report is None or not principal.sees_unit(report.unit):
            raise InputError(f"no field report {action.report_id} in your units")
        desk.cases.attach_report(case_id, action.report_id, who)
    if action.status:
        case = desk.transition(case_id, action.status, who, action.note)
    changed: Case = case
    return changed


def open_audited(request: Request, desk: Any, principal: Principal, body: NewCase) -> Case:
    """Open a case (`open_case`) and write it to the audit log."""
    case = open_case(desk, principal, body)
    record(request, principal, "case.open", f"case:{case.id}", origin=body.origin)
    return case


def change_audited(
    request: Request, store: Store, desk: Any, principal: Principal, *, case_id: int, action: CaseAction
) -> Case:
    """Apply `action` to one of the principal's cases (404 otherwise) and write it to the audit log."""
    case = act(desk, principal, scoped_case(store, principal, case_id), action)
    record(request, principal, "case.change", f"case:{case_id}", **action.model_dump(exclude_defaults=True))
    return case


async def attach_audited(
    request: Request, store: Store, desk: Any, principal: Principal, *, case_id: int, file: UploadFile
) -> Attachment:
    """Keep an uploaded file with one of the principal's cases (read up to the size limit) and audit it."""
    scoped_case(store, principal, case_id)
    data = await file.read(int(desk.settings.attachment_max_mb * 1024 * 1024) + 1)
    attachment: Attachment = desk.cases.attach(case_id, file.filename or "file", data, principal.username)
    record(request, principal, "case.attach", f"case:{case_id}", file=attachment.filename)
    return attachment


@router.get("/cases", include_in_schema=False)
def cases_page(request: Request, store: StoreDep, pages: PagesDep, principal: Officer) -> HTMLResponse:
    status = request.query_params.get("status", "")
    data = case_list(store, principal, status if status in STATUSES else "")
    return pages.render(
        request,
        "cases.html",
        data=data,
        statuses=STATUSES,
        status=status,
        active="cases",
        api_url="/api/cases",
    )


@router.get("/api/cases", response_model=CaseList)
def cases_api(store: StoreDep, principal: Officer, status: str = "") -> CaseList:
    """List the cases of your units (every case for analysts), newest first."""
    return case_list(store, principal, status if status in STATUSES else "")


@router.post("/api/cases", response_model=CaseOut, status_code=201)
def open_case_api(request: Request, desk: DeskDep, principal: Manager, body: NewCase) -> CaseOut:
    """Open a case; a story that already has an open case returns that case."""
    try:
        case = open_audited(request, desk, principal, body)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    return CaseOut.of(case, datetime.now(UTC))


@router.post("/cases", include_in_schema=False)
def open_case_form(
    request: Request,
    *,
    desk: DeskDep,
    principal: Manager,
    origin: TextField = "manual",
    origin_id: TextField = "",
    story_id: TextField = "",
    title: TextField = "",
    units: TextField = "",
    severity: TextField = "normal",
) -> RedirectResponse:
    body = NewCase(
        origin=origin,
        origin_id=int(origin_id) if origin_id.isdigit() else None,
        story_id=int(story_id) if story_id.isdigit() else None,
        title=title,
        units=units.replace(",", " ").split() or None,
        severity=severity,
    )
    try:
        case = open_audited(request, desk, principal, body)
    except InputError as exc:
        return back("/cases", str(exc))
    return back(f"/cases/{case.id}")


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(
    request: Request, case_id: int, *, store: StoreDep, desk: DeskDep, pages: PagesDep, principal: Officer
) -> HTMLResponse:
    try:
        data = case_detail(store, principal, scoped_case(store, principal, case_id))
    except HTTPException:
        return pages.not_found(request, "cases")
    return pages.render(
        request,
        "case.html",
        data=data,
        names=desk.directory,
        statuses=STATUSES,
        error=request.query_params.get("error", ""),
        active="cases",
        api_url=f"/api/cases/{case_id}",
    )


@router.get("/api/cases/{case_id}", response_model=CaseDetail)
def case_api(case_id: int, store: StoreDep, principal: Officer) -> CaseDetail:
    """Show a case with its history, attachments and field reports."""
    return case_detail(store, principal, scoped_case(store, principal, case_id))


@router.post("/api/cases/{case_id}", response_model=CaseOut)
def act_api(
    request: Request, case_id: int, *, store: StoreDep, desk: DeskDep, principal: Officer, body: CaseAction
) -> CaseOut:
    """Change a case: status (new → assigned → in_progress → answered → closed, or reopen), units, note."""
    try:
        case = change_audited(request, store, desk, principal, case_id=case_id, action=body)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    return CaseOut.of(case, datetime.now(UTC))


@router.post("/cases/{case_id}", include_in_schema=False)
def act_form(
    request: Request,
    case_id: int,
    *,
    store: StoreDep,
    desk: DeskDep,
    principal: Officer,
    status: TextField = "",
    units: TextField = "",
    note: TextField = "",
    from_unit: TextField = "",
    to_unit: TextField = "",
) -> RedirectResponse:
    action = CaseAction(
        status=status, units=units.replace(",", " ").split(), note=note, from_unit=from_unit, to_unit=to_unit
    )
    try:
        change_audited(request, store, desk, principal, case_id=case_id, action=action)
    except InputError as exc:
        return back(f"/cases/{case_id}", str(exc))
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/attachments", include_in_schema=False)
async def attach_form(
    request: Request,
    case_id: int,
    *,
    store: StoreDep,
    desk: DeskDep,
    principal: Officer,
    file: Annotated[UploadFile, File()],
) -> RedirectResponse:
    try:
        await attach_audited(request, store, desk, principal, case_id=case_id, file=file)
    except InputError as exc:
        return back(f"/cases/{case_id}", str(exc))
    return back(f"/cases/{case_id}")


@router.post("/api/cases/{case_id}/attachments", response_model=AttachmentOut, status_code=201)
async def attach_api(
    request: Request,
    case_id: int,
    *,
    store: StoreDep,
    desk: DeskDep,
    principal: Officer,
    file: Annotated[UploadFile, File()],
) -> AttachmentOut:
    """Keep a file with a case (PDF, image or text; size and real type checked)."""
    try:
        attachment = await attach_audited(request, store, desk, principal, case_id=case_id, file=file)
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    return AttachmentOut.of(attachment)


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def attachment_file(
    case_id: int, attachment_id: int, store: StoreDep, desk: DeskDep, principal: Officer
) -> Response:
    """Download a case's attachment (served as a download, never rendered inline)."""
    scoped_case(store, principal, case_id)
    found = ResponseTables(store).attachment(attachment_id)
    if found is None or found.case_id != case_id:
        raise HTTPException(404, "No such attachment on this case.")
    data = (desk.settings.data_dir / found.path).read_bytes()
    headers = {
        "Content-Disposition": f'attachment; filename="{found.sha256[:12]}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=found.content_type, headers=headers)


@router.get("/api/stories/{story_id}/case", response_model=CaseOut | None)
def story_case_api(story_id: int, store: StoreDep, _principal: Reader) -> CaseOut | None:
    """Say which open case handles a story (and so which units), or null: no duplicate work across units."""
    case = ResponseTables(store).open_case_for_story(story_id)
    return None if case is None else CaseOut.of(case, datetime.now(UTC))
