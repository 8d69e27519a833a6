"""A served app (uvicorn on a free loopback port, in a thread) with the showcase data, and Debian's Chromium.

The tests skip when Chromium or Playwright is missing, unless CIVICPULSE_REQUIRE_SERVICES=1 (CI), where they
must run. Chromium is never downloaded: Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from civicpulse.access.control import AccessControl
from civicpulse.config import Settings, with_secrets
from civicpulse.pipeline.workbench import Workbench
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import Store, open_store
from civicpulse.web.app import create_app
from tests.browser.showcase import load_showcase
from tests.conftest import service_missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
STARTUP_S = 30.0


@dataclass(frozen=True)
class Served:
    """The running app: its base URL, its store and the ids of the showcase records."""

    url: str
    store: Store
    ids: dict[str, int]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def chromium_path() -> str:
    """Debian's chromium, or skip (fail in CI) saying how to install it."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        service_missing("Chromium", FileNotFoundError("install it with `apt-get install chromium`"))
    return str(found)


@contextlib.contextmanager
def serve_showcase(data: Path) -> Iterator[Served]:
    """Serve the app with the showcase loaded (data under `data`) until the block ends."""
    import uvicorn

    settings = with_secrets(
        Settings(
            data_dir=data, per_host_delay_s=0.0, argon2_time_cost=1, argon2_memory_kib=1024, _env_file=None
        )
    )
    store = open_store(f"sqlite:///{data / 'civicpulse.db'}", upgrade=True)
    ids = load_showcase(settings, store)
    access = AccessControl(store, settings)
    access.tables.add_user("ana", "analyst", (), access.passwords.hash(PASSWORD), access.clock())
    app = create_app(settings, store, desk=ResponseDesk(settings, store), workbench=Workbench(store))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, name="showcase-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_S
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Served(f"http://127.0.0.1:{port}", store, ids)
    finally:
        server.should_exit = True
        thread.join(STARTUP_S)
        store.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app with the showcase loaded, served by uvicorn until the session ends."""
    with serve_showcase(tmp_path_factory.mktemp("served")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never downloaded)."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        service_missing("Playwright", exc)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the served app, at desktop width."""
    context = browser.new_context(
        base_url=served.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def sign_in(page: Any, username: str = "ana", password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
