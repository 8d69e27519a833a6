"""Units: the map of all 168 with their activity, and a page per unit (hotspots, stories, cases, reports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.store import Store
from civicpulse.store.browse import Filters, story_page
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.store.response import ResponseTables
from civicpulse.web.auth import require
from civicpulse.web.dashboard_schemas import StoryOut, UnitDetail, UnitList, UnitValue
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.i18n import Translator, choose_language
from civicpulse.web.response_deps import reporter_name
from civicpulse.web.response_schemas import CaseOut, ReportOut
from civicpulse.web.routes.overview import hotspot_list, map_of, unit_values
from civicpulse.web.routes.stories import spark_hours
from civicpulse.web.workbench import MaybeWorkbenchDep, Workbench, unit_names

router = APIRouter(tags=["units"])
Viewer = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
STORIES = 15
LISTED = 10


def all_units(store: Store, workbench: Workbench | None) -> UnitList:
    units = unit_values(store, workbench, datetime.now(UTC))
    return UnitList(units=sorted(units, key=lambda u: (-u.items, u.name)))


def unit_detail(
    store: Store, principal: Principal, code: str, t: Translator, workbench: Workbench | None
) -> UnitDetail:
    """One unit's page; cases, reports and alerts only within the principal's units. 404 for no such unit."""
    names = unit_names(workbench)
    if (names and code not in names) or not code.isalnum() or len(code) > 40:
        raise HTTPException(404, f"No unit {code!r}; list the units at /api/units.")
    now = datetime.now(UTC)
    found = [u for u in unit_values(store, workbench, now) if u.code == code]
    unit = (
        found[0] if found else UnitValue(code=code, name=names.get(code, code), items=0, negative_share=None)
    )
    stories = story_page(store, Filters(unit=code, since=now - timedelta(days=30)), limit=STORIES)
    hours = spark_hours(store, stories, now)
    mine = principal.sees_unit(code)
    hotspots = [a for a in hotspot_list(store, principal, t, names, 50) if code in a.units][:LISTED]
    cases = ResponseTables(store).cases(units=[code], limit=LISTED) if mine else []
    reports = FieldReportTables(store).reports(units=[code], limit=LISTED) if mine else []
    return UnitDetail(
        unit=unit,
        hotspots=hotspots,
        stories=[StoryOut.of(s, hours[s.id or 0]) for s in stories],
        cases=[CaseOut.of(c, now) for c in cases],
        reports=[ReportOut.of(r, reporter_name(principal, r.reporter, r.unit, f"#{r.id}")) for r in reports],
    )


@router.get("/units", include_in_schema=False)
def units_page(
    request: Request, store: StoreDep, pages: PagesDep, _principal: Viewer, workbench: MaybeWorkbenchDep
) -> HTMLResponse:
    data = all_units(store, workbench)
    measure = "negativity" if request.query_params.get("map") == "negativity" else "activity"
    drawn = map_of(data.units, workbench, measure, Translator(choose_language(request)))
    return pages.render(
        request,
        "units.html",
        data=data,
        unit_map=drawn,
        measure=measure,
        active="units",
        api_url="/api/units",
    )


@router.get("/api/units", response_model=UnitList)
def units_api(store: StoreDep, _principal: Viewer, workbench: MaybeWorkbenchDep) -> UnitList:
    """List every unit with the items naming it in the last 24 hours and their negative share."""
    return all_units(store, workbench)


@router.get("/units/{code}", include_in_schema=False)
def unit_page(
    request: Request,
    *,
    code: str,
    store: StoreDep,
    pages: PagesDep,
    principal: Viewer,
    workbench: MaybeWorkbenchDep,
) -> HTMLResponse:
    t = Translator(choose_language(request))
    try:
        data = unit_detail(store, principal, code, t, workbench)
    except HTTPException:
        return pages.not_found(request, "units")
    return pages.render(
        request,
        "unit.html",
        data=data,
        mine=principal.sees_unit(code),
        active="units",
        api_url=f"/api/units/{code}",
    )


@router.get("/api/units/{code}", response_model=UnitDetail)
def unit_api(
    request: Request, code: str, store: StoreDep, principal: Viewer, workbench: MaybeWorkbenchDep
) -> UnitDetail:
    """Show one unit: activity, hotspots, recent stories, and (within your units) cases and field reports."""
    return unit_detail(store, principal, code, Translator(choose_language(request)), workbench)
