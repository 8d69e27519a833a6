"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from civicpulse.errors import StoreError
from civicpulse.web.auth import public
from civicpulse.web.deps import StoreDep
from civicpulse.web.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, dependencies=[public()])
def healthz() -> Health:
    """Report that the process is up and serving."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}}, dependencies=[public()])
def readyz(store: StoreDep) -> Health | JSONResponse:
    """Report whether the database is reachable (503 when it is not)."""
    try:
        store.ping()
    except StoreError as exc:
        body = Health(status="unavailable", detail=str(exc))
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", detail=store.dialect)
