"""Field reports: the mobile form (retry-safe), the REST API, one's reports, and the Telegram webhook."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.errors import InputError
from civicpulse.store import Store
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.web.auth import public, record, require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.response_deps import DeskDep, back, reporter_name
from civicpulse.web.response_schemas import NewReport, Receipt, ReportList, ReportOut

router = APIRouter(tags=["field reports"])
Reporter = Annotated[Principal, require(Permission.SUBMIT_FIELD_REPORTS)]
OwnReports = Annotated[Principal, require(Permission.VIEW_OWN_FIELD_REPORTS)]
TextField = Annotated[str, Form(max_length=6000)]
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name, not a secret)


def visible_reports(store: Store, principal: Principal) -> ReportList:
    """Collaborators see their own reports; unit officers their units'; analysts all, without names."""
    tables = FieldReportTables(store)
    if not principal.can(Permission.ACT_ON_UNIT_CASES):
        found = tables.reports(reporter=principal.username)
    elif not principal.all_units:
        found = tables.reports(units=list(principal.units))
    else:
        found = tables.reports()
    return ReportList(
        reports=[ReportOut.of(r, reporter_name(principal, r.reporter, r.unit, f"#{r.id}")) for r in found]
    )


def submission(desk: Any, principal: Principal, **fields: Any) -> Any:
    """Build a desk submission; a reporter bound to units must report from one of them."""
    from_desk = desk.field_submission(reporter=principal.username, **fields)
    if (
        principal.units
        and from_desk.unit
        and from_desk.unit not in principal.units
        and fields.get("lat") is None
    ):
        raise InputError("pick one of your own units")
    return from_desk


@router.get("/field", include_in_schema=False)
def field_page(
    request: Request, *, store: StoreDep, desk: DeskDep, pages: PagesDep, principal: Reporter
) -> HTMLResponse:
    units = [u for u in desk.field.gazetteer.units if not principal.units or u.code in principal.units]
    return pages.render(
        request,
        "field.html",
        units=units,
        key=secrets.token_urlsafe(16),
        receipt=request.query_params.get("receipt", ""),
        error=request.query_params.get("error", ""),
        data=visible_reports(store, principal) if principal.can(Permission.VIEW_OWN_FIELD_REPORTS) else None,
        active="field",
        api_url="/api/field-reports",
    )


@router.post("/field", include_in_schema=False)
async def field_form(
    request: Request,
    *,
    desk: DeskDep,
    principal: Reporter,
    text: TextField = "",
    unit: TextField = "",
    lat: TextField = "",
    lon: TextField = "",
    idempotency_key: TextField = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> RedirectResponse:
    data = await photo.read(int(desk.settings.attachment_max_mb * 1024 * 1024) + 1) if photo else b""
    try:
        report, created = desk.submit_report(
            submission(
                desk,
                principal,
                text=text,
                unit=unit,
                lat=_number(lat),
                lon=_number(lon),
                photo=data,
                channel="web",
                idempotency_key=idempotency_key,
            )
        )
    except InputError as exc:
        return back("/field", str(exc))
    if created:
        record(request, principal, "field.report", f"field_report:{report.id}")
    return back("/field", receipt=report.receipt)


@router.post("/api/field-reports", response_model=Receipt)
def field_api(request: Request, *, desk: DeskDep, principal: Reporter, body: NewReport) -> Receipt:
    """Send a field report; the same `idempotency_key` again returns the first receipt (`duplicate`)."""
    try:
        report, created = desk.submit_report(
            submission(
                desk,
                principal,
                text=body.text,
                unit=body.unit,
                lat=body.lat,
                lon=body.lon,
                channel="api",
                idempotency_key=body.idempotency_key,
            )
        )
    except InputError as exc:
        raise HTTPException(400, str(exc)) from exc
    if created:
        record(request, principal, "field.report", f"field_report:{report.id}")
    return Receipt(id=report.id, receipt=report.receipt, unit=report.unit, duplicate=not created)


@router.get("/api/field-reports", response_model=ReportList)
def field_list_api(store: StoreDep, principal: OwnReports) -> ReportList:
    """List the field reports you may see: your own, or your units' for unit officers."""
    return visible_reports(store, principal)


@router.post("/telegram/webhook", dependencies=[public()])
async def telegram_webhook(request: Request, desk: DeskDep) -> JSONResponse:
    """Receive a Telegram Bot API update (checked by its secret-token header); always 200 once accepted."""
    expected = desk.settings.telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise HTTPException(403, "Wrong or missing secret token; set it with setWebhook(secret_token=...).")
    try:
        update = await request.json()
    except ValueError:
        return JSONResponse({"ok": True, "ignored": "not JSON"})
    report = desk.telegram_update(update) if isinstance(update, dict) else None
    return JSONResponse({"ok": True, "report": report.receipt if report else None})


def _number(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None
