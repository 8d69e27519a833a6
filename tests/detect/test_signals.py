"""Signals: minute, hour and day buckets agree; spread and shares; JSON round trip; bounded memory."""

from __future__ import annotations

import json

from civicpulse.detect.signals import DAY, HOUR, ITEMS, MINUTES_KEPT, QUESTIONS, Observation, Series
from tests.detect.helpers import T0, series


def test_windows_roll_minutes_up_to_hours_and_days() -> None:
    s = series([2, 3, 5])
    now = s.last_seen
    assert s.window(now, HOUR) == 5
    assert s.window(now, 3 * HOUR) == 10
    assert s.window(now, 4 * HOUR) == 10  # beyond three hours the hour buckets answer
    assert s.hour_counts(now, 2) == [3, 2]
    assert sum(row[ITEMS] for row in s.days.values()) == 10


def test_window_sums_follow_each_new_item_and_both_walks_agree() -> None:
    s = series([30, 30, 30, 30])
    now = s.last_seen
    walked = sum(row[ITEMS] for key, row in s.minutes.items() if int(now // 60) - 30 < key <= int(now // 60))
    assert s.window(now, HOUR / 2, ITEMS) == walked, "key lookups (short span) and the walk agree"
    assert s.window(now, 4 * HOUR) == 120
    before = s.window(now, HOUR)
    s.add(Observation(time=now, item_id="late"))
    assert s.window(now, HOUR) == before + 1, "an added item is counted at once"


def test_copies_count_as_items_but_not_as_distinct_content() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    s.add(Observation(time=T0, item_id="1"))
    s.add(Observation(time=T0 + 1, item_id="2", distinct=False))
    assert s.window(T0 + 1, HOUR) == 1
    assert s.window(T0 + 1, HOUR, ITEMS) == 2
    assert s.samples == ["1"]


def test_spread_counts_sources_platforms_and_authors_without_keeping_names() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    for n, (source, author) in enumerate([("a", "x"), ("b", "x"), ("c", "y")]):
        s.add(Observation(time=T0 + n, source=source, platform="fb", author=author))
    assert s.distinct_sources(T0 + 3, HOUR) == 3
    assert s.distinct_platforms(T0 + 3, HOUR) == 1
    assert s.authors_last_hour(T0 + 3) == 2
    assert "x" not in json.dumps(s.to_state())


def test_shares_divide_by_labelled_items_only() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    s.add(Observation(time=T0, question=True, labelled=True))
    s.add(Observation(time=T0 + 1, labelled=True))
    s.add(Observation(time=T0 + 2))
    assert s.share(T0 + 2, HOUR, QUESTIONS) == 0.5
    assert Series(first_seen=T0, last_seen=T0).share(T0, HOUR, QUESTIONS) is None


def test_state_round_trips_through_json() -> None:
    s = series([1, 4, 2])
    s.add(Observation(time=s.last_seen, terms=("ngập", "thủ_đức"), units=("26734",), topics=(3,), label="x"))
    again = Series.from_state(json.loads(json.dumps(s.to_state())))
    assert again.to_state() == s.to_state()


def test_memory_stays_flat_over_weeks() -> None:
    s = Series(first_seen=T0, last_seen=T0)
    for n in range(60 * 24 * 40):  # one item a minute for forty days
        s.add(Observation(time=T0 + n * 60, terms=(f"t{n % 500}",)))
    assert len(s.minutes) <= MINUTES_KEPT + 1
    assert len(s.hours) <= 4 * 7 * 24 + 1
    assert len(s.days) <= 29
    assert len(s.terms) <= 40
    assert s.window(s.last_seen, DAY) == 1440
