"""Stories: a filtered list by page, and one story with its timeline, sources, places, samples and claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from civicpulse.access.permissions import Permission, Principal
from civicpulse.models import Story
from civicpulse.store import Store
from civicpulse.store.browse import story_page
from civicpulse.store.claims import ClaimTables
from civicpulse.store.clarifications import ClarificationTables
from civicpulse.store.dashboard import DashboardReads
from civicpulse.store.response import ResponseTables
from civicpulse.store.stories import StoryTables
from civicpulse.store.understanding import TopicTables
from civicpulse.web.auth import record, require
from civicpulse.web.chart import last_hours
from civicpulse.web.dashboard_schemas import (
    ActivityHour,
    ClaimMatchOut,
    FilterValues,
    SourceShare,
    StoryDetail,
    StoryList,
    StoryOut,
    UnitValue,
)
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.hotspots import alert_out
from civicpulse.web.i18n import Translator, choose_language
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
from civicpulse.web.rendering import CITY_ZONE
from civicpulse.web.response_schemas import CaseOut
from civicpulse.web.schemas import ItemOut
from civicpulse.web.trend import band_chart, rolling_band
from civicpulse.web.workbench import MaybeWorkbenchDep, unit_names

router = APIRouter(tags=["stories"])
Viewer = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
Labeller = Annotated[Principal, require(Permission.LABEL_ITEMS)]
SPARK_HOURS = 48
BAND_WINDOW = 12
SAMPLES = 8
TIMELINE_HOURS = 24 * 14  # the chart's longest span, band window included
MAX_ID = 2**31


def spark_hours(store: Store, stories: list[Story], now: datetime) -> dict[int, list[int]]:
    """Each story's items per hour over the last 48 hours (zeros filled in)."""
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=SPARK_HOURS - 1)
    found = DashboardReads(store).story_hours([s.id or 0 for s in stories], since)
    return {
        s.id or 0: [c for _, c in last_hours(found.get(s.id or 0, {}), now, SPARK_HOURS)] for s in stories
    }


def list_stories(store: Store, values: FilterValues, cursor: str, limit: int) -> StoryList:
    """A page of stories matching the filters, most recently active first."""
    now = datetime.now(UTC)
    after = decode_cursor(cursor)
    key = None if after is None or after[0] is None else (after[0], after[1])
    found = story_page(store, to_filters(values, now), after=key, limit=limit)
    hours = spark_hours(store, found, now)
    last = found[-1] if len(found) == limit else None
    return StoryList(
        stories=[StoryOut.of(s, hours[s.id or 0]) for s in found],
        next_cursor=encode_cursor(last.last_seen, last.id or 0) if last else None,
        filters=values,
    )


