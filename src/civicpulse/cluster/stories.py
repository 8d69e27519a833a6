"""The story stage as one partition of many: disjoint story ids, its own checkpoint, redelivery-safe."""

from __future__ import annotations

from dataclasses import replace

from civicpulse.models import Item
from civicpulse.store import Store
from civicpulse.store.fencing import Fence
from civicpulse.store.stories import CHECKPOINT, StoryTables
from civicpulse.stories.clusterer import StoryClusterer
from civicpulse.stories.doc import Doc
from civicpulse.stories.stage import item_doc, restore, save
from civicpulse.stories.story import StoryState


class ShardClusterer(StoryClusterer):
    """A clusterer whose new story ids are index+1, index+1+count, ...: partitions never collide.

    With one partition it is exactly `StoryClusterer`, so a single worker continues the in-process state.
    """

    def __init__(self, index: int = 0, count: int = 1) -> None:
        self.shard_index, self.shard_count = index, count
        super().__init__()

    def _reset(self) -> None:
        super()._reset()
        self.next_id = self.shard_index + 1

    def _start(self, doc: Doc, now: float) -> StoryState:
        story = super()._start(doc, now)
        self.next_id += self.shard_count - 1
        return story


def checkpoint_name(index: int, count: int) -> str:
    """One partition keeps the in-process name, so `civicpulse run` and one story worker share state."""
    return CHECKPOINT if count == 1 else f"{CHECKPOINT}:{index}/{count}"


class ShardStoryStage:
    """Assign stories within one partition; item-to-story marks are committed with the story counts.

    With the partition lease's `fence`, a save after another worker took the partition is refused.
    """

    name = "stories"

    def __init__(self, store: Store, index: int = 0, count: int = 1, fence: Fence | None = None) -> None:
        self.tables = StoryTables(
            store, checkpoint_name=checkpoint_name(index, count), shard=(index, count), fence=fence
        )
        self.clusterer = ShardClusterer(index, count)
        restore(self.clusterer, self.tables)
        self._assigned: list[tuple[int, int]] = []

    def process(self, item: Item) -> Item:
        if item.enrichment.story_id is not None:
            # Committed before a crash (the mark and the counts share one transaction): do not count again.
            return item
        story_id = self.clusterer.learn_one(item_doc(item, self.clusterer.clock))
        if item.id is not None:
            self._assigned.append((item.id, story_id))
        return replace(item, enrichment=replace(item.enrichment, story_id=story_id))

    def flush(self) -> None:
        assigned, self._assigned = self._assigned, []
        save(self.clusterer, self.tables, assigned)
