"""Sources with their health: last success, error streak, recent fetch log, newest items."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from civicpulse.access.permissions import Permission
from civicpulse.models import Source, SourceKind
from civicpulse.store import Store
from civicpulse.store.dashboard import DashboardReads
from civicpulse.web.auth import require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.schemas import FetchOut, ItemOut, SourceDetail, SourceHealth, SourceList, SourceStatus

router = APIRouter(tags=["sources"], dependencies=[require(Permission.VIEW_DASHBOARD)])
FETCH_LOG = 20
SOURCE_ITEMS = 20
TREND_DAYS = 14  # the sparkline beside each source: items collected per day over two weeks


def source_health(store: Store, source: Source, items: int, *, fetch_log: int = 0) -> SourceHealth:
    """Describe one source's health from its stored state (and its last `fetch_log` fetches)."""
    assert source.id is not None  # sources read from the store always have an id
    state = store.source_state(source.id)
    fetches = store.fetches(source.id, fetch_log) if fetch_log else []
    status: SourceStatus
    if not source.enabled:
        status = "disabled"
    elif state.error_streak > 0:
        status = "failing"
    elif source.kind == SourceKind.IMPORT:
        status = "import"
    elif state.last_success_at is None:
        status = "never_fetched"
    else:
        status = "ok"
    return SourceHealth(
        id=source.id,
        name=source.name,
        kind=str(source.kind),
        url=source.url,
        enabled=source.enabled,
        items=items,
        status=status,
        last_success_at=state.last_success_at,
        next_fetch_at=state.next_fetch_at,
        last_error=state.last_error,
        error_streak=state.error_streak,
        fetches=[FetchOut.of(f) for f in fetches],
    )


def all_sources(store: Store) -> SourceList:
    """Every source with its health, failing ones first."""
    counts = store.item_counts_by_source()
    health = [source_health(store, s, counts.get(s.id or 0, 0)) for s in store.sources()]
    health.sort(key=lambda h: (h.status != "failing", h.name.lower()))
    return SourceList(sources=health)


def one_source(store: Store, source_id: int) -> SourceDetail:
    """One source with its fetch log and newest items; 404 when there is no such source."""
    source = store.source(source_id)
    if source is None:
        raise HTTPException(404, f"No source has id {source_id}; list the sources at /api/sources.")
    count = store.item_counts_by_source().get(source_id, 0)
    return SourceDetail(
        source=source_health(store, source, count, fetch_log=FETCH_LOG),
        items=[ItemOut.of(i) for i in store.recent_items(SOURCE_ITEMS, source_id=source_id)],
    )


@router.get("/sources", include_in_schema=False)
def sources_page(request: Request, store: StoreDep, pages: PagesDep) -> HTMLResponse:
    trends = DashboardReads(store).daily_by_source(TREND_DAYS, datetime.now(UTC).date())
    return pages.render(
        request,
        "sources.html",
        data=all_sources(store),
        trends=trends,
        active="sources",
        api_url="/api/sources",
    )


@router.get("/api/sources", response_model=SourceList)
def sources_api(store: StoreDep) -> SourceList:
    """List every source with its health, failing ones first."""
    return all_sources(store)


@router.get("/sources/{source_id}", include_in_schema=False)
def source_page(request: Request, source_id: int, store: StoreDep, pages: PagesDep) -> HTMLResponse:
    try:
        data = one_source(store, source_id)
    except HTTPException:
        return pages.not_found(request, "sources")
    api_url = f"/api/sources/{source_id}"
    return pages.render(request, "source.html", data=data, active="sources", api_url=api_url)


@router.get("/api/sources/{source_id}", response_model=SourceDetail)
def source_api(source_id: int, store: StoreDep) -> SourceDetail:
    """Show one source: its health, recent fetch log and newest items."""
    return one_source(store, source_id)
