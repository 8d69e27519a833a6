"""Fencing tokens: each holder advances the generation; a save of an older generation writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicpulse.errors import LeaseLost
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables
from civicpulse.store.fencing import Fence, advance, check, current
from civicpulse.store.stories import StoryTables

LEASE = "civicpulse:stories-p0"


def story_row(story_id: int, items: int) -> dict[str, object]:
    when = datetime(2026, 11, 1, 8, tzinfo=UTC)
    return {
        "id": story_id,
        "label": f"story {story_id}",
        "key_phrases": [],
        "first_seen": when,
        "last_seen": when,
        "item_count": items,
        "distinct_count": items,
        "source_ids": [],
        "platforms": [],
        "langs": ["vi"],
        "units": [],
        "status": "active",
        "merged_into": None,
        "state": {},
    }


def take(store: Store) -> int:
    with store.engine.begin() as conn:
        return advance(conn, LEASE).generation


def test_every_holder_advances_the_generation(store: Store) -> None:
    with store.engine.connect() as conn:
        assert current(conn, LEASE) == 0
    assert [take(store), take(store), take(store)] == [1, 2, 3]
    with store.engine.begin() as conn:
        check(conn, None)  # an unleased stage checks nothing
        check(conn, Fence(LEASE, 3))
        with pytest.raises(LeaseLost, match=r"generation 2, now 3"):
            check(conn, Fence(LEASE, 2))
    assert store.checkpoint(f"lease:{LEASE}") == {"generation": 3}


def test_a_save_of_an_old_generation_writes_nothing(store: Store) -> None:
    with store.engine.begin() as conn:
        old = advance(conn, LEASE)
    stale = StoryTables(store, fence=old)
    stale.save([story_row(1, 2)], [], [], {"clock": 1.0})
    take(store)  # another worker took the partition
    with pytest.raises(LeaseLost, match="taken over"):
        stale.save([story_row(1, 3)], [], [], {"clock": 2.0})
    assert (stale.checkpoint(), [r["item_count"] for r in stale.active_rows()]) == ({"clock": 1.0}, [2])
    with store.engine.begin() as conn:
        new = advance(conn, LEASE)
    StoryTables(store, fence=new).save([story_row(1, 3)], [], [], {"clock": 2.0})
    assert stale.checkpoint() == {"clock": 2.0}


def test_a_detect_save_of_an_old_generation_writes_nothing(store: Store) -> None:
    with store.engine.begin() as conn:
        old = advance(conn, LEASE)
    take(store)
    signal = {"subject_kind": "story", "subject_id": "1", "state": {}, "last_seen": datetime.now(UTC)}
    with pytest.raises(LeaseLost):
        DetectionTables(store, fence=old).save([signal], [], [], lambda ids: {"clock": 1.0})
    tables = DetectionTables(store)
    assert (tables.checkpoint(), tables.signal_states(10)) == (None, [])
