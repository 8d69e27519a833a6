"""The bundled demo stream: loads ~300 items once, times end near now, through the normal ingestion path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civicpulse.config import Settings
from civicpulse.demo import DEMO_URL, demo_rows, load_demo
from civicpulse.store import Store


def test_demo_rows_are_titles_and_ledes_with_links_and_times() -> None:
    rows = demo_rows()
    assert 250 <= len(rows) <= 350
    assert all(r["title"] and r["url"].startswith("https://dantri.com.vn/") and r["time"] for r in rows)
    assert all(len(r["lede"]) <= 301 for r in rows)  # a lede, never the article


def test_demo_loads_about_300_items_under_the_demo_source(settings: Settings, store: Store) -> None:
    result = load_demo(settings, store)
    assert result.new == result.seen == len(demo_rows())
    source = store.source_by_url(DEMO_URL)
    assert source is not None
    assert source.name == "Dân Trí (demo)"
    assert store.stats()["items"] == result.new


def test_loading_the_demo_twice_adds_nothing(settings: Settings, store: Store) -> None:
    load_demo(settings, store)
    again = load_demo(settings, store)
    assert again.new == 0
    assert store.stats()["items"] == len(demo_rows())
    assert store.stats()["sources"] == 1


def test_demo_times_end_near_now_and_keep_the_original(settings: Settings, sqlite_store: Store) -> None:
    before = datetime.now(UTC)
    load_demo(settings, sqlite_store)
    [newest] = sqlite_store.newest_items(1)
    assert newest.published_at is not None
    # The stream ends at load time: the newest item is not older than the moment we started loading.
    assert newest.published_at >= before
    assert newest.extra["original_time"].startswith("2021-")
    in_window = sqlite_store.newest_items(1000, since=newest.published_at - timedelta(hours=48))
    assert len(in_window) > len(demo_rows()) // 2


def test_the_demo_shows_stories_and_a_hotspot_alert(settings: Settings, sqlite_store: Store) -> None:
    from civicpulse.pipeline.topology import lay_pipe
    from civicpulse.store.detection import DetectionTables
    from civicpulse.store.stories import StoryTables

    load_demo(settings, sqlite_store, lay_pipe(settings, sqlite_store))
    assert StoryTables(sqlite_store).count() > 50
    assert DetectionTables(sqlite_store).count() >= 1
