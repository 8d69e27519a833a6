"""The collector over a real loopback server, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx

from civicpulse.collect.collector import Collector, SourceResult
from civicpulse.collect.http import make_client
from civicpulse.collect.schedule import HostGate
from civicpulse.config import Settings
from civicpulse.models import Item, SourceKind
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store
from tests import factories
from tests.collect.conftest import FixtureServer

GOOD = {
    "/feeds/vnexpress_tin-moi-nhat_2017-07-26.rss": 25,
    "/feeds/rss091.xml": 2,
    "/feeds/rss10.rdf": 2,
    "/feeds/atom.xml": 2,
    "/feeds/jsonfeed.json": 2,
}
BROKEN = {
    "/missing.rss": ("failed", "HTTP 404"),
    "/500": ("retry", "HTTP 500"),
    "/429": ("retry", "HTTP 429"),
    "/feeds/not-a-feed.html": ("failed", "HTML page, not a feed"),
    "/feeds/bomb.xml": ("failed", "declares XML entities"),
    "/truncated": ("failed", "truncated"),
    "/huge": ("failed", "byte limit"),
    "/huge-undeclared": ("failed", "byte limit"),
    "/slow": ("retry", "timed out"),
}


class Recorder:
    """A stage that remembers what the pipeline gave it."""

    name = "recorder"

    def __init__(self) -> None:
        self.seen: list[Item] = []
        self.lock = threading.Lock()

    def process(self, item: Item) -> Item:
        with self.lock:
            self.seen.append(item)
        return item


def collector_for(settings: Settings, store: Store, stage: Recorder | None = None) -> Collector:
    pipeline = Pipeline(store, [stage] if stage else [])
    return Collector(settings, store, pipeline, make_client(settings))


def add(store: Store, server: FixtureServer, path: str, kind: SourceKind = SourceKind.FEED) -> int:
    source = store.add_source(factories.source(server.url(path), name=path, kind=kind))
    assert source.id is not None
    return source.id


def test_good_feeds_are_stored_once_and_a_304_adds_nothing(
    settings: Settings, store: Store, server: FixtureServer
) -> None:
    for path in GOOD:
        add(store, server, path)
    stage = Recorder()
    collector = collector_for(settings, store, stage)
    first = collector.collect_once()
    assert [(r.name, r.status, r.new) for r in first] == [(p, "ok", n) for p, n in GOOD.items()]
    assert store.stats()["items"] == sum(GOOD.values())
    assert len(stage.seen) == sum(GOOD.values())

    assert collector.collect_once() == []  # nothing is due yet
    second = collector.collect_once(force=True)
    assert {(r.status, r.new) for r in second} == {("not_modified", 0)}
    assert store.stats()["items"] == sum(GOOD.values())
    assert len(stage.seen) == sum(GOOD.values())
    conditional = [h for p, h in server.requests if p in GOOD and "If-None-Match" in h]
    assert len(conditional) == len(GOOD)


def test_a_feed_without_validators_adds_nothing_the_second_time(
    settings: Settings, store: Store, server: FixtureServer
) -> None:
    source_id = add(store, server, "/no-etag.rss")
    collector = collector_for(settings, store)
    assert [(r.status, r.new) for r in collector.collect_once()] == [("ok", 2)]
    assert [(r.status, r.new, r.seen) for r in collector.collect_once(force=True)] == [("ok", 0, 2)]
    assert [f.items_new for f in store.fetches(source_id)] == [0, 2]


def test_every_broken_source_is_reported_quarantined_and_backed_off(
    settings: Settings, store: Store, server: FixtureServer
) -> None:
    settings = settings.model_copy(update={"fetch_timeout_s": 0.3, "max_response_mb": 2.0})
    ids = {path: add(store, server, path) for path in BROKEN}
    good = add(store, server, "/feeds/rss091.xml")
    before = datetime.now(UTC)
    results = {r.name: r for r in collector_for(settings, store).collect_once()}

    assert results["/feeds/rss091.xml"].status == "ok"
    quarantined = {q.source_id: q.reason for q in store.quarantined()}
    for path, (status, reason) in BROKEN.items():
        result = results[path]
        assert (result.status, reason in result.error) == (status, True), result
        assert result.hint
        state = store.source_state(ids[path])
        assert (state.error_streak, reason in state.last_error) == (1, True)
        assert state.next_fetch_at is not None and state.next_fetch_at > before
        [fetch] = store.fetches(ids[path])
        assert fetch.status == status
        assert (ids[path] in quarantined) == (status == "failed")
    assert store.source_state(ids["/429"]).next_fetch_at >= before + timedelta(seconds=7200)  # type: ignore[operator]
    assert results["/feeds/not-a-feed.html"].hint.startswith("add the page's RSS link")
    assert store.source_state(good).error_streak == 0


def test_per_host_spacing_holds_across_threads(
    settings: Settings, store: Store, server: FixtureServer
) -> None:
    settings = settings.model_copy(update={"per_host_delay_s": 5.0, "collect_concurrency": 4})
    waits: list[float] = []
    gate = HostGate(5.0, clock=lambda: 0.0, sleep=waits.append)
    for path in ("/feeds/rss091.xml", "/feeds/rss10.rdf", "/feeds/atom.xml"):
        add(store, server, path)
    other = server.url("/feeds/jsonfeed.json").replace("127.0.0.1", "localhost")
    store.add_source(factories.source(other, name="other host"))
    collector = Collector(settings, store, Pipeline(store, []), make_client(settings), gate=gate)
    results = collector.collect_once()
    assert {r.status for r in results} == {"ok"}
    assert sorted(waits) == [5.0, 10.0]  # the three 127.0.0.1 feeds, one slot apart; localhost waits for none


def test_full_text_fetches_each_new_article_once(
    settings: Settings, store: Store, server: FixtureServer
) -> None:
    settings = settings.model_copy(update={"fetch_full_text": True})
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>Ngap</title><link>%s</link><description>ngan</description></item></channel></rss>"""
    article_url = server.url("/thoi-su/ngap-duong-kha-van-can.html").encode()
    server.routes["/full.rss"] = lambda h: (
        h.send_response(200),
        h.end_headers(),
        h.wfile.write(feed % article_url),
    )  # type: ignore[func-returns-value]
    add(store, server, "/full.rss")
    collector = collector_for(settings, store)
    [first] = collector.collect_once()
    [second] = collector.collect_once(force=True)
    assert (first.new, second.new) == (1, 0)
    assert server.hits["/thoi-su/ngap-duong-kha-van-can.html"] == 1
    [item] = store.recent_items()
    assert "nửa mét" in item.text


