"""What route handlers receive: the store, the settings and the page renderer of this app."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from civicpulse.config import Settings
from civicpulse.store import Store
from civicpulse.web.rendering import Pages


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def get_pipeline(request: Request) -> Any:
    return request.app.state.pipeline


StoreDep = Annotated[Store, Depends(get_store)]
PipelineDep = Annotated[Any, Depends(get_pipeline)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PagesDep = Annotated[Pages, Depends(get_pages)]
