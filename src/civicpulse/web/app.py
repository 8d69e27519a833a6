"""The app factory: builds the dashboard over a store; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from civicpulse import __version__
from civicpulse.access.clock import Clock, utcnow
from civicpulse.access.control import AccessControl
from civicpulse.config import Settings
from civicpulse.errors import ConfigError
from civicpulse.store import Store
from civicpulse.web import auth
from civicpulse.web.exports import Exporter
from civicpulse.web.rendering import Pages
from civicpulse.web.routes import (
    account,
    admin,
    alerts,
    audit,
    cases,
    clarifications,
    field,
    guide,
    health,
    items,
    labels,
    login,
    overview,
    portal,
    quarantine,
    reports,
    search,
    sources,
    stories,
    topics,
    units,
)

STATIC = Path(__file__).parent / "static"


async def out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    """A number too large for a date or a database integer is the caller's mistake (400), not a crash."""
    return JSONResponse(
        {"detail": f"A number in the request is out of range ({exc}); use a smaller one."}, 400
    )


def create_app(
    settings: Settings,
    store: Store,
    pipeline: object | None = None,
    *,
    clock: Clock = utcnow,
    desk: object | None = None,
    workbench: object | None = None,
) -> FastAPI:
    """Return the dashboard app reading `store`; JSON under /api, OpenAPI at /api/openapi.json.

    `pipeline` is the running pipeline, handed to actions that add items (the demo) so that its stateful
    stages see them; the app never calls a stage itself. Every route declares who may use it
    (`web.auth.require`); `clock` is injectable so tests can expire sessions and lockouts. `desk` is the
    response desk (cases, field reports, clarifications), built by the command that starts the app;
    `workbench` (`pipeline.workbench.Workbench`) checks topic queries, knows the units and moves alerts.
    """
    if not settings.session_secret:
        raise ConfigError("session_secret is empty; build settings with config.with_secrets(Settings()).")
    app = FastAPI(
        title="civicpulse",
        version=__version__,
        description="Read what civicpulse collected: items, sources and their health, quarantine.",
        openapi_url="/api/openapi.json",
        # The interactive docs pages load their scripts from a CDN; the dashboard serves only its own assets.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.pipeline = pipeline
    app.state.desk = desk
    app.state.workbench = workbench
    app.state.exporter = Exporter(settings.data_dir / "exports")
    app.state.pages = Pages()
    app.state.access = AccessControl(store, settings, clock)
    auth.install(app, app.state.pages.forbidden)
    app.add_exception_handler(OverflowError, out_of_range)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (overview, items, sources, quarantine, health, login, account, admin, audit):
        app.include_router(module.router)
    for module in (cases, field, clarifications, reports, portal):  # the response loop (issue 8)
        app.include_router(module.router)
    for module in (stories, alerts, topics, units, search, labels, guide):  # the analysts' dashboard (7, 5)
        app.include_router(module.router)
    return app
