"""Response fixtures: a replayed flood story about Phường Thủ Đức, through the real pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from civicpulse.collect.ingest import Ingestor, RawEntry
from civicpulse.config import Settings
from civicpulse.models import Source, SourceKind
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store
from civicpulse.store.stories import StoryTables
from tests.respond.loopback import Hook, Inbox, smtp_on_loopback

THU_DUC = "26824"
START = datetime(2025, 10, 1, 0, 0, tzinfo=UTC)


def replay_flood(
    settings: Settings, store: Store, pipeline: Pipeline, *, hours: int = 48, start: datetime = START
) -> int:
    """Replay a stream of posts about flooding in Thủ Đức (one every two hours); return the story id."""
    source = store.add_source(Source(name="Báo mẫu", kind=SourceKind.FEED, url="https://bao.example.vn/rss"))
    ingestor = Ingestor(store, origin="test", source_id=source.id)
    entries = [
        RawEntry(
            title=f"Ngập sâu ở phường Thủ Đức sau mưa lớn, người dân bức xúc ({i})",
            text=f"Người dân phường Thủ Đức phản ánh nước ngập sâu tràn vào nhà sau cơn mưa lớn, lần {i}.",
            url=f"https://bao.example.vn/ngap-thu-duc-{i}",
            published_at=start + timedelta(hours=2 * i),
            lang="vi",
        )
        for i in range(hours // 2)
    ]
    ingestor.ingest(entries, pseudonym_key=settings.pseudonym_key)
    pipeline.submit(ingestor.new_items)
    story = max(StoryTables(store).recent(10), key=lambda s: s.item_count)
    assert story.id is not None
    return story.id


@pytest.fixture
def pipeline(settings: Settings, store: Store) -> Pipeline:
    return lay_pipe(settings, store)


@pytest.fixture
def flood_story(settings: Settings, store: Store, pipeline: Pipeline) -> int:
    return replay_flood(settings, store, pipeline)


@pytest.fixture
def hooks() -> Iterator[list[Hook]]:
    """Webhook receivers on loopback; a test appends the ones it starts, all are closed after it."""
    made: list[Hook] = []
    yield made
    for hook in made:
        hook.close()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    with smtp_on_loopback() as running:
        yield running
