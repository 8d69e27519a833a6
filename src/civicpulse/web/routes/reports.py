"""Unit performance and briefings inside the dashboard, with their JSON twins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from civicpulse.access.permissions import Permission, Principal
from civicpulse.store import Store
from civicpulse.store.response import ResponseTables
from civicpulse.web.auth import require
from civicpulse.web.deps import PagesDep, SettingsDep, StoreDep
from civicpulse.web.response_deps import DeskDep
from civicpulse.web.response_schemas import PerformanceList, PerformanceOut

router = APIRouter(tags=["performance"])
Reader = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]


def performance(store: Store, desk: object, days: int) -> PerformanceList:
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    rows = ResponseTables(store).performance(datetime.now(UTC), since)
    names = desk.directory  # type: ignore[attr-defined]
    return PerformanceList(
        units=[
            PerformanceOut(**{**r.__dict__, "name": names.name(r.unit), "on_time_rate": r.on_time_rate})
            for r in rows
        ]
    )


@router.get("/performance", include_in_schema=False)
def performance_page(
    request: Request, *, store: StoreDep, desk: DeskDep, pages: PagesDep, _principal: Reader
) -> HTMLResponse:
    days = (
        int(request.query_params.get("days", "30") or 30)
        if request.query_params.get("days", "30").isdigit()
        else 30
    )
    return pages.render(
        request,
        "performance.html",
        data=performance(store, desk, days),
        days=days,
        active="performance",
        api_url=f"/api/performance?days={days}",
    )


@router.get("/api/performance", response_model=PerformanceList)
def performance_api(store: StoreDep, desk: DeskDep, _principal: Reader, days: int = 30) -> PerformanceList:
    """Per unit: cases assigned and answered, on-time rate, median hours to answer, open and overdue."""
    return performance(store, desk, days)


@router.get("/briefings/{day}")
def briefing_file(day: str, settings: SettingsDep, _principal: Reader, unit: str = "") -> Response:
    """Show the briefing of a day (YYYY-MM-DD) as HTML; `?format=pdf` is in the CLI and the e-mail."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise HTTPException(400, "Give the day as YYYY-MM-DD.") from None
    path = settings.data_dir / "briefings" / f"{when.isoformat()}{'-' + unit if unit else ''}.pdf"
    if not path.is_file():
        raise HTTPException(
            404, f"No briefing for {when}; make one with `civicpulse briefing --date {when}`."
        )
    return Response(path.read_bytes(), media_type="application/pdf")
