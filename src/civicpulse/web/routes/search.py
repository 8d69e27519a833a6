"""Search across items with the stories' filters, page by page; export the results as CSV or JSONL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse

from civicpulse.access.permissions import Permission, Principal, Role
from civicpulse.models import Item
from civicpulse.store import Store
from civicpulse.store.browse import Filters, search_page
from civicpulse.store.understanding import TopicTables
from civicpulse.web.auth import record, require
from civicpulse.web.dashboard_schemas import ExportOut, FilterValues, SearchResult
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.exports import MEDIA, Export, Exporter, render
from civicpulse.web.listing import (
    Cursor,
    FiltersDep,
    Limit,
    decode_cursor,
    encode_cursor,
    next_page,
    to_filters,
    twin,
)
from civicpulse.web.schemas import ItemOut

router = APIRouter(tags=["search"])
Viewer = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
Exporting = Annotated[Principal, require(Permission.EXPORT)]
Words = Annotated[str, Query(max_length=200, description="Search words; diacritics are optional.")]
Format = Annotated[Literal["csv", "jsonl"], Query(description="csv or jsonl")]
INLINE_ROWS = 2000  # up to this many rows the file comes back at once; more go to the background
MAX_ROWS = 500_000
BATCH = 1000


def get_exporter(request: Request) -> Exporter:
    exporter: Exporter = request.app.state.exporter
    return exporter


ExporterDep = Annotated[Exporter, Depends(get_exporter)]


def find(store: Store, q: str, values: FilterValues, cursor: str, limit: int) -> SearchResult:
    """A page of matching items, newest first."""
    after = decode_cursor(cursor)
    found = search_page(
        store, q, to_filters(values, datetime.now(UTC)), before=after[1] if after else None, limit=limit
    )
    last = found[-1].id if len(found) == limit and found else None
    return SearchResult(
        query=q.strip(),
        items=[ItemOut.of(i) for i in found],
        next_cursor=encode_cursor(None, last) if last else None,
        filters=values,
    )


def every_match(store: Store, q: str, filters: Filters, cap: int = MAX_ROWS) -> Iterator[Item]:
    """Every matching item, newest first, read a thousand at a time (at most `cap`)."""
    before, seen = None, 0
    while seen < cap:
        batch = search_page(store, q, filters, before=before, limit=min(BATCH, cap - seen))
        yield from batch
        seen += len(batch)
        if len(batch) < BATCH:
            return
        before = batch[-1].id


def export_out(export: Export) -> ExportOut:
    return ExportOut(
        id=export.id,
        status=export.status,
        format=export.format,
        rows=export.rows,
        query=export.query,
        created_at=datetime.fromisoformat(export.created_at),
        url=f"/exports/{export.id}/download" if export.status == "ready" else None,
    )


def owned(exporter: Exporter, principal: Principal, export_id: str) -> Export:
    """The export if the principal made it (administrators see all); 404 otherwise."""
    export = exporter.get(export_id)
    if export is None or (export.owner != principal.username and principal.role != Role.ADMINISTRATOR):
        raise HTTPException(404, f"No export {export_id} of yours; list yours at /api/exports.")
    return export


@router.get("/search", include_in_schema=False)
def search_view(
    request: Request,
    *,
    store: StoreDep,
    pages: PagesDep,
    _principal: Viewer,
    values: FiltersDep,
    q: Words = "",
    cursor: Cursor = "",
    limit: Limit = 50,
) -> HTMLResponse:
    data = find(store, q, values, cursor, limit) if q.strip() or cursor else None
    return pages.render(
        request,
        "search.html",
        data=data,
        q=q,
        filters=values,
        topics=TopicTables(store).topics(),
        more=next_page(request, data.next_cursor) if data else None,
        active="search",
        api_url=twin(request, "/api/search"),
    )


@router.get("/api/search", response_model=SearchResult)
def search_api(
    store: StoreDep,
    _principal: Viewer,
    values: FiltersDep,
    q: Words = "",
    cursor: Cursor = "",
    limit: Limit = 50,
) -> SearchResult:
    """Search items (every word must match; diacritics optional) with the filters, newest first."""
    return find(store, q, values, cursor, limit)


def export(
    request: Request,
    *,
    store: Store,
    exporter: Exporter,
    principal: Principal,
    q: str,
    values: FilterValues,
    fmt: str,
) -> Response:
    """Answer with the file when it is small, else start a background export and point to it."""
    filters = to_filters(values, datetime.now(UTC))
    head = list(every_match(store, q, filters, cap=INLINE_ROWS + 1))
    chosen: dict[str, object] = values.model_dump(exclude_defaults=True)
    details = {"query": q, "format": fmt, "filters": chosen}
    if len(head) <= INLINE_ROWS:
        record(request, principal, "export", "search", rows=len(head), **details)
        name = f"civicpulse-search.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(render(head, fmt), media_type=MEDIA[fmt], headers=headers)
    job = exporter.start(principal.username, q, chosen, fmt, lambda: every_match(store, q, filters))
    record(request, principal, "export", f"export:{job.id}", background=True, **details)
    if request.url.path.startswith("/api/"):
        return Response(export_out(job).model_dump_json(), status_code=202, media_type="application/json")
    return RedirectResponse(f"/exports/{job.id}", status_code=303)


@router.post("/search/export", include_in_schema=False)
@router.post(
    "/api/search/export",
    response_model=None,
    responses={200: {"description": "The file (small exports)"}, 202: {"model": ExportOut}},
)
def export_route(
    request: Request,
    *,
    store: StoreDep,
    exporter: ExporterDep,
    principal: Exporting,
    values: FiltersDep,
    q: Words = "",
    format: Format = "csv",
) -> Response:
    """Export matching items: up to 2,000 rows the file comes back; more start a background export (202)."""
    # One handler for the form and the API: `export` answers each the way it expects (file, redirect, 202).
    return export(
        request, store=store, exporter=exporter, principal=principal, q=q, values=values, fmt=format
    )


@router.get("/exports", include_in_schema=False)
def exports_page(
    request: Request, pages: PagesDep, exporter: ExporterDep, principal: Exporting
) -> HTMLResponse:
    found = [export_out(e) for e in exporter.mine(principal.username)]
    return pages.render(
        request, "exports.html", exports=found, one=None, active="search", api_url="/api/exports"
    )


@router.get("/api/exports", response_model=list[ExportOut])
def exports_api(exporter: ExporterDep, principal: Exporting) -> list[ExportOut]:
    """List your exports, newest first."""
    return [export_out(e) for e in exporter.mine(principal.username)]


@router.get("/exports/{export_id}", include_in_schema=False)
def export_page(
    request: Request, export_id: str, pages: PagesDep, exporter: ExporterDep, principal: Exporting
) -> HTMLResponse:
    one = export_out(owned(exporter, principal, export_id))
    return pages.render(
        request, "exports.html", exports=[], one=one, active="search", api_url=f"/api/exports/{export_id}"
    )


@router.get("/api/exports/{export_id}", response_model=ExportOut)
def export_status_api(export_id: str, exporter: ExporterDep, principal: Exporting) -> ExportOut:
    """Show one of your exports: running, ready (with its download URL) or failed."""
    return export_out(owned(exporter, principal, export_id))


@router.get("/exports/{export_id}/download", include_in_schema=False)
def download(request: Request, export_id: str, exporter: ExporterDep, principal: Exporting) -> FileResponse:
    found = owned(exporter, principal, export_id)
    if found.status != "ready":
        raise HTTPException(409, f"Export {export_id} is {found.status}; wait until it is ready.")
    record(request, principal, "export.download", f"export:{export_id}", rows=found.rows)
    return FileResponse(
        exporter.path(found),
        media_type=MEDIA[found.format],
        filename=f"civicpulse-{export_id}.{found.format}",
    )
