"""The worker roles, in flow order: what each consumes, runs and publishes (one readable table)."""

from __future__ import annotations

from civicpulse.cluster.stories import ShardStoryStage
from civicpulse.config import Settings
from civicpulse.models import Item
from civicpulse.pipeline.bus import (
    ALERTS,
    COLLECTED,
    STORY_UPDATES,
    UNDERSTOOD,
    BusOptions,
    Envelope,
    partition_of,
)
from civicpulse.pipeline.stage import Stage
from civicpulse.pipeline.topology import detect_stages, understand_stages
from civicpulse.pipeline.worker import Role
from civicpulse.store import Store
from civicpulse.store.fencing import Fence

STAGES = ("collect", "understand", "stories", "detect", "respond")


def _understand(
    settings: Settings, store: Store, partition: int | None, partitions: int, fence: Fence | None
) -> list[Stage]:
    del partition, partitions, fence
    return understand_stages(settings, store)


def _stories(
    settings: Settings, store: Store, partition: int | None, partitions: int, fence: Fence | None
) -> list[Stage]:
    del settings
    return [ShardStoryStage(store, partition or 0, partitions, fence)]


def _detect(
    settings: Settings, store: Store, partition: int | None, partitions: int, fence: Fence | None
) -> list[Stage]:
    del partition, partitions
    return detect_stages(settings, store, fence)


def _respond(
    settings: Settings, store: Store, partition: int | None, partitions: int, fence: Fence | None
) -> list[Stage]:
    # Response stages join here; until then alerts are acknowledged.
    del settings, store, partition, partitions, fence
    return []


def by_language(item: Item, options: BusOptions, partition: int | None) -> tuple[int, Envelope]:
    """Route an understood item to the story partition of its language (stories rarely cross languages)."""
    del partition
    lang = item.enrichment.lang or item.lang
    return partition_of(lang, options.partitions), Envelope(item.id or 0)


def same_partition(item: Item, options: BusOptions, partition: int | None) -> tuple[int, Envelope]:
    """Keep a story update in its partition, so detection sees each story in one place."""
    del options
    return partition or 0, Envelope(item.id or 0, item.enrichment.story_id)


ROLES = {
    "understand": Role("understand", COLLECTED, UNDERSTOOD, False, False, _understand, by_language),
    # Several understand workers finish batches out of order; stories (then detection) see them in id order.
    "stories": Role(
        "stories", UNDERSTOOD, STORY_UPDATES, True, True, _stories, same_partition, (COLLECTED, "understand")
    ),
    # Detection publishes alerts once a detect stage emits them; processed items stop here.
    "detect": Role("detect", STORY_UPDATES, None, True, True, _detect, same_partition),
    "respond": Role("respond", ALERTS, None, False, False, _respond, same_partition),
}
