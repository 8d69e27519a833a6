"""The app factory: builds the dashboard over a store; nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from civicpulse import __version__
from civicpulse.config import Settings
from civicpulse.store import Store
from civicpulse.web.rendering import Pages
from civicpulse.web.routes import health, items, overview, quarantine, sources

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, store: Store, pipeline: object | None = None) -> FastAPI:
    """Return the dashboard app reading `store`; JSON under /api, OpenAPI at /api/openapi.json.

    `pipeline` is the running pipeline, handed to actions that add items (the demo) so that its stateful
    stages see them; the app never calls a stage itself.
    """
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
    app.state.pages = Pages()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (overview, items, sources, quarantine, health):
        app.include_router(module.router)
    return app
