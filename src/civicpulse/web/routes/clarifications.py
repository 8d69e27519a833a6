"""Clarifications inside the dashboard: list, editor, publish, revise, and the internal page with impact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.errors import InputError
from civicpulse.store.clarifications import ClarificationTables
from civicpulse.web.auth import record, require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.impact_chart import chart_of
from civicpulse.web.response_deps import DeskDep, back
from civicpulse.web.response_schemas import ClarificationOut

router = APIRouter(tags=["clarifications"])
Editor = Annotated[Principal, require(Permission.MANAGE_CASES)]
Reader = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
TextField = Annotated[str, Form(max_length=50000)]


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.replace(",", " ").split() if p.isdigit())


def from_form(desk: Any, clarification_id: int | None, fields: dict[str, str]) -> Any:
    """Build a clarification record from the editor's fields (claims and sources one per line)."""
    return desk.clarification_from(
        clarification_id,
        title_vi=fields["title_vi"],
        body_vi=fields["body_vi"],
        title_en=fields["title_en"],
        body_en=fields["body_en"],
        claims=fields["claims"].splitlines(),
        sources=fields["sources"].splitlines(),
        story_ids=_ids(fields["story_ids"]),
        case_ids=_ids(fields["case_ids"]),
    )


@router.get("/clarifications", include_in_schema=False)
def list_page(request: Request, *, store: StoreDep, pages: PagesDep, _principal: Reader) -> HTMLResponse:
    found = ClarificationTables(store).find(published_only=False)
    return pages.render(
        request, "clarifications.html", data=found, active="clarifications", api_url="/api/clarifications"
    )


@router.get("/api/clarifications", response_model=list[ClarificationOut])
def list_api(store: StoreDep, _principal: Reader) -> list[ClarificationOut]:
    """List every clarification, drafts included, newest first."""
    return [ClarificationOut.of(c) for c in ClarificationTables(store).find(published_only=False)]


@router.get("/clarifications/new", include_in_schema=False)
def new_page(request: Request, *, pages: PagesDep, _principal: Editor) -> HTMLResponse:
    return pages.render(
        request,
        "clarification_edit.html",
        c=None,
        error=request.query_params.get("error", ""),
        active="clarifications",
        api_url="",
    )


@router.get("/clarifications/{clarification_id}/edit", include_in_schema=False)
def edit_page(
    request: Request, clarification_id: int, *, store: StoreDep, pages: PagesDep, _principal: Editor
) -> HTMLResponse:
    found = ClarificationTables(store).get(clarification_id)
    if found is None:
        return pages.not_found(request, "clarifications")
    return pages.render(
        request,
        "clarification_edit.html",
        c=found,
        error=request.query_params.get("error", ""),
        active="clarifications",
        api_url=f"/api/clarifications/{clarification_id}",
    )


@router.post("/clarifications", include_in_schema=False)
def save_form(
    request: Request,
    *,
    desk: DeskDep,
    principal: Editor,
    clarification_id: TextField = "",
    title_vi: TextField = "",
    body_vi: TextField = "",
    title_en: TextField = "",
    body_en: TextField = "",
    claims: TextField = "",
    sources: TextField = "",
    story_ids: TextField = "",
    case_ids: TextField = "",
    note: TextField = "",
    publish: TextField = "",
) -> RedirectResponse:
    fields = {
        "title_vi": title_vi,
        "body_vi": body_vi,
        "title_en": title_en,
        "body_en": body_en,
        "claims": claims,
        "sources": sources,
        "story_ids": story_ids,
        "case_ids": case_ids,
    }
    existing = int(clarification_id) if clarification_id.isdigit() else None
    try:
        record_ = from_form(desk, existing, fields)
        if existing is None:
            saved = desk.clarifications.save(record_, principal.username)
        else:
            saved = desk.clarifications.revise(record_, note, principal.username)
        if publish and saved.status != "published":
            saved = desk.clarifications.publish(saved.id, principal.username)
    except InputError as exc:
        target = "/clarifications/new" if existing is None else f"/clarifications/{existing}/edit"
        return back(target, str(exc))
    record(request, principal, "clarification.save", f"clarification:{saved.id}", status=saved.status)
    return back(f"/clarifications/{saved.id}")


@router.get("/clarifications/{clarification_id}", include_in_schema=False)
def internal_page(
    request: Request,
    clarification_id: int,
    *,
    store: StoreDep,
    desk: DeskDep,
    pages: PagesDep,
    _principal: Reader,
) -> HTMLResponse:
    tables = ClarificationTables(store)
    found = tables.get(clarification_id)
    if found is None:
        return pages.not_found(request, "clarifications")
    impact = desk.impact(found)
    return pages.render(
        request,
        "clarification.html",
        c=found,
        impact=impact,
        chart=chart_of(impact),
        revisions=tables.revisions(clarification_id),
        active="clarifications",
        api_url=f"/api/clarifications/{clarification_id}",
    )


@router.get("/api/clarifications/{clarification_id}")
def internal_api(clarification_id: int, store: StoreDep, desk: DeskDep, _principal: Reader) -> dict[str, Any]:
    """Show a clarification with its impact figures at +24 h, +72 h and +7 days."""
    found = ClarificationTables(store).get(clarification_id)
    if found is None:
        raise HTTPException(404, f"No clarification {clarification_id}; list them at /api/clarifications.")
    impact = desk.impact(found)
    horizons = [] if impact is None else [{**h.__dict__, "change": h.change} for h in impact.horizons]
    return {"clarification": ClarificationOut.of(found).model_dump(mode="json"), "impact": horizons}
