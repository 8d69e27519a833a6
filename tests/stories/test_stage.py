"""The story stage on both backends: story ids set, stories written per flush, identical after restart."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from civicpulse.models import Enrichment, Item
from civicpulse.store import Store
from civicpulse.store.stories import StoryTables
from civicpulse.stories import StoryClusterer
from civicpulse.stories.stage import StoryStage, item_doc
from tests import factories
from tests.stories.synthetic import stream

BATCH = 40


def items() -> list[Item]:
    built = []
    for number, row in enumerate(stream(stories=12, per_story=10), start=1):
        item = factories.item(
            row["text"], title=row["title"], published_at=datetime.fromisoformat(row["time"])
        )
        built.append(replace(item, id=number, source_id=number % 3 + 1))
    return built


def run(stage: StoryStage, batch: list[Item]) -> list[int | None]:
    """Process in runner-sized batches, flushing after each, as `Pipeline.submit` does."""
    out: list[int | None] = []
    for start in range(0, len(batch), BATCH):
        out += [stage.process(item).enrichment.story_id for item in batch[start : start + BATCH]]
        stage.flush()
    return out


def clusterer() -> StoryClusterer:
    return StoryClusterer(maintain_every=25, idle_horizon_s=36 * 3600)


def test_process_sets_the_story_and_flush_writes_stories(sqlite_store: Store) -> None:
    stage = StoryStage(sqlite_store)
    batch = items()[:BATCH]
    story_ids = run(stage, batch)
    assert all(story_ids)
    tables = StoryTables(sqlite_store)
    assert tables.count() == len(set(story_ids))
    story = tables.story(story_ids[0] or 0)
    assert story is not None and story.id is not None
    assert story.item_count == story_ids.count(story.id) == story.distinct_count
    assert story.label and story.key_phrases and story.first_seen and story.last_seen
    assert sum(n for n, _ in tables.buckets(story.id).values()) == story.item_count
    assert [h["action"] for h in tables.history(story.id)] == ["created"]


def test_buckets_add_up_across_flushes(sqlite_store: Store) -> None:
    stage = StoryStage(sqlite_store)
    first = factories.item("flood canal rain tide ward", published_at=datetime(2025, 9, 1, 8, 5))
    second = factories.item("flood canal rain tide ward", published_at=datetime(2025, 9, 1, 8, 50))
    one = stage.process(replace(first, id=1)).enrichment.story_id
    stage.flush()
    dup = replace(second, id=2, enrichment=Enrichment(dup_of=1))
    assert stage.process(dup).enrichment.story_id == one
    stage.flush()
    tables = StoryTables(sqlite_store)
    assert list(tables.buckets(one or 0).values()) == [(2, 1)]
    story = tables.story(one or 0)
    assert story is not None
    assert (story.item_count, story.distinct_count) == (2, 1)


def test_restart_from_the_store_continues_identically(store: Store) -> None:
    stream_items = items()
    half = len(stream_items) // 2
    reference = clusterer()
    uninterrupted = [reference.learn_one(item_doc(item)) for item in stream_items]
    first = StoryStage(store, clusterer())
    got = run(first, stream_items[:half])
    restarted = StoryStage(store, clusterer())
    assert restarted.clusterer.seen == half
    got += run(restarted, stream_items[half:])
    assert got == uninterrupted
    dormant = [s for s in StoryTables(store).recent(1000) if s.status == "dormant"]
    assert dormant, "the stream is long enough for some stories to go dormant"


def test_a_merge_is_written_with_its_history(sqlite_store: Store) -> None:
    stage = StoryStage(sqlite_store, StoryClusterer(threshold=0.9, merge_threshold=0.5, maintain_every=4))
    texts = ["ngập kênh triều cường máy bơm", "ngập kênh triều cường đường phố", "giá xăng tăng", "học phí"]
    batch = [replace(factories.item(t, title=t), id=n) for n, t in enumerate(texts, start=1)]
    first, second, *_ = run(stage, batch)
    tables = StoryTables(sqlite_store)
    absorbed = tables.story(second or 0)
    assert absorbed is not None and (absorbed.status, absorbed.merged_into) == ("merged", first)
    assert [h["action"] for h in tables.history(second or 0)] == ["created", "merged"]
    survivor = tables.story(first or 0)
    assert survivor is not None and survivor.item_count == 2
    assert any(not phrase.isascii() for phrase in survivor.key_phrases)
