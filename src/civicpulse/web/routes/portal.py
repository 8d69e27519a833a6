"""The public portal (no sign-in): official clarifications, search, one page each, Atom feed, JSON API.

It shows official text and aggregates only — never items, authors or pseudonyms — and a count below the
minimum (`portal_min_count`) is shown as "fewer than N", so a small number cannot point to a person.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from civicpulse.config import Settings
from civicpulse.models import Clarification
from civicpulse.store import Store
from civicpulse.store.clarifications import ClarificationTables
from civicpulse.store.stories import StoryTables
from civicpulse.web.atom import atom_feed
from civicpulse.web.auth import public
from civicpulse.web.deps import PagesDep, SettingsDep, StoreDep
from civicpulse.web.response_deps import DeskDep
from civicpulse.web.response_schemas import ClarificationOut, PortalList, PortalPage, RevisionOut

router = APIRouter(tags=["portal"], dependencies=[public()])
FEED_SIZE = 50


def suppressed(count: int, minimum: int) -> str:
    """A count for the public: the number at or above `minimum`, else 'fewer than N' (`<N`)."""
    return str(count) if count >= minimum else f"<{minimum}"


def published(store: Store, clarification_id: int) -> Clarification:
    found = ClarificationTables(store).get(clarification_id)
    if found is None or found.status != "published":
        raise HTTPException(
            404, f"No published clarification {clarification_id}; see /api/portal/clarifications."
        )
    return found


def portal_page(store: Store, settings: Settings, desk: Any, clarification: Clarification) -> PortalPage:
    stories = StoryTables(store)
    discussed = sum(s.item_count for i in clarification.story_ids if (s := stories.story(i)) is not None)
    revisions = [
        RevisionOut(
            revision=r["revision"],
            at=r["at"],
            note=r["note"] if r["revision"] > 1 else "",
            title_vi=r["content"]["title_vi"],
            body_vi=r["content"]["body_vi"],
        )
        for r in ClarificationTables(store).revisions(clarification.id or 0)
    ]
    return PortalPage(
        clarification=ClarificationOut.of(clarification, public=True),
        revisions=revisions,
        claim_reviews=desk.claim_reviews(clarification),
        discussion=suppressed(discussed, settings.portal_min_count),
    )


@router.get("/portal", include_in_schema=False)
def portal_list_page(request: Request, *, store: StoreDep, pages: PagesDep) -> HTMLResponse:
    query = request.query_params.get("q", "")[:200]
    found = ClarificationTables(store).find(query=query)
    return pages.render(
        request,
        "portal_list.html",
        data=found,
        query=query,
        active="portal",
        api_url="/api/portal/clarifications",
    )


@router.get("/api/portal/clarifications", response_model=PortalList)
def portal_list_api(store: StoreDep, q: str = "") -> PortalList:
    """List published clarifications, newest first; `q` searches with or without diacritics."""
    found = ClarificationTables(store).find(query=q[:200])
    return PortalList(query=q, clarifications=[ClarificationOut.of(c, public=True) for c in found])


@router.get("/portal/feed.atom", include_in_schema=False)
def portal_feed(store: StoreDep, settings: SettingsDep) -> Response:
    found = ClarificationTables(store).find(limit=FEED_SIZE)
    return Response(
        atom_feed(found, settings.public_url, settings.portal_publisher), media_type="application/atom+xml"
    )


@router.get("/portal/{clarification_id:int}", include_in_schema=False)
def portal_page_view(
    request: Request,
    clarification_id: int,
    *,
    store: StoreDep,
    settings: SettingsDep,
    desk: DeskDep,
    pages: PagesDep,
) -> HTMLResponse:
    try:
        data = portal_page(store, settings, desk, published(store, clarification_id))
    except HTTPException:
        return pages.not_found(request, "portal")
    json_ld = json.dumps(data.claim_reviews, ensure_ascii=False).replace("</", "<\\/")
    return pages.render(
        request,
        "portal_page.html",
        data=data,
        active="portal",
        json_ld=json_ld,
        api_url=f"/api/portal/clarifications/{clarification_id}",
    )


@router.get("/api/portal/clarifications/{clarification_id}", response_model=PortalPage)
def portal_page_api(
    clarification_id: int, store: StoreDep, settings: SettingsDep, desk: DeskDep
) -> PortalPage:
    """Show one published clarification with its revisions and its ClaimReview objects."""
    return portal_page(store, settings, desk, published(store, clarification_id))
