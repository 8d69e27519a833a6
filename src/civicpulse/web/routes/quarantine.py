"""What was kept aside for a person to look at, and why."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from civicpulse.access.permissions import Permission
from civicpulse.store import Store
from civicpulse.web.auth import require
from civicpulse.web.deps import PagesDep, StoreDep
from civicpulse.web.schemas import QuarantineList, QuarantineOut

router = APIRouter(tags=["quarantine"], dependencies=[require(Permission.VIEW_DASHBOARD)])
SHOWN = 100


def quarantine_list(store: Store) -> QuarantineList:
    """The newest quarantined entries and how many there are in all."""
    entries = [QuarantineOut.of(e) for e in store.quarantined(SHOWN)]
    return QuarantineList(total=store.stats()["quarantined"], entries=entries)


@router.get("/quarantine", include_in_schema=False)
def quarantine_page(request: Request, store: StoreDep, pages: PagesDep) -> HTMLResponse:
    data = quarantine_list(store)
    return pages.render(request, "quarantine.html", data=data, active="quarantine", api_url="/api/quarantine")


@router.get("/api/quarantine", response_model=QuarantineList)
def quarantine_api(store: StoreDep) -> QuarantineList:
    """List the newest quarantined entries with their reasons."""
    return quarantine_list(store)
