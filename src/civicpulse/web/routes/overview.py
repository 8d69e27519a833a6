"""The overview: counts, activity over the last 48 hours, newest items, source health; and the demo button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.demo import load_demo
from civicpulse.store import Store
from civicpulse.web.auth import record, require
from civicpulse.web.chart import hour_bars, last_hours
from civicpulse.web.deps import PagesDep, PipelineDep, SettingsDep, StoreDep
from civicpulse.web.rendering import CITY_ZONE
from civicpulse.web.routes.sources import all_sources
from civicpulse.web.schemas import Counts, DemoLoaded, HourCount, ItemOut, Overview

router = APIRouter(tags=["overview"])
Viewer = [require(Permission.VIEW_DASHBOARD)]
DemoLoader = Annotated[Principal, require(Permission.LOAD_DEMO)]
HOURS = 48
NEWEST = 12


def build_overview(store: Store, now: datetime) -> Overview:
    """Read everything the overview shows, as of `now`."""
    stats = store.stats()
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS - 1)
    hours = last_hours(store.hourly_counts(since), now, HOURS)
    return Overview(
        counts=Counts(items=stats["items"], sources=stats["sources"], quarantined=stats["quarantined"]),
        activity=[HourCount(start=start, count=count) for start, count in hours],
        newest=[ItemOut.of(i) for i in store.newest_items(NEWEST)],
        sources=all_sources(store).sources,
        empty=stats["items"] == 0,
    )


@router.get("/", include_in_schema=False, dependencies=Viewer)
def overview_page(request: Request, store: StoreDep, pages: PagesDep) -> HTMLResponse:
    data = build_overview(store, datetime.now(UTC))
    chart = hour_bars([(h.start, h.count) for h in data.activity], CITY_ZONE)
    loaded = request.query_params.get("loaded", "")
    return pages.render(
        request,
        "overview.html",
        data=data,
        chart=chart,
        loaded=int(loaded) if loaded.isdigit() else None,
        active="overview",
        api_url="/api/overview",
    )


@router.get("/api/overview", response_model=Overview, dependencies=Viewer)
def overview_api(store: StoreDep) -> Overview:
    """Show counts, items per hour over the last 48 hours, the newest items and source health."""
    return build_overview(store, datetime.now(UTC))


@router.post("/demo", include_in_schema=False)
def demo_form(
    request: Request, principal: DemoLoader, settings: SettingsDep, store: StoreDep, pipeline: PipelineDep
) -> RedirectResponse:
    result = load_demo(settings, store, pipeline)
    record(request, principal, "demo.load", "demo", new=result.new)
    # Post/redirect/get: reloading the overview afterwards does not post the form again.
    return RedirectResponse(f"/?loaded={result.new}", status_code=303)


@router.post("/api/demo", response_model=DemoLoaded)
def demo_api(
    request: Request, principal: DemoLoader, settings: SettingsDep, store: StoreDep, pipeline: PipelineDep
) -> DemoLoaded:
    """Load the bundled sample stream (idempotent: a second call adds nothing)."""
    result = load_demo(settings, store, pipeline)
    record(request, principal, "demo.load", "demo", new=result.new)
    return DemoLoaded(
        seen=result.seen, new=result.new, quarantined=result.quarantined, processed=result.processed
    )
