"""Every route × every role: allowed, 401/redirect when signed out, 403 without the permission.

Routes are read from the app, so a route added later is covered at once, and a route that declares no
permission (`web.auth.require` or `public`) fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from civicpulse.access.permissions import Permission, Role, allows
from civicpulse.config import Settings
from civicpulse.pipeline.workbench import Workbench
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import Store
from civicpulse.web.app import create_app
from civicpulse.web.auth import PUBLIC, api_routes, declared_permissions
from tests.web.conftest import BASE_URL, TestClient, access_of, make_user

ANONYMOUS = "anonymous"
SAMPLES = {"source_id": "1", "token_id": "999999", "username": "nobody"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLES.get(m.group(1), "1"), path)


def expected(route: Any, role: str) -> str:
    """Return "allowed", "signin" or "forbidden" for `role` on `route`."""
    declared = declared_permissions(route)
    if PUBLIC in declared:
        return "allowed"
    if role == ANONYMOUS:
        return "signin"
    return "allowed" if all(allows(role, Permission(p)) for p in declared) else "forbidden"


def outcome(path: str, status: int, location: str) -> str:
    if status == 401 and path.startswith("/api/"):
        return "signin"
    if status == 303 and location.startswith("/login?next=") and not path.startswith("/api/"):
        return "signin"
    if status == 403:
        return "forbidden"
    return "allowed" if status < 500 and status != 401 else f"status {status}"


@pytest.fixture
def app(settings: Settings, sqlite_store: Store) -> FastAPI:
    # With the response desk and the workbench, as `civicpulse run` builds it, so routes answer, not 503.
    desk = ResponseDesk(settings, sqlite_store)
    return create_app(settings, sqlite_store, desk=desk, workbench=Workbench(sqlite_store))


def test_every_route_declares_who_may_use_it(app: FastAPI) -> None:
    assert [f"{sorted(r.methods)} {r.path}" for r in api_routes(app) if not declared_permissions(r)] == []
    assert len(api_routes(app)) >= 25


def test_a_route_without_a_declared_permission_is_caught(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router)
    [route] = [r for r in api_routes(app) if r.path == "/forgotten"]
    assert declared_permissions(route) == set()


@pytest.mark.parametrize("role", [ANONYMOUS, *(r.value for r in Role)])
def test_role_route_matrix(app: FastAPI, role: str) -> None:
    with TestClient(app, base_url=BASE_URL) as client:
        if role != ANONYMOUS:
            access = access_of(client)
            owner = make_user(
                client, f"m-{role.replace('_', '-')}", role, ("26734",) if role == "unit_officer" else ()
            )
            token, _ = access.tokens.create(owner, "matrix")
            client.headers["Authorization"] = f"Bearer {token}"
        wrong = []
        for route in api_routes(app):
            path = concrete(route.path)
            for method in sorted(route.methods - {"HEAD"}):
                response = client.request(method, path, follow_redirects=False)
                got = outcome(path, response.status_code, response.headers.get("location", ""))
                want = expected(route, role)
                # Public forms still check their own CSRF token (a 403 here is that, not a role).
                if PUBLIC in declared_permissions(route) and response.status_code in (403, 303):
                    got = "allowed"
                if got != want:
                    wrong.append(
                        f"{method} {path} as {role}: {got} ({response.status_code}), expected {want}"
                    )
    assert wrong == []


def test_static_assets_and_the_portal_prefix_are_open(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/portal/clarifications")
    def portal() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(router)
    [route] = [r for r in api_routes(app) if r.path == "/portal/clarifications"]
    assert declared_permissions(route) == {PUBLIC}
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/portal/clarifications").json() == {"ok": "yes"}
        assert client.get("/static/style.css").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/login").status_code == 200
