"""Reads and writes of understanding: enrichments (upserted by item) and watched topics with their matches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from civicpulse.models import Enrichment, Topic
from civicpulse.store.schema import enrichments, item_topics, items, topics
from civicpulse.store.store import Store, aware, now

# Understanding owns these columns; stories, places and classifiers upsert their own beside them.
UNDERSTANDING_COLUMNS = ("lang", "lang_score", "analysis_text", "features", "dup_of")


class EnrichmentTables:
    """The `enrichments` table: one row per item, each stage updating only its own columns."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._upserts: dict[tuple[str, ...], Any] = {}
        self._update = update(enrichments).where(enrichments.c.item_id == bindparam("b_item_id"))

    def save(
        self, rows: Iterable[tuple[int, Enrichment]], columns: Sequence[str] = UNDERSTANDING_COLUMNS
    ) -> int:
        """Upsert enrichments by item id, overwriting only `columns`; return how many rows were written.

        Understanding creates the rows of new items, so its columns are upserted at once. A later stage's
        columns go to rows that exist: one narrow UPDATE (only those columns are encoded, JSON included),
        and the whole upsert when some row turns out to be missing, so the result is the same either way.
        """
        rows = list(rows)
        if not rows:
            return 0
        stamp = now()
        columns = tuple(columns)
        with self.store._write(), self.store.engine.begin() as conn:
            if columns != UNDERSTANDING_COLUMNS and self._updated(conn, rows, columns, stamp):
                return len(rows)
            conn.execute(self._upsert(columns), [_enrichment_row(i, e, stamp) for i, e in rows])
        return len(rows)

    def _updated(
        self, conn: Connection, rows: list[tuple[int, Enrichment]], columns: tuple[str, ...], stamp: datetime
    ) -> bool:
        """Update `columns` of the rows; return False when some row is missing (the caller upserts all)."""
        if not conn.dialect.supports_sane_multi_rowcount:
            return False
        values = []
        for item_id, enrichment in rows:
            row = _enrichment_row(item_id, enrichment, stamp)
            values.append({"b_item_id": item_id, **{name: row[name] for name in (*columns, "updated_at")}})
        return bool(conn.execute(self._update, values).rowcount == len(values))

    def _upsert(self, columns: tuple[str, ...]) -> Any:
        statement = self._upserts.get(columns)
        if statement is None:
            statement = self.store._insert(enrichments)
            statement = statement.on_conflict_do_update(
                index_elements=["item_id"],
                set_={name: statement.excluded[name] for name in (*columns, "updated_at")},
            )
            self._upserts[columns] = statement
        return statement

    def get(self, item_ids: Sequence[int]) -> dict[int, Enrichment]:
        """Return the stored enrichments of `item_ids` (missing ones are left out)."""
        if not item_ids:
            return {}
        query = select(enrichments).where(enrichments.c.item_id.in_(list(item_ids)))
        with self.store.engine.connect() as conn:
            return {row.item_id: _enrichment(row._mapping) for row in conn.execute(query)}

    def recent_texts(self, since: datetime, limit: int) -> list[tuple[int, str, datetime | None]]:
        """Return (item id, analysis text, item time) of enriched items since `since`, oldest first.

        This is what the near-duplicate window is rebuilt from after a restart.
        """
        at = func.coalesce(items.c.published_at, items.c.collected_at)
        query = (
            select(items.c.id, enrichments.c.analysis_text, at.label("at"))
            .select_from(items.join(enrichments, enrichments.c.item_id == items.c.id))
            .where(items.c.collected_at >= since)
            .order_by(items.c.id.desc())
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            rows = [(r.id, r.analysis_text, aware(r.at)) for r in conn.execute(query)]
        return rows[::-1]


class TopicTables:
    """The `topics` and `item_topics` tables."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, topic: Topic) -> Topic:
        """Insert a topic, or update the one with the same name; return it with its id."""
        stamp = now()
        row = {
            "name": topic.name,
            "query": topic.query,
            "category": topic.category,
            "examples": list(topic.examples),
            "enabled": topic.enabled,
            "settings": dict(topic.settings),
            "created_at": stamp,
            "updated_at": stamp,
        }
        statement = self.store._insert(topics).values(row)
        changed = ("query", "category", "examples", "enabled", "settings", "updated_at")
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={name: statement.excluded[name] for name in changed}
        )
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(statement)
            found = conn.execute(select(topics).where(topics.c.name == topic.name)).one()
        return _topic(found._mapping)

    def topics(self, *, enabled_only: bool = False) -> list[Topic]:
        query = select(topics).order_by(topics.c.id)
        if enabled_only:
            query = query.where(topics.c.enabled.is_(True))
        with self.store.engine.connect() as conn:
            return [_topic(r._mapping) for r in conn.execute(query)]

    def version(self) -> tuple[int, str]:
        """Return (count, newest update) of the topics: it changes whenever a topic is added or edited."""
        with self.store.engine.connect() as conn:
            count, newest = conn.execute(select(func.count(), func.max(topics.c.updated_at))).one()
        return int(count), str(newest)

    def save_matches(self, rows: Iterable[tuple[int, int]], matched_at: datetime | None = None) -> int:
        """Record (item id, topic id) matches; repeating one adds nothing. Return how many were given."""
        stamp = matched_at or now()
        values = [{"item_id": i, "topic_id": t, "matched_at": stamp} for i, t in rows]
        if not values:
            return 0
        statement = self.store._insert(item_topics).on_conflict_do_nothing(
            index_elements=["item_id", "topic_id"]
        )
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(statement, values)
        return len(values)

    def topics_of(self, item_id: int) -> tuple[int, ...]:
        query = select(item_topics.c.topic_id).where(item_topics.c.item_id == item_id).order_by("topic_id")
        with self.store.engine.connect() as conn:
            return tuple(conn.execute(query).scalars())

    def match_counts(self) -> dict[int, int]:
        """Return how many items each topic has matched."""
        query = select(item_topics.c.topic_id, func.count()).group_by(item_topics.c.topic_id)
        with self.store.engine.connect() as conn:
            return {int(topic_id): int(count) for topic_id, count in conn.execute(query)}


def _enrichment_row(item_id: int, e: Enrichment, stamp: datetime) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "lang": e.lang[:12],
        "lang_score": e.lang_score,
        "analysis_text": e.analysis_text,
        "features": e.features,
        "dup_of": e.dup_of,
        "story_id": e.story_id,
        "units": list(e.units),
        "labels": e.labels,
        "updated_at": stamp,
    }


def _enrichment(row: Any) -> Enrichment:
    return Enrichment(
        lang=row["lang"],
        lang_score=row["lang_score"],
        analysis_text=row["analysis_text"],
        features=row["features"] or {},
        dup_of=row["dup_of"],
        story_id=row["story_id"],
        units=tuple(row["units"] or ()),
        labels=row["labels"] or {},
    )


def _topic(row: Any) -> Topic:
    return Topic(
        id=row["id"],
        name=row["name"],
        query=row["query"],
        category=row["category"],
        examples=tuple(row["examples"] or ()),
        enabled=row["enabled"],
        settings=row["settings"] or {},
    )
