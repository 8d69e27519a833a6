"""Sources with their health: last success, error streak, recent fetch log, newest items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from civicpulse.access.permissions import Permission
from civicpulse.models import Source, SourceKind
from civicpulse.store import Store
from civicpulse.store.dashboard import DashboardReads
from civicpulse.web.auth import require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.memo import remembered
from civicpulse.web.schemas import (
    FetchOut,
    ItemOut,
    RateWindow,
    SourceDetail,
    SourceHealth,
    SourceList,
    SourceStatus,
)

router = APIRouter(tags=["sources"], dependencies=[require(Permission.VIEW_DASHBOARD)])
FETCH_LOG = 20
SOURCE_ITEMS = 20
RateName = Literal["24h", "7d"]
# The sparkline beside each source: items collected per hour over a day, or per six hours over a week.
RATE_WINDOWS: dict[str, tuple[timedelta, timedelta]] = {
    "24h": (timedelta(hours=24), timedelta(hours=1)),
    "7d": (timedelta(days=7), timedelta(hours=6)),
}
WindowParam = Annotated[
    RateName, Query(description="The span of the rate series: 24h (hourly) or 7d (6-hourly).")
]


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


def rate_window(window: RateName, now: datetime) -> RateWindow:
    """The buckets of `window` ending with the current hour (so the newest bucket is filling up)."""
    span, bucket = RATE_WINDOWS[window]
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return RateWindow(
        window=window, start=end - span, bucket_s=int(bucket.total_seconds()), buckets=span // bucket
    )


def source_rates(store: Store, window: RateName) -> tuple[RateWindow, dict[int, list[int]]]:
    """Items collected per source per bucket of `window` (source id → series; absent: none collected)."""
    span = rate_window(window, datetime.now(UTC))
    # Counted at most once a minute (a week of items is a scan of the window); a new hour starts afresh.
    key = f"source_rates_{window}"

    def count() -> tuple[datetime, dict[int, list[int]]]:
        reads = DashboardReads(store)
        return span.start, reads.rate_by_source(span.start, timedelta(seconds=span.bucket_s), span.buckets)

    start, rates = remembered(store, key, count)
    if start != span.start:
        _, rates = remembered(store, key, count, ttl_s=0)
    return span, rates


def all_sources(store: Store, window: RateName = "24h") -> SourceList:
    """Every source with its health and collection rate over `window`, failing ones first."""
    counts = store.item_counts_by_source()
    span, rates = source_rates(store, window)
    health = [
        source_health(store, s, counts.get(s.id or 0, 0)).model_copy(
            update={"rate": rates.get(s.id or 0, [0] * span.buckets)}
        )
        for s in store.sources()
    ]
    health.sort(key=lambda h: (h.status != "failing", h.name.lower()))
    return SourceList(sources=health, rate=span)


def one_source(store: Store, source_id: int) -> SourceDetail:
    """One source with its fetch log and newest items; 404 when there is no such source."""
    source = store.source(source_id)
    if source is None:
        raise HTTPException(404, f"No source has id {source_id}; list the sources at /api/sources.")
    count = store.item_counts_by_source().get(source_id, 0)
    span, rates = source_rates(store, "7d")
    health = source_health(store, source, count, fetch_log=FETCH_LOG)
    return SourceDetail(
        source=health.model_copy(update={"rate": rates.get(source_id, [0] * span.buckets)}),
        rate=span,
        items=[ItemOut.of(i) for i in store.recent_items(SOURCE_ITEMS, source_id=source_id)],
    )


@router.get("/sources", include_in_schema=False)
def sources_page(
    request: Request, store: StoreDep, pages: PagesDep, window: WindowParam = "24h"
) -> HTMLResponse:
    return pages.render(
        request,
        "sources.html",
        data=all_sources(store, window),
        windows=list(RATE_WINDOWS),
        active="sources",
        api_url="/api/sources" if window == "24h" else f"/api/sources?window={window}",
    )


@router.get("/api/sources", response_model=SourceList)
def sources_api(store: StoreDep, window: WindowParam = "24h") -> SourceList:
    """List every source with its health and collection rate (`rate`: items per bucket), failing first."""
    return all_sources(store, window)


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
