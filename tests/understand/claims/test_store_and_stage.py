"""The claim tables and the claim stage, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from civicpulse.models import Enrichment
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store
from civicpulse.store.claims import AUTO, LINKED, REJECTED, SUGGESTED, Claim, ClaimMatch, ClaimTables
from civicpulse.store.understanding import EnrichmentTables
from civicpulse.understand.claims import ClaimStage
from tests import factories

CLAIM = Claim(
    text="Hưng Yên đã phong tỏa thôn Hoàng Xá, nơi có 2 ca mắc Covid-19.", verdict="false", lang="vi"
)


def test_adding_the_same_claim_twice_keeps_one(store: Store) -> None:
    tables = ClaimTables(store)
    first, created = tables.add(CLAIM)
    again, created_again = tables.add(dataclasses.replace(CLAIM, summary="changed"))
    assert (created, created_again, first.id) == (True, False, again.id)
    assert [c.text for c in tables.find("hoang xa")] == [CLAIM.text]
    assert tables.find("vũng tàu") == []


def test_updates_change_the_library_version(store: Store) -> None:
    tables = ClaimTables(store)
    claim, _ = tables.add(CLAIM)
    before = tables.version()
    assert claim.id is not None
    updated = tables.update(claim.id, summary="Không có phong tỏa.", active=False)
    assert (updated.summary, updated.active) == ("Không có phong tỏa.", False)
    assert tables.version() != before
    assert tables.find(active_only=True) == []


def test_the_stage_links_suggests_and_keeps_analysts_decisions(store: Store) -> None:
    tables = ClaimTables(store)
    claim, _ = tables.add(CLAIM)
    assert claim.id is not None
    linked, suggested, unrelated = store.add_items(
        [
            factories.item("Thôn Hoàng Xá ở Hưng Yên bị phong tỏa vì có 2 ca mắc Covid-19."),
            factories.item("Phong tỏa thôn Hoàng Xá", url="https://example.org/2"),
            factories.item("Giá vàng hôm nay tăng mạnh trên cả nước.", url="https://example.org/3"),
        ]
    )
    stage = ClaimStage(store, embedder=None)
    Pipeline(store, [stage]).submit([linked, suggested, unrelated])
    found = {m.item_id: m for m in tables.matches(claim_id=claim.id)}
    assert found[linked.id or 0].status == LINKED
    assert found[linked.id or 0].decided_by == AUTO
    assert found[suggested.id or 0].status == SUGGESTED
    assert unrelated.id not in found

    tables.decide(suggested.id or 0, claim.id, REJECTED, "analyst")
    Pipeline(store, [stage]).submit([linked, suggested])  # reprocessing leaves the rejection alone
    assert [m.status for m in tables.matches(item_id=suggested.id)] == [REJECTED]
    assert tables.counts()[claim.id] == {LINKED: 1, REJECTED: 1}


def test_the_stage_sees_claims_added_after_it_started(store: Store) -> None:
    stage = ClaimStage(store, embedder=None)
    [first] = store.add_items(
        [factories.item("Thôn Hoàng Xá ở Hưng Yên bị phong tỏa vì có 2 ca mắc Covid-19.")]
    )
    Pipeline(store, [stage]).submit([first])
    claim, _ = ClaimTables(store).add(CLAIM)
    Pipeline(store, [stage]).submit([first])
    assert [m.item_id for m in ClaimTables(store).matches(claim_id=claim.id)] == [first.id]


def test_timeline_and_stories_count_linked_items(store: Store) -> None:
    tables = ClaimTables(store)
    claim, _ = tables.add(CLAIM)
    assert claim.id is not None
    stamps = [
        datetime(2025, 9, 1, 8, tzinfo=UTC),
        datetime(2025, 9, 1, 20, tzinfo=UTC),
        datetime(2025, 9, 2, 9, tzinfo=UTC),
    ]
    stored = store.add_items(
        [
            factories.item(f"Tin {i}", url=f"https://example.org/{i}", published_at=t)
            for i, t in enumerate(stamps)
        ]
    )
    tables.save_matches(
        [
            ClaimMatch(item_id=i.id or 0, claim_id=claim.id, score=0.9, lexical=0.9, status=LINKED)
            for i in stored
        ]
    )
    EnrichmentTables(store).save(
        [(stored[0].id or 0, Enrichment(story_id=5)), (stored[1].id or 0, Enrichment(story_id=5))]
    )
    assert tables.timeline(claim.id) == [
        (datetime(2025, 9, 1, tzinfo=UTC), 2),
        (datetime(2025, 9, 2, tzinfo=UTC), 1),
    ]
    assert tables.stories(claim.id) == {5: 2}
