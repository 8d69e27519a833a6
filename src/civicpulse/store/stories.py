"""Story tables: what the story stage reads at start-up and writes after each batch, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, insert, select, text, update

from civicpulse.models import Story
from civicpulse.store.fencing import Fence, check
from civicpulse.store.schema import checkpoints, enrichments, stories, story_buckets, story_history
from civicpulse.store.store import aware

if TYPE_CHECKING:
    from civicpulse.store.store import Store

CHECKPOINT = "stories:clusterer"


ADVANCE_SEQUENCE = "SELECT setval(pg_get_serial_sequence('stories', 'id'), (SELECT max(id) FROM stories))"


def at(epoch: float) -> datetime:
    """Return an aware UTC datetime for epoch seconds."""
    return datetime.fromtimestamp(epoch, UTC)


class StoryTables:
    """Reads and writes of `stories`, `story_buckets`, `story_history` and the clusterer checkpoint.

    Rows are plain dicts so the store does not import the clusterer (imports point one way). A partition of
    the distributed story stage (`shard` = (index, count)) keeps its own checkpoint and reads back only its
    own stories (ids index+1, index+1+count, ...); with a `fence`, its saves commit only while the
    partition's lease is still that generation.
    """

    def __init__(
        self,
        store: Store,
        *,
        checkpoint_name: str = CHECKPOINT,
        shard: tuple[int, int] | None = None,
        fence: Fence | None = None,
    ) -> None:
        self.store = store
        self.checkpoint_name = checkpoint_name
        self.shard = shard
        self.fence = fence

    def save(
        self,
        rows: Sequence[dict[str, Any]],
        buckets: Sequence[dict[str, Any]],
        history: Sequence[dict[str, Any]],
        checkpoint: dict[str, Any],
        assignments: Sequence[tuple[int, int]] = (),
    ) -> None:
        """Upsert stories, add bucket counts, append history and replace the checkpoint, atomically.

        `assignments` (item id, story id) are written in the same transaction: a worker that finds an item's
        story already set knows its counts are in, so a redelivered message is never counted twice. Raises
        `LeaseLost` (and writes nothing) when another worker took the partition since `fence`.
        """
        store, stamp = self.store, datetime.now(UTC)
        with store._write(), store.engine.begin() as conn:
            check(conn, self.fence)
            if rows:
                statement = store._insert(stories)
                columns = [c.name for c in stories.columns if c.name != "id"]
                statement = statement.on_conflict_do_update(
                    index_elements=["id"], set_={c: statement.excluded[c] for c in columns}
                )
                conn.execute(statement, [{**row, "updated_at": stamp} for row in rows])
                if store.dialect == "postgresql":
                    # The clusterer picks story ids itself (a restart is identical); keep the sequence ahead.
                    conn.execute(text(ADVANCE_SEQUENCE))
            if buckets:
                statement = store._insert(story_buckets)
                statement = statement.on_conflict_do_update(
                    index_elements=["story_id", "bucket"],
                    set_={
                        "items": story_buckets.c["items"] + statement.excluded["items"],
                        "distinct_items": story_buckets.c.distinct_items + statement.excluded.distinct_items,
                    },
                )
                conn.execute(statement, list(buckets))
            if history:
                conn.execute(insert(story_history), list(history))
            if assignments:
                assign = update(enrichments).where(enrichments.c.item_id == bindparam("item"))
                rows_ = [{"item": item_id, "story": story_id} for item_id, story_id in assignments]
                conn.execute(assign.values(story_id=bindparam("story")), rows_)
            name = self.checkpoint_name
            statement = store._insert(checkpoints).values(name=name, value=checkpoint, updated_at=stamp)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["name"], set_={"value": checkpoint, "updated_at": stamp}
                )
            )

    def checkpoint(self) -> dict[str, Any] | None:
        """Return the clusterer's global state, or None before the first flush."""
        value: dict[str, Any] | None = self.store.checkpoint(self.checkpoint_name)
        return value

    def active_rows(self) -> list[dict[str, Any]]:
        """Return every active story row (with its `state`), in id order."""
        query = select(stories).where(stories.c.status == "active").order_by(stories.c.id)
        if self.shard is not None:
            index, count = self.shard
            query = query.where((stories.c.id - 1) % count == index)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def story(self, story_id: int) -> Story | None:
        """Return one story as a `Story` record."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
        return None if row is None else _story(row._mapping)

    def recent(self, limit: int = 50) -> list[Story]:
        """Return the stories seen most recently, newest first."""
        query = select(stories).order_by(stories.c.last_seen.desc(), stories.c.id.desc()).limit(limit)
        with self.store.engine.connect() as conn:
            return [_story(r._mapping) for r in conn.execute(query)]

    def buckets(self, story_id: int) -> dict[datetime, tuple[int, int]]:
        """Return (items, distinct items) per hour for one story."""
        query = select(story_buckets).where(story_buckets.c.story_id == story_id).order_by("bucket")
        with self.store.engine.connect() as conn:
            return {aware(r.bucket): (r.items, r.distinct_items) for r in conn.execute(query)}

    def history(self, story_id: int) -> list[dict[str, Any]]:
        """Return the history rows of one story, oldest first."""
        query = select(story_history).where(story_history.c.story_id == story_id).order_by(story_history.c.id)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self) -> int:
        """Return how many stories are stored."""
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(stories)).scalar_one())


def _story(row: Any) -> Story:
    return Story(
        id=row["id"],
        label=row["label"],
        key_phrases=tuple(row["key_phrases"]),
        first_seen=None if row["first_seen"] is None else aware(row["first_seen"]),
        last_seen=None if row["last_seen"] is None else aware(row["last_seen"]),
        item_count=row["item_count"],
        distinct_count=row["distinct_count"],
        source_ids=tuple(row["source_ids"]),
        platforms=tuple(row["platforms"]),
        langs=tuple(row["langs"]),
        units=tuple(row["units"]),
        status=row["status"],
        merged_into=row["merged_into"],
    )
