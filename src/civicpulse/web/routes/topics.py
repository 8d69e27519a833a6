"""Watched topics: list, create and edit boolean queries, with a syntax check and a preview of matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicpulse.access.permissions import Permission, Principal
from civicpulse.errors import InputError
from civicpulse.models import Topic
from civicpulse.store import Store
from civicpulse.store.dashboard import DashboardReads
from civicpulse.store.scale import items_by_ids
from civicpulse.store.understanding import TopicTables
from civicpulse.web.auth import record, require
from civicpulse.web.dashboard_schemas import TopicCheck, TopicIn, TopicOut, TopicPreview
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.i18n import DEFAULT_LANGUAGE, Translator, choose_language
from civicpulse.web.schemas import ItemOut
from civicpulse.web.workbench import Workbench, WorkbenchDep

router = APIRouter(tags=["topics"])
Viewer = Annotated[Principal, require(Permission.VIEW_DASHBOARD)]
Editor = Annotated[Principal, require(Permission.EDIT_TOPICS)]
QueryText = Annotated[str, Query(max_length=2000, description="A boolean topic query.")]
PREVIEW_ITEMS = 3000  # the newest items a preview runs over: instant, and recent is what matters
SAMPLES = 6
MAX_ID = 2**31


def topic_list(store: Store) -> list[TopicOut]:
    counts = TopicTables(store).match_counts()
    return [TopicOut.of(tp, counts.get(tp.id or 0, 0)) for tp in TopicTables(store).topics()]


def check(workbench: Workbench, query: str, t: Translator | None = None) -> TopicCheck:
    """Whether `query` parses, else its problem, position and code, worded by `t` (Vietnamese by default)."""
    words = t or Translator(DEFAULT_LANGUAGE)
    if not query.strip():
        return TopicCheck(
            ok=False,
            problem='the query is empty; type words, "phrases", AND, OR, NOT',
            position=0,
            code="empty",
            message=words("topics.problem.empty"),
        )
    error = workbench.query_error(query)
    if error is None:
        return TopicCheck(ok=True)
    # A code this app has no words for still shows the parser's English rather than a bare key.
    key = f"topics.problem.{error.code}"
    message = words(key, token=error.token) if key in words.strings else error.problem
    return TopicCheck(
        ok=False, problem=error.problem, position=error.position, code=error.code, message=message
    )


def preview(store: Store, workbench: Workbench, query: str, t: Translator | None = None) -> TopicPreview:
    """Run `query` over the newest items: how many match (overall, last 24 hours) and a few of them."""
    verdict = check(workbench, query, t)
    if not verdict.ok:
        return TopicPreview(check=verdict, scanned=0, matched=0, last_24h=0, samples=[])
    matches = workbench.matcher(query)
    texts = DashboardReads(store).recent_texts(PREVIEW_ITEMS)
    found = [(item_id, at) for item_id, text, at in texts if matches(text)]
    day = datetime.now(UTC) - timedelta(hours=24)
    items = items_by_ids(store, [i for i, _ in found[:SAMPLES]])
    return TopicPreview(
        check=verdict,
        scanned=len(texts),
        matched=len(found),
        last_24h=sum(1 for _, at in found if at is not None and at >= day),
        samples=[ItemOut.of(items[i]) for i, _ in found[:SAMPLES] if i in items],
    )


def save(store: Store, workbench: Workbench, body: TopicIn, topic_id: int | None) -> Topic:
    """Create or change a topic; 422 with the problem when its query does not parse, 404 for no such id."""
    verdict = check(workbench, body.query)
    if not verdict.ok:
        raise HTTPException(422, f"{verdict.problem} at column {(verdict.position or 0) + 1}")
    values = {"name": body.name.strip(), "query": body.query.strip(), "category": body.category.strip()}
    if topic_id is None:
        return TopicTables(store).add(
            Topic(values["name"], values["query"], category=values["category"], enabled=body.enabled)
        )
    try:
        changed = (
            DashboardReads(store).update_topic(topic_id, enabled=body.enabled, **values)
            if topic_id < MAX_ID
            else None
        )
    except InputError as exc:
        raise HTTPException(409, str(exc)) from exc
    if changed is None:
        raise HTTPException(404, f"No topic {topic_id}; list them at /api/topics.")
    return changed


@router.get("/topics", include_in_schema=False)
def topics_page(request: Request, store: StoreDep, pages: PagesDep, _principal: Viewer) -> HTMLResponse:
    return pages.render(
        request, "topics.html", topics=topic_list(store), active="topics", api_url="/api/topics"
    )


@router.get("/api/topics", response_model=list[TopicOut])
def topics_api(store: StoreDep, _principal: Viewer) -> list[TopicOut]:
    """List the watched topics with how many items each has matched."""
    return topic_list(store)


@router.get("/api/topics/check", response_model=TopicCheck)
def check_api(request: Request, workbench: WorkbenchDep, _principal: Viewer, q: QueryText = "") -> TopicCheck:
    """Check a query's syntax: `ok`, or the problem (code, your language's words) and its 0-based position."""
    return check(workbench, q, Translator(choose_language(request)))


@router.get("/api/topics/preview", response_model=TopicPreview)
def preview_api(
    request: Request, store: StoreDep, workbench: WorkbenchDep, _principal: Viewer, q: QueryText = ""
) -> TopicPreview:
    """Count how many of the newest 3,000 items a query matches (and in the last 24 hours), with samples."""
    return preview(store, workbench, q, Translator(choose_language(request)))


def editor(
    request: Request,
    *,
    pages: PagesDep,
    store: Store,
    workbench: Workbench,
    topic_id: int | None,
    body: TopicIn,
    status_code: int = 200,
) -> HTMLResponse:
    t = Translator(choose_language(request))
    verdict = check(workbench, body.query, t) if body.query else TopicCheck(ok=True)
    shown = preview(store, workbench, body.query, t) if body.query and verdict.ok else None
    return pages.render(
        request,
        "topic_edit.html",
        status_code=status_code,
        topic_id=topic_id,
        form=body,
        verdict=verdict,
        preview=shown,
        active="topics",
        api_url=f"/api/topics/{topic_id}" if topic_id else "/api/topics",
    )


@router.get("/topics/new", include_in_schema=False)
def new_page(
    request: Request, store: StoreDep, pages: PagesDep, workbench: WorkbenchDep, _principal: Editor
) -> HTMLResponse:
    body = TopicIn.model_construct(
        name="", query=request.query_params.get("q", "")[:2000], category="", enabled=True
    )
    return editor(request, pages=pages, store=store, workbench=workbench, topic_id=None, body=body)


@router.get("/topics/{topic_id}", include_in_schema=False)
def edit_page(
    request: Request,
    topic_id: int,
    store: StoreDep,
    pages: PagesDep,
    workbench: WorkbenchDep,
    _principal: Viewer,
) -> Response:
    topic = DashboardReads(store).topic(topic_id) if 0 < topic_id < MAX_ID else None
    if topic is None:
        return pages.not_found(request, "topics")
    body = TopicIn(name=topic.name, query=topic.query, category=topic.category, enabled=topic.enabled)
    return editor(request, pages=pages, store=store, workbench=workbench, topic_id=topic_id, body=body)


@router.get("/api/topics/{topic_id}", response_model=TopicOut)
def topic_api(topic_id: int, store: StoreDep, _principal: Viewer) -> TopicOut:
    """Show one topic with its match count."""
    topic = DashboardReads(store).topic(topic_id) if 0 < topic_id < MAX_ID else None
    if topic is None:
        raise HTTPException(404, f"No topic {topic_id}; list them at /api/topics.")
    return TopicOut.of(topic, TopicTables(store).match_counts().get(topic_id, 0))


@router.post("/topics", include_in_schema=False)
@router.post("/topics/{topic_id}", include_in_schema=False)
def save_form(
    request: Request,
    *,
    store: StoreDep,
    pages: PagesDep,
    workbench: WorkbenchDep,
    principal: Editor,
    name: Annotated[str, Form(max_length=300)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
    category: Annotated[str, Form(max_length=100)] = "",
    enabled: Annotated[bool, Form()] = False,
    action: Annotated[str, Form(max_length=20)] = "save",
    topic_id: int | None = None,
) -> Response:
    body = TopicIn.model_construct(name=name, query=query, category=category, enabled=enabled)
    verdict = check(workbench, query)
    if action == "preview" or not verdict.ok or not name.strip():
        # Without JavaScript this is where the caret under the error appears; nothing is saved.
        status = 200 if action == "preview" else 422
        return editor(
            request,
            pages=pages,
            store=store,
            workbench=workbench,
            topic_id=topic_id,
            body=body,
            status_code=status,
        )
    topic = save(
        store, workbench, TopicIn(name=name, query=query, category=category, enabled=enabled), topic_id
    )
    record(
        request,
        principal,
        "topic.update" if topic_id else "topic.create",
        f"topic:{topic.id}",
        query=topic.query,
    )
    return RedirectResponse(f"/topics/{topic.id}?saved=1", status_code=303)


@router.post("/api/topics", response_model=TopicOut, status_code=201)
def create_api(
    request: Request, body: TopicIn, store: StoreDep, workbench: WorkbenchDep, principal: Editor
) -> TopicOut:
    """Create a topic (or replace the one with the same name); 422 with the position if the query is wrong."""
    topic = save(store, workbench, body, None)
    record(request, principal, "topic.create", f"topic:{topic.id}", query=topic.query)
    return TopicOut.of(topic, 0)


@router.put("/api/topics/{topic_id}", response_model=TopicOut)
def update_api(
    request: Request,
    *,
    topic_id: int,
    body: TopicIn,
    store: StoreDep,
    workbench: WorkbenchDep,
    principal: Editor,
) -> TopicOut:
    """Change a topic's name, query, category or enabled flag."""
    topic = save(store, workbench, body, topic_id)
    record(request, principal, "topic.update", f"topic:{topic_id}", query=topic.query)
    return TopicOut.of(topic, TopicTables(store).match_counts().get(topic_id, 0))
