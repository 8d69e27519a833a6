"""`civicpulse reprocess`: rebuild derived data by running stored items through the pipeline again.

Resumable: the last item id done is checkpointed after every batch, so an interrupted run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import islice

from sqlalchemy import delete

from civicpulse.config import Settings
from civicpulse.models import Item
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store
from civicpulse.store.schema import (
    checkpoints,
    enrichments,
    item_topics,
    stories,
    story_buckets,
    story_history,
)
from civicpulse.store.stories import CHECKPOINT as STORIES_CHECKPOINT
from civicpulse.store.understanding import EnrichmentTables

CHECKPOINT = "reprocess"
GROUPS = ("understand", "stories")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReprocessReport:
    """What a reprocess run did."""

    groups: tuple[str, ...]
    items: int
    resumed_after: int


def reprocess(
    settings: Settings,
    store: Store,
    groups: Sequence[str] = GROUPS,
    *,
    batch_size: int = 500,
    restart: bool = False,
    progress: Progress | None = None,
) -> ReprocessReport:
    """Run every stored item through `groups` again, clearing what those groups derived first."""
    groups = tuple(g for g in GROUPS if g in groups)
    saved = store.checkpoint(CHECKPOINT) or {}
    resume = not restart and saved.get("groups") == list(groups) and not saved.get("done")
    after = int(saved.get("after", 0)) if resume else 0
    if not resume:
        clear(store, groups)
    total, done = store.stats()["items"], 0
    with closing(lay_pipe(settings, store, groups)) as pipeline:
        for batch in batched(store.iter_items(batch_size, after=after), batch_size):
            work = batch if "understand" in groups else with_enrichments(store, batch)
            pipeline.submit(work)
            done += len(work)
            store.save_checkpoint(CHECKPOINT, {"groups": list(groups), "after": work[-1].id, "done": False})
            if progress is not None:
                progress(done, total)
    store.save_checkpoint(CHECKPOINT, {"groups": list(groups), "after": 0, "done": True})
    return ReprocessReport(groups=groups, items=done, resumed_after=after)


def batched(values: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Yield lists of `size` values (itertools.batched arrives with Python 3.12)."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def clear(store: Store, groups: Sequence[str]) -> None:
    """Delete what `groups` derived, so the rerun starts from nothing."""
    with store._write(), store.engine.begin() as conn:
        if "stories" in groups:
            for table in (story_buckets, story_history, stories):
                conn.execute(delete(table))
            conn.execute(delete(checkpoints).where(checkpoints.c.name == STORIES_CHECKPOINT))
            conn.execute(enrichments.update().values(story_id=None))
        if "understand" in groups:
            conn.execute(delete(item_topics))
            conn.execute(delete(enrichments))


def with_enrichments(store: Store, batch: Sequence[Item]) -> list[Item]:
    """Attach each item's stored enrichment (for reruns that skip understanding)."""
    stored = EnrichmentTables(store).get([i.id for i in batch if i.id is not None])
    return [replace(i, enrichment=stored[i.id]) if i.id in stored else i for i in batch]
