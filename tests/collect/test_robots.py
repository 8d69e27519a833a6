"""robots.txt: what it forbids is not fetched; a missing one allows everything; errors wait."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from civicpulse.collect.http import Fetched, make_client
from civicpulse.collect.pages import PageConnector
from civicpulse.collect.robots import FAILED_TTL_S, RobotsRules
from civicpulse.config import Settings
from civicpulse.errors import Quarantine, Retry
from civicpulse.models import SourceKind, SourceState
from tests import factories
from tests.collect.conftest import FixtureServer, static

ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: civicpulse\nDisallow: /thoi-su/ket-xe\n"


def fetched(body: bytes) -> Fetched:
    return Fetched("https://w.vn/robots.txt", 200, httpx.Headers(), body)


def test_rules_follow_the_file_for_our_user_agent() -> None:
    rules = RobotsRules(lambda url: fetched(ROBOTS))
    assert rules.allowed("https://w.vn/thoi-su/ngap.html")
    assert not rules.allowed("https://w.vn/thoi-su/ket-xe-cau-sai-gon.html")


def test_a_missing_file_allows_and_a_server_error_waits() -> None:
    def missing(url: str) -> Fetched:
        raise Quarantine("HTTP 404")

    assert RobotsRules(missing).allowed("https://w.vn/any")
    now = [0.0]
    calls: list[str] = []

    def failing(url: str) -> Fetched:
        calls.append(url)
        raise Retry("HTTP 503")

    rules = RobotsRules(failing, clock=lambda: now[0])
    assert not rules.allowed("https://w.vn/a")
    assert not rules.allowed("https://w.vn/b")
    assert len(calls) == 1  # remembered for a while
    now[0] += FAILED_TTL_S + 1
    rules.allowed("https://w.vn/c")
    assert len(calls) == 2


def test_pages_skip_what_robots_forbids(settings: Settings, server: FixtureServer, tmp_path: Path) -> None:
    robots = tmp_path / "robots.txt"
    robots.write_bytes(ROBOTS)
    server.routes["/robots.txt"] = static(robots, etag=False)
    connector = PageConnector(settings, make_client(settings))
    harvest = connector.fetch(factories.source(server.url("/thoi-su/"), kind=SourceKind.PAGE), SourceState())
    assert len(harvest.entries) == 1
    assert server.hits["/thoi-su/ket-xe-cau-sai-gon.html"] == 0
    assert server.hits["/robots.txt"] == 1
    # Our own group applies, not `*`: /private/ is open to civicpulse, the traffic story is not.
    forbidden = factories.source(server.url("/thoi-su/ket-xe-cau-sai-gon.html"), kind=SourceKind.PAGE)
    with pytest.raises(Quarantine, match=r"robots\.txt of .* asks robots not to fetch"):
        connector.fetch(forbidden, SourceState())
    assert server.hits["/thoi-su/ket-xe-cau-sai-gon.html"] == 0
