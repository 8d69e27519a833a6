"""Impact: the expected trend, the shares, and the figures at each horizon on a replayed story."""

from __future__ import annotations

from datetime import timedelta

from civicpulse.config import Settings
from civicpulse.models import ClaimAnswer, Clarification
from civicpulse.respond.impact import expected_counts, measure
from civicpulse.store import Store
from civicpulse.store.clarifications import ClarificationTables

from .conftest import START


def test_the_expected_trend_never_grows_and_needs_history() -> None:
    rising = list(range(0, 24))
    assert max(expected_counts(rising, 5)) <= rising[-1] + 1
    falling = [max(30 - h, 0) for h in range(24)]
    projection = expected_counts(falling, 10)
    assert projection == sorted(projection, reverse=True) and projection[0] < 10
    assert expected_counts([0] * 20 + [1, 1], 5) == []  # too little history


def test_impact_at_each_horizon(settings: Settings, store: Store, flood_story: int) -> None:
    tables = ClarificationTables(store)
    draft = tables.save(
        Clarification(
            title_vi="Thông tin chính thức về ngập ở phường Thủ Đức",
            body_vi="Nước đã rút.",
            claims=(
                ClaimAnswer(
                    text="Người dân phường Thủ Đức phản ánh nước ngập sâu tràn vào nhà", verdict="misleading"
                ),
            ),
            story_ids=(flood_story,),
        )
    )
    published = tables.record_revision(draft.id or 0, "published", published_at=START + timedelta(hours=24))
    impact = measure(store, published, START + timedelta(days=10))
    assert impact is not None
    assert impact.items_before == 12
    h24, h72, h168 = impact.horizons
    assert (h24.hours, h24.items, h24.complete) == (24, 12, True)
    assert h72.items == h168.items == 12
    assert h24.expected is not None and h24.change is not None
    assert h24.repeating_before == 1.0 and h24.repeating_after == 1.0
    assert h24.citing_after == 0.0
    assert len(impact.hours) == 72 + 168 and len(impact.expected) == 168
    assert measure(store, draft, START) is None
