"""Recent items and full-text search (Vietnamese with or without diacritics)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from civicpulse.access.permissions import Permission
from civicpulse.store import Store
from civicpulse.web.auth import require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.schemas import ItemList, ItemOut

router = APIRouter(tags=["items"], dependencies=[require(Permission.VIEW_DASHBOARD)])
QueryParam = Annotated[str, Query(max_length=200, description="Search words; diacritics are optional.")]
LimitParam = Annotated[int, Query(ge=1, le=200, description="Return at most this many items.")]


def find_items(store: Store, query: str, limit: int) -> ItemList:
    """Search when there is a query, else return the newest items."""
    query = query.strip()
    found = store.search(query, limit) if query else store.newest_items(limit)
    return ItemList(query=query, items=[ItemOut.of(i) for i in found])


@router.get("/items", include_in_schema=False)
def items_page(
    request: Request, store: StoreDep, pages: PagesDep, q: QueryParam = "", limit: LimitParam = 50
) -> HTMLResponse:
    data = find_items(store, q, limit)
    query = request.url.remove_query_params("lang").query
    api_url = f"/api/items?{query}" if query else "/api/items"
    return pages.render(request, "items.html", data=data, active="items", api_url=api_url)


@router.get("/api/items", response_model=ItemList)
def items_api(store: StoreDep, q: QueryParam = "", limit: LimitParam = 50) -> ItemList:
    """List the newest items, or search them when `q` is given."""
    return find_items(store, q, limit)
