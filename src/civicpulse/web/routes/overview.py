"""The overview: hotspots now, activity against its band, the unit map, cases, sources; the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.demo import load_demo
from civicpulse.store import Store
from civicpulse.store.dashboard import DashboardReads
from civicpulse.store.response import ResponseTables
from civicpulse.store.understanding import TopicTables
from civicpulse.web.auth import record, require
from civicpulse.web.chart import last_hours
from civicpulse.web.dashboard_schemas import ActivityHour, AlertOut, OverviewData, UnitValue
from civicpulse.web.deps import PagesDep, PipelineDep, SettingsDep, StoreDep
from civicpulse.web.hotspots import alert_out
from civicpulse.web.i18n import Translator, choose_language
from civicpulse.web.map import unit_map
from civicpulse.web.memo import remembered
from civicpulse.web.rendering import CITY_ZONE
from civicpulse.web.response_schemas import CaseOut
from civicpulse.web.routes.sources import source_health
from civicpulse.web.schemas import Counts, DemoLoaded, ItemOut, SourceHealth
from civicpulse.web.trend import band_chart, rolling_band
from civicpulse.web.workbench import MaybeWorkbenchDep, Workbench, unit_names

router = APIRouter(tags=["overview"])
Viewer = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
DemoLoader = Annotated[Principal, require(Permission.LOAD_DEMO)]
HOURS = 48
BAND_WINDOW = 24  # hours of history behind each hour's band
NEWEST = 8
HOTSPOTS = 10
CASES = 6


def hotspot_list(
    store: Store, principal: Principal, t: Translator, names: dict[str, str], limit: int
) -> list[AlertOut]:
    """Open alerts by score, as far as the principal's units reach."""
    topics = {tp.id or 0: tp.name for tp in TopicTables(store).topics()}
    found = [alert_out(a, t, names, topics) for a in DashboardReads(store).hotspots(limit * 3)]
    return [a for a in found if principal.all_units or principal.sees_any(a.units)][:limit]


def activity(store: Store, now: datetime) -> list[ActivityHour]:
    """Items per hour over the last 48 hours with each hour's band from the 24 hours before it."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=HOURS + BAND_WINDOW - 1)
    hours = last_hours(DashboardReads(store).hourly_activity(start), now, HOURS + BAND_WINDOW)
    band = rolling_band([c for _, c in hours], BAND_WINDOW)
    return [
        ActivityHour(start=s, count=c, low=round(lo, 2), high=round(hi, 2))
        for (s, c), (lo, hi) in list(zip(hours, band, strict=True))[BAND_WINDOW:]
    ]


def unit_values(store: Store, workbench: Workbench | None, now: datetime) -> list[UnitValue]:
    """Every unit's items and negative share over the last 24 hours."""
    # The map shows a day; a minute-old picture of it costs nothing and spares a 20,000-row join per view.
    found = remembered(
        store, "unit_activity", lambda: DashboardReads(store).unit_activity(now - timedelta(hours=24))
    )
    names = unit_names(workbench) or {code: code for code in found}
    return [
        UnitValue(
            code=code,
            name=name,
            items=found[code].items if code in found else 0,
            negative_share=found[code].negative_share if code in found else None,
        )
        for code, name in names.items()
    ]


def source_list(store: Store) -> list[SourceHealth]:
    """Every source with its health, failing first; item counts are at most a minute old (web.memo)."""
    counts = remembered(store, "source_counts", DashboardReads(store).source_counts)
    health = [source_health(store, s, counts.get(s.id or 0, 0)) for s in store.sources()]
    return sorted(health, key=lambda h: (h.status != "failing", h.name.lower()))


def build_overview(
    store: Store, principal: Principal, t: Translator, workbench: Workbench | None, now: datetime
) -> OverviewData:
    """Read everything the overview shows, as of `now`."""
    stats = store.stats()
    scope = None if principal.all_units else list(principal.units)
    tables = ResponseTables(store)
    return OverviewData(
        counts=Counts(items=stats["items"], sources=stats["sources"], quarantined=stats["quarantined"]),
        hotspots=hotspot_list(store, principal, t, unit_names(workbench), HOTSPOTS),
        activity=activity(store, now),
        units=unit_values(store, workbench, now),
        new_cases=[CaseOut.of(c, now) for c in tables.cases(statuses=["new"], units=scope, limit=CASES)],
        overdue_cases=[CaseOut.of(c, now) for c in tables.overdue(now) if principal.sees_any(c.units)][
            :CASES
        ],
        newest=[ItemOut.of(i) for i in DashboardReads(store).newest_items(NEWEST)],
        sources=source_list(store),
        empty=stats["items"] == 0,
    )


def map_of(data: list[UnitValue], workbench: Workbench | None, measure: str, t: Translator) -> object:
    """The unit map coloured by items (activity) or negative share (negativity); None without units."""
    if workbench is None:
        return None
    labels = {
        u.code: t(
            "map.tooltip",
            name=u.name,
            items=u.items,
            negative="–" if u.negative_share is None else f"{round(100 * u.negative_share)} %",
        )
        for u in data
    }
    if measure == "negativity":
        values = {u.code: 100 * u.negative_share for u in data if u.negative_share is not None and u.items}
        return unit_map(workbench.units(), values, "negativity", labels, "{:.0f} %")
    return unit_map(workbench.units(), {u.code: float(u.items) for u in data}, "activity", labels)


@router.get("/", include_in_schema=False)
def overview_page(
    request: Request, store: StoreDep, pages: PagesDep, principal: Viewer, workbench: MaybeWorkbenchDep
) -> HTMLResponse:
    t = Translator(choose_language(request))
    data = build_overview(store, principal, t, workbench, datetime.now(UTC))
    measure = "negativity" if request.query_params.get("map") == "negativity" else "activity"
    chart = band_chart(
        [(h.start, h.count) for h in data.activity], [(h.low, h.high) for h in data.activity], CITY_ZONE
    )
    loaded = request.query_params.get("loaded", "")
    return pages.render(
        request,
        "overview.html",
        data=data,
        chart=chart,
        unit_map=map_of(data.units, workbench, measure, t),
        trends=remembered(
            store,
            "source_trends",
            lambda: DashboardReads(store).daily_by_source(14, datetime.now(UTC).date()),
        ),
        measure=measure,
        loaded=int(loaded) if loaded.isdigit() else None,
        active="overview",
        api_url="/api/overview",
    )


@router.get("/api/overview", response_model=OverviewData)
def overview_api(
    request: Request, store: StoreDep, principal: Viewer, workbench: MaybeWorkbenchDep
) -> OverviewData:
    """Show hotspots, items per hour with their band, units, new and overdue cases, newest items, sources."""
    t = Translator(choose_language(request))
    return build_overview(store, principal, t, workbench, datetime.now(UTC))


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