def timeline(store: Store, story: Story) -> list[ActivityHour]:
    """The story's items per hour from its first hour to its last (at most 14 days), with the band before."""
    first, buckets = DashboardReads(store).story_timeline(story.id or 0, TIMELINE_HOURS)
    if first is None or not buckets:
        return []
    last = max(buckets)
    hours = min(int((last - first).total_seconds() // 3600) + 1 + BAND_WINDOW, TIMELINE_HOURS)
    series = last_hours(buckets, last, hours)
    band = rolling_band([c for _, c in series], BAND_WINDOW)
    rows = [
        ActivityHour(start=s, count=c, low=round(lo, 2), high=round(hi, 2))
        for (s, c), (lo, hi) in zip(series, band, strict=True)
    ]
    return rows[BAND_WINDOW:] if len(rows) > BAND_WINDOW + 1 else rows


def story_detail(
    store: Store, story_id: int, t: Translator, names: dict[str, str], principal: Principal
) -> StoryDetail:
    """Everything the story page shows; 404 when there is no such story."""
    story = StoryTables(store).story(story_id) if 0 < story_id < MAX_ID else None
    if story is None:
        raise HTTPException(404, f"No story {story_id}; list the stories at /api/stories.")
    reads = DashboardReads(store)
    now = datetime.now(UTC)
    matches = reads.story_claims(story_id)
    texts = reads.claim_texts([m.claim_id for m in matches])
    topics = {tp.id or 0: tp.name for tp in TopicTables(store).topics()}
    alerts = [alert_out(a, t, names, topics) for a in reads.story_alerts(story_id)]
    case = ResponseTables(store).open_case_for_story(story_id)
    counts = reads.story_units(story_id)
    return StoryDetail(
        story=StoryOut.of(story, spark_hours(store, [story], now)[story_id]),
        timeline=timeline(store, story),
        sources=[SourceShare(**row) for row in reads.story_sources(story_id)],
        units=[
            UnitValue(code=code, name=names.get(code, code), items=n, negative_share=None)
            for code, n in sorted(counts.items(), key=lambda kv: -kv[1])
        ],
        tone=reads.story_tone(story_id),
        samples=[ItemOut.of(i) for i in reads.story_items(story_id, SAMPLES)],
        claims=[
            ClaimMatchOut(
                item_id=m.item_id,
                claim_id=m.claim_id,
                claim=texts.get(m.claim_id, ("", ""))[0],
                verdict=texts.get(m.claim_id, ("", ""))[1],
                score=m.score,
                status=m.status,
                decided_by=m.decided_by,
            )
            for m in matches
        ],
        alerts=[a for a in alerts if principal.all_units or principal.sees_any(a.units)],
        case=CaseOut.of(case, now) if case and principal.sees_any(case.units) else None,
        clarifications=[
            {"id": c.id, "title": c.title_vi, "title_en": c.title_en, "status": str(c.status)}
            for c in ClarificationTables(store).for_story(story_id)
        ],
    )


@router.get("/stories", include_in_schema=False)
def stories_page(
    request: Request,
    *,
    store: StoreDep,
    pages: PagesDep,
    _principal: Viewer,
    values: FiltersDep,
    cursor: Cursor = "",
    limit: Limit = 50,
) -> HTMLResponse:
    data = list_stories(store, values, cursor, limit)
    return pages.render(
        request,
        "stories.html",
        data=data,
        topics=TopicTables(store).topics(),
        more=next_page(request, data.next_cursor),
        active="stories",
        api_url=twin(request, "/api/stories"),
    )


@router.get("/api/stories", response_model=StoryList)
def stories_api(
    store: StoreDep, _principal: Viewer, values: FiltersDep, cursor: Cursor = "", limit: Limit = 50
) -> StoryList:
    """List stories, most recently active first, with the filters; page with `cursor`."""
    return list_stories(store, values, cursor, limit)


@router.get("/stories/{story_id}", include_in_schema=False)
def story_view(
    request: Request,
    *,
    story_id: int,
    store: StoreDep,
    pages: PagesDep,
    principal: Viewer,
    workbench: MaybeWorkbenchDep,
) -> HTMLResponse:
    t = Translator(choose_language(request))
    try:
        data = story_detail(store, story_id, t, unit_names(workbench), principal)
    except HTTPException:
        return pages.not_found(request, "stories")
    chart = band_chart(
        [(h.start, h.count) for h in data.timeline], [(h.low, h.high) for h in data.timeline], CITY_ZONE
    )
    return pages.render(
        request,
        "story.html",
        data=data,
        chart=chart,
        done=request.query_params.get("done", ""),
        active="stories",
        api_url=f"/api/stories/{story_id}",
    )


@router.get("/api/stories/{story_id}", response_model=StoryDetail)
def story_api(
    request: Request, story_id: int, store: StoreDep, principal: Viewer, workbench: MaybeWorkbenchDep
) -> StoryDetail:
    """Show one story: timeline with its normal band, sources, units, tone, samples, claims, alerts, case."""
    t = Translator(choose_language(request))
    return story_detail(store, story_id, t, unit_names(workbench), principal)


Decision = Literal["linked", "rejected"]


def decide(store: Store, *, story_id: int, item_id: int, claim_id: int, status: str, analyst: str) -> None:
    """Confirm or reject a claim match of one of the story's items; 404 when it is not the story's."""
    reads = DashboardReads(store)
    if not (0 < item_id < MAX_ID and 0 < claim_id < MAX_ID) or reads.item_story(item_id) != story_id:
        raise HTTPException(404, f"Item {item_id} is not in story {story_id}; see /api/stories/{story_id}.")
    if ClaimTables(store).get(claim_id) is None:
        raise HTTPException(404, f"No claim {claim_id}; list claims with `civicpulse claims list`.")
    ClaimTables(store).decide(item_id, claim_id, status, analyst)


@router.post("/stories/{story_id}/claims", include_in_schema=False)
def decide_form(
    request: Request,
    *,
    story_id: int,
    store: StoreDep,
    principal: Labeller,
    item_id: Annotated[int, Form()],
    claim_id: Annotated[int, Form()],
    status: Annotated[Decision, Form()],
) -> RedirectResponse:
    decide(
        store,
        story_id=story_id,
        item_id=item_id,
        claim_id=claim_id,
        status=status,
        analyst=principal.username,
    )
    record(request, principal, f"claim.{status}", f"claim:{claim_id}", item=item_id, story=story_id)
    return RedirectResponse(f"/stories/{story_id}?done=claim#claims", status_code=303)


@router.post("/api/stories/{story_id}/claims", response_model=ClaimMatchOut)
def decide_api(
    request: Request,
    *,
    story_id: int,
    store: StoreDep,
    principal: Labeller,
    item_id: int,
    claim_id: int,
    status: Decision,
) -> ClaimMatchOut:
    """Confirm (`linked`) or reject (`rejected`) a suggested claim match of one of the story's items."""
    decide(
        store,
        story_id=story_id,
        item_id=item_id,
        claim_id=claim_id,
        status=status,
        analyst=principal.username,
    )
    record(request, principal, f"claim.{status}", f"claim:{claim_id}", item=item_id, story=story_id)
    [match] = ClaimTables(store).matches(item_id=item_id, claim_id=claim_id)
    claim = ClaimTables(store).get(claim_id)
    return ClaimMatchOut(
        item_id=item_id,
        claim_id=claim_id,
        claim=claim.text if claim else "",
        verdict=claim.verdict if claim else "",
        score=match.score,
        status=match.status,
        decided_by=match.decided_by,
    )
