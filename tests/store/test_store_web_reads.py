"""The store reads behind the web dashboard, on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import insert, select, update

from civicpulse.store import Store
from civicpulse.store.browse import Filters, story_conditions, story_page
from civicpulse.store.claims import Claim, ClaimMatch, ClaimTables
from civicpulse.store.dashboard import DashboardReads
from civicpulse.store.schema import enrichments, item_daily_counts, stories, story_buckets
from tests import factories

NOON = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def test_ping_succeeds_on_a_reachable_database(store: Store) -> None:
    store.ping()


def test_hourly_counts_bucket_items_by_published_hour(store: Store) -> None:
    store.add_items(
        [
            factories.item("Một", url="https://a.vn/1", published_at=NOON + timedelta(minutes=5)),
            factories.item("Hai", url="https://a.vn/2", published_at=NOON + timedelta(minutes=55)),
            factories.item("Ba", url="https://a.vn/3", published_at=NOON + timedelta(hours=2, minutes=1)),
            factories.item("Cũ", url="https://a.vn/4", published_at=NOON - timedelta(days=3)),
        ]
    )
    counts = store.hourly_counts(NOON - timedelta(hours=1))
    assert counts == {NOON: 2, NOON + timedelta(hours=2): 1}


def test_hourly_counts_read_times_in_utc_whatever_the_given_zone(store: Store) -> None:
    store.add_items([factories.item("Một", url="https://a.vn/1", published_at=NOON)])
    since = (NOON - timedelta(minutes=30)).astimezone(timezone(timedelta(hours=7)))
    assert store.hourly_counts(since) == {NOON: 1}


def test_newest_items_come_newest_first_and_respect_since(store: Store) -> None:
    src = store.add_source(factories.source(name="Nguồn"))
    store.add_items(
        [
            factories.item("Giữa", source_id=src.id, url="https://a.vn/2", published_at=NOON),
            factories.item(
                "Mới", source_id=src.id, url="https://a.vn/3", published_at=NOON + timedelta(hours=1)
            ),
            factories.item(
                "Cũ", source_id=src.id, url="https://a.vn/1", published_at=NOON - timedelta(days=2)
            ),
        ]
    )
    assert [i.text for i in store.newest_items(10)] == ["Mới", "Giữa", "Cũ"]
    assert [i.text for i in store.newest_items(1)] == ["Mới"]
    recent = store.newest_items(10, since=NOON - timedelta(hours=1))
    assert [i.text for i in recent] == ["Mới", "Giữa"]
    assert {i.source_name for i in recent} == {"Nguồn"}


def test_item_counts_by_source_count_each_source(store: Store) -> None:
    first = store.add_source(factories.source("https://a.vn/feed"))
    second = store.add_source(factories.source("https://b.vn/feed"))
    store.add_items(
        [
            factories.item("Một", source_id=first.id, url="https://a.vn/1"),
            factories.item("Hai", source_id=first.id, url="https://a.vn/2"),
            factories.item("Ba", source_id=second.id, url="https://b.vn/1"),
            factories.item("Không nguồn", url="https://c.vn/1"),
        ]
    )
    assert store.item_counts_by_source() == {first.id: 2, second.id: 1}


def test_item_counts_by_source_keep_the_months_retention_dropped(store: Store) -> None:
    source = store.add_source(factories.source("https://a.vn/feed"))
    store.add_items([factories.item("Một", source_id=source.id, url="https://a.vn/1")])
    rollup = [{"day": datetime(2025, 1, d).date(), "source_id": source.id, "items": 5} for d in (1, 2)]
    with store.engine.begin() as conn:
        conn.execute(insert(item_daily_counts), rollup)
    assert store.item_counts_by_source() == {source.id: 11}


def test_rate_by_source_counts_collected_items_per_bucket(store: Store) -> None:
    a = store.add_source(factories.source(name="A", url="https://a.vn/feed"))
    b = store.add_source(factories.source(name="B", url="https://b.vn/feed"))
    at = [
        (a.id, NOON + timedelta(minutes=5)),
        (a.id, NOON + timedelta(hours=5, minutes=59)),  # still the first 6-hour bucket
        (a.id, NOON + timedelta(hours=6)),  # the second
        (b.id, NOON + timedelta(hours=23, minutes=59)),  # the last
        (b.id, NOON + timedelta(hours=24)),  # past the window
        (b.id, NOON - timedelta(seconds=1)),  # before it
    ]
    store.add_items(
        [
            replace(factories.item(f"Tin {k}", source_id=s, url=f"https://x.vn/{k}"), collected_at=when)
            for k, (s, when) in enumerate(at)
        ]
    )
    rates = DashboardReads(store).rate_by_source(NOON, timedelta(hours=6), 4)
    assert rates == {a.id: [2, 1, 0, 0], b.id: [0, 0, 0, 1]}


def tone_story(store: Store, labels: list[str]) -> int:
    """A story whose items carry `labels` (sentiment), oldest first; returns its id."""
    src = store.add_source(factories.source(name="Nguồn", url=f"https://t.vn/{len(labels)}"))
    added = store.add_items(
        [
            factories.item(f"Tin {k}", source_id=src.id, url=f"https://t.vn/{len(labels)}/{k}")
            for k in range(len(labels))
        ]
    )
    with store.engine.begin() as conn:
        story_id = conn.execute(
            insert(stories)
            .values(label="x", last_seen=NOON, status="active", updated_at=NOON, state={})
            .returning(stories.c.id)
        ).scalar_one()
        for item, label in zip(added, labels, strict=True):
            conn.execute(
                insert(enrichments).values(
                    item_id=item.id,
                    story_id=story_id,
                    labels={"sentiment": {"label": label}} if label else {},
                    updated_at=NOON,
                )
            )
        conn.execute(update(stories).where(stories.c.id == story_id).values(item_count=len(labels)))
    return int(story_id)


def test_the_sentiment_filter_counts_a_storys_newest_200_labelled_items(store: Store) -> None:
    # 300 items: the oldest 100 negative; of the newest 200, 60 negative, 121 positive, 19 unlabelled.
    story = tone_story(store, ["negative"] * 100 + ["negative"] * 60 + ["positive"] * 121 + [""] * 19)
    assert story_page(store, Filters(sentiment="negative")) == []  # 60 / 181 now, though 160 / 281 in all
    assert story_page(store, Filters(sentiment="neutral")) == []
    assert [s.id for s in story_page(store, Filters(sentiment="positive"))] == [story]  # 121 / 181
    other = tone_story(store, ["negative"] * 80 + ["neutral"] * 100)
    assert [s.id for s in story_page(store, Filters(sentiment="negative"))] == [other]  # 80 / 180


def test_the_sentiment_filter_reads_the_index_on_sqlite(sqlite_store: Store) -> None:
    query = select(stories.c.id).where(*story_conditions(sqlite_store, Filters(sentiment="negative")))
    sql = str(query.compile(sqlite_store.engine, compile_kwargs={"literal_binds": True}))
    with sqlite_store.engine.connect() as conn:
        plan = " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_enrichments_story_sentiment" in plan


def test_a_story_timeline_reads_its_last_hours_and_knows_its_first(store: Store) -> None:
    story = tone_story(store, ["negative"])
    hours = [NOON - timedelta(hours=h) for h in (0, 1, 5, 40)]
    rows = [{"story_id": story, "bucket": h, "items": n, "distinct_items": 1} for n, h in enumerate(hours, 1)]
    with store.engine.begin() as conn:
        conn.execute(insert(story_buckets), rows)
    first, counts = DashboardReads(store).story_timeline(story, 6)
    assert first == hours[-1]
    assert counts == {hours[0]: 1, hours[1]: 2, hours[2]: 3}
    assert DashboardReads(store).story_timeline(story + 1, 6) == (None, {})


def test_a_storys_claim_matches_come_with_their_claims_text(store: Store) -> None:
    story = tone_story(store, ["negative", "positive"])
    other = tone_story(store, ["neutral"])
    with store.engine.connect() as conn:
        mine, theirs = (
            conn.execute(select(enrichments.c.item_id).where(enrichments.c.story_id == s)).scalars().first()
            for s in (story, other)
        )
    claims = ClaimTables(store)
    claim, _ = claims.add(Claim(text="Nước máy nhiễm độc", verdict="false"))
    assert mine and theirs and claim.id
    claims.save_matches([ClaimMatch(mine, claim.id, 0.9, 0.9), ClaimMatch(theirs, claim.id, 0.8, 0.8)])
    reads = DashboardReads(store)
    assert [(m.item_id, m.claim_id) for m in reads.story_claims(story)] == [(mine, claim.id)]
    assert reads.claim_texts([claim.id, claim.id]) == {claim.id: ("Nước máy nhiễm độc", "false")}
    assert reads.claim_texts([]) == {}