def test_pages_are_collected_by_kind(settings: Settings, store: Store, server: FixtureServer) -> None:
    add(store, server, "/thoi-su/", kind=SourceKind.PAGE)
    collector = collector_for(settings, store)
    assert [(r.status, r.new) for r in collector.collect_once()] == [("ok", 2)]
    assert [(r.status, r.new) for r in collector.collect_once(force=True)] == [("ok", 0)]


def test_disabled_and_non_fetchable_sources_are_left_alone(
    settings: Settings, store: Store, server: FixtureServer
) -> None:
    source_id = add(store, server, "/feeds/rss091.xml")
    store.set_source_enabled(source_id, False)
    store.add_source(factories.source("file:///exports/fb.jsonl", kind=SourceKind.IMPORT))
    assert collector_for(settings, store).collect_once(force=True) == []
    assert server.hits == {}


def test_a_connector_bug_is_reported_not_raised(settings: Settings, sqlite_store: Store) -> None:
    def explode(_request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom")

    sqlite_store.add_source(factories.source())
    collector = Collector(
        settings,
        sqlite_store,
        Pipeline(sqlite_store, []),
        make_client(settings, httpx.MockTransport(explode)),
    )
    [result] = collector.collect_once()
    assert (result.status, result.error) == ("failed", "unexpected error: RuntimeError: boom")
    assert sqlite_store.quarantined()[0].reason == result.error


def test_run_forever_stops_when_asked(settings: Settings, sqlite_store: Store, server: FixtureServer) -> None:
    add(sqlite_store, server, "/feeds/rss091.xml")
    stop = threading.Event()
    seen: list[SourceResult] = []

    def progress(result: SourceResult) -> None:
        seen.append(result)
        stop.set()

    collector_for(settings, sqlite_store).run_forever(stop, progress=progress)
    assert [r.status for r in seen] == ["ok"]
    assert 0 < collector_for(settings, sqlite_store).seconds_to_next() <= 60
