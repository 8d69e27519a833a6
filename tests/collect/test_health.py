"""Source health: rate, unusual days against mean ± 2σ (zero days counted), silent sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from civicpulse.collect.health import day_check, is_stopped, items_per_day, source_health, usual_gap_s
from civicpulse.models import FetchRecord, SourceState
from civicpulse.store import Store
from tests import factories

DAY = date(2025, 9, 30)
AT = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


def daily(counts: list[int], last: date = DAY) -> dict[date, int]:
    return {last - timedelta(days=len(counts) - 1 - i): n for i, n in enumerate(counts) if n}


def test_a_spike_is_high_and_a_drop_is_low() -> None:
    history = [10, 12, 9, 11, 10, 8, 12, 11, 10, 9] * 2
    check = day_check(daily([*history, 40]), DAY, first_day=DAY - timedelta(days=20))
    assert check is not None and check.unusual == "high"
    low = day_check(daily([*history, 0]), DAY, first_day=DAY - timedelta(days=20))
    assert low is not None and (low.count, low.unusual) == (0, "low")
    normal = day_check(daily([*history, 11]), DAY, first_day=DAY - timedelta(days=20))
    assert normal is not None and normal.unusual == ""


def test_zero_days_count_in_the_baseline() -> None:
    every_other_day = [6, 0] * 14
    check = day_check(daily([*every_other_day, 6]), DAY, first_day=DAY - timedelta(days=28))
    assert check is not None
    assert check.mean == 3.0  # not 6.0, which ignoring the empty days would give
    assert check.unusual == ""


def test_young_sources_are_not_judged() -> None:
    assert day_check(daily([5, 5, 50]), DAY, first_day=DAY - timedelta(days=2)) is None


def test_items_per_day_uses_the_days_the_source_existed() -> None:
    assert items_per_day(daily([4, 4, 4, 4]), DAY, first_day=DAY - timedelta(days=3)) == 4.0
    assert items_per_day(daily([28] + [0] * 27), DAY, first_day=DAY - timedelta(days=60)) == 1.0


def test_a_source_is_silent_after_several_usual_gaps_and_at_least_a_day() -> None:
    hourly = [AT - timedelta(days=3, hours=h) for h in range(10)]
    gap = usual_gap_s(hourly)
    assert gap == 3600
    assert is_stopped(max(hourly), gap, AT)
    assert not is_stopped(AT - timedelta(hours=10), gap, AT)  # a quiet night
    assert not is_stopped(None, None, AT)


def test_source_health_reads_the_store(store: Store) -> None:
    src = store.add_source(factories.source(name="VnExpress"))
    quiet = store.add_source(factories.source("https://quiet.example.vn/rss", name="Quiet"))
    assert src.id is not None and quiet.id is not None
    batch = []
    for days_ago in range(21, 0, -1):  # oldest first, as a collector stores them
        for n in range(10 if days_ago > 1 else 40):
            item = factories.item(f"tin {days_ago}-{n}", source_id=src.id, url=f"https://a.vn/{days_ago}/{n}")
            when = AT - timedelta(days=days_ago, minutes=n)
            batch.append(replace(item, collected_at=when, published_at=when))
    store.add_items(batch)
    store.save_source_state(quiet.id, SourceState(error_streak=2, last_error="HTTP 500"))
    store.record_fetch(FetchRecord(source_id=quiet.id, started_at=AT, status="retry", error="HTTP 500"))
    report = {h.name: h for h in source_health(store, at=AT)}
    busy = report["VnExpress"]
    assert busy.day is not None and (busy.day.count, busy.day.unusual) == (40, "high")
    assert busy.status == "unusual"
    assert busy.items_per_day > 0
    assert report["Quiet"].status == "failing"
    assert report["Quiet"].last_fetch_status == "retry"
    assert report["Quiet"].as_dict()["error_streak"] == 2
