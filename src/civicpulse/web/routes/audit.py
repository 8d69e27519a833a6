"""The audit log, for administrators: every write, export and sign-in, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.web.access_schemas import AuditOut, AuditPage
from civicpulse.web.auth import get_access, require
from civicpulse.web.deps import PagesDep

router = APIRouter(tags=["audit"])
Auditor = Annotated[Principal, require(Permission.READ_AUDIT)]
BeforeParam = Annotated[int | None, Query(ge=1, description="Only entries older than this id (the cursor).")]
ActionParam = Annotated[
    str, Query(max_length=50, description="Only entries of this action, e.g. login.failed.")
]
LimitParam = Annotated[int, Query(ge=1, le=500, description="Return at most this many entries.")]


def audit_page_data(request: Request, before: int | None, action: str, limit: int) -> AuditPage:
    entries = get_access(request).audit.entries(limit, before, action.strip())
    next_before = entries[-1].id if len(entries) == limit else None
    return AuditPage(entries=[AuditOut.of(e) for e in entries], next_before=next_before)


@router.get("/admin/audit", include_in_schema=False)
def audit_view(
    request: Request,
    pages: PagesDep,
    _principal: Auditor,
    before: BeforeParam = None,
    action: ActionParam = "",
    limit: LimitParam = 100,
) -> HTMLResponse:
    data = audit_page_data(request, before, action, limit)
    query = request.url.remove_query_params("lang").query
    api_url = f"/api/admin/audit?{query}" if query else "/api/admin/audit"
    return pages.render(
        request, "admin_audit.html", data=data, action=action, active="audit", api_url=api_url
    )


@router.get("/api/admin/audit", response_model=AuditPage)
def audit_api(
    request: Request,
    _principal: Auditor,
    before: BeforeParam = None,
    action: ActionParam = "",
    limit: LimitParam = 100,
) -> AuditPage:
    """List audit entries newest first; page with `before=next_before`."""
    return audit_page_data(request, before, action, limit)
