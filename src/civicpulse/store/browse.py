"""Stories and items by page with the dashboard's filters (time, topic, unit, source kind, language, tone).

Both lists are read by keyset: stories by (last seen, id), search results by id, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Float,
    String,
    and_,
    cast,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)

from civicpulse.models import Item, Story
from civicpulse.store.dashboard import harmful, item_time, sentiment_label
from civicpulse.store.schema import cases, enrichments, item_topics, items, sources, stories
from civicpulse.store.store import _item
from civicpulse.store.stories import _story
from civicpulse.understand.text import fold

if TYPE_CHECKING:
    from civicpulse.store.store import Store

SENTIMENTS = ("negative", "neutral", "positive")
# A story "is" negative (or positive...) when at least this share of its labelled items is.
SENTIMENT_SHARE = 0.4
SENTIMENT_SAMPLE = 200
recent = enrichments.alias("recent")
counted = enrichments.alias("counted")
# A literal, not a bound parameter: SQLite matches an expression to its index only when written the same.
TONE_SQLITE_PATH = "'$.sentiment.label'"


@dataclass(frozen=True)
class Filters:
    """What the stories list and search narrow by; empty fields do not filter."""

    since: datetime | None = None
    topic_id: int | None = None
    unit: str = ""
    source_kind: str = ""
    lang: str = ""
    sentiment: str = ""
    harm: bool = False
    has_case: bool | None = None


def _json_has(column: Any, dialect: str, value: str, *, like: bool = False) -> Any:
    """Whether a JSON list column holds `value` (or, with `like`, an element containing it)."""
    function = func.json_each if dialect == "sqlite" else func.json_array_elements_text
    elements = function(column).table_valued("value")
    element = cast(elements.c.value, String)
    condition = element.like(f"%{value}%") if like else element == value
    return exists(select(1).select_from(elements).where(condition))


def _kind_source_ids(store: Store, kind: str) -> list[str]:
    with store.engine.connect() as conn:
        return [str(i) for i in conn.execute(select(sources.c.id).where(sources.c.kind == kind)).scalars()]


def story_conditions(store: Store, f: Filters) -> list[Any]:
    """SQL conditions on `stories` for the filters."""
    where: list[Any] = []
    in_story = enrichments.c.story_id == stories.c.id
    if f.since is not None:
        where.append(stories.c.last_seen >= f.since)
    if f.topic_id is not None:
        where.append(
            exists(
                select(1)
                .select_from(enrichments.join(item_topics, item_topics.c.item_id == enrichments.c.item_id))
                .where(in_story, item_topics.c.topic_id == f.topic_id)
            )
        )
    if f.unit:
        # Story units keep only clear places; items also name ambiguous ones (`a|b`), which count too.
        where.append(
            or_(
                _json_has(stories.c.units, store.dialect, f.unit),
                exists(select(1).where(in_story, cast(enrichments.c.units, String).like(f"%{f.unit}%"))),
            )
        )
    if f.source_kind:
        ids = _kind_source_ids(store, f.source_kind)
        function = func.json_each if store.dialect == "sqlite" else func.json_array_elements_text
        elements = function(stories.c.source_ids).table_valued("value")
        where.append(
            exists(select(1).select_from(elements).where(cast(elements.c.value, String).in_(ids or ["-"])))
        )
    if f.lang:
        where.append(_json_has(stories.c.langs, store.dialect, f.lang))
    if f.sentiment:
        where.append(_tone_share(f.sentiment, store.dialect) >= SENTIMENT_SHARE)
    if f.harm:
        where.append(exists(select(1).where(in_story, harmful())))
    if f.has_case is not None:
        with_case = exists(select(1).where(cases.c.story_id == stories.c.id))
        where.append(with_case if f.has_case else ~with_case)
    return where


def _tone(table: Any, dialect: str) -> Any:
    """An item's sentiment label; on SQLite written exactly as migration 0012's index has it."""
    if dialect == "sqlite":
        return func.json_extract(table.c.labels, literal_column(TONE_SQLITE_PATH))
    return table.c.labels[("sentiment", "label")].as_string()


def _tone_share(sentiment: str, dialect: str) -> Any:
    """The share of `sentiment` among a story's newest SENTIMENT_SAMPLE labelled items (NULL: none).

    Measured on the newest items, so a story of 40,000 items costs what one of 200 does. Each count is a
    range of the (story, sentiment, item) index of migration 0012, from the sample's oldest item on; reading
    the labels themselves cost 200 row reads and JSON parses per story visited (1.6 s at a million items).
    """
    oldest = (
        select(recent.c.item_id)
        .where(recent.c.story_id == stories.c.id)
        .order_by(recent.c.item_id.desc())
        .limit(1)
        .offset(SENTIMENT_SAMPLE - 1)
        .correlate(stories)
        .scalar_subquery()
    )
    tone = _tone(counted, dialect)

    def count(condition: Any) -> Any:
        in_sample = counted.c.item_id >= func.coalesce(oldest, 0)
        return (
            select(func.count())
            .select_from(counted)
            .where(counted.c.story_id == stories.c.id, condition, in_sample)
            .correlate(stories)
            .scalar_subquery()
        )

    return cast(count(tone == sentiment), Float) / func.nullif(count(tone.in_(SENTIMENTS)), 0)


def story_page(
    store: Store, f: Filters, *, after: tuple[datetime, int] | None = None, limit: int = 50
) -> list[Story]:
    """Stories newest first (by last seen) matching the filters, after the cursor (last seen, id)."""
    query = (
        select(stories)
        .where(stories.c.status != "merged", stories.c.last_seen.is_not(None), *story_conditions(store, f))
        .order_by(stories.c.last_seen.desc(), stories.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        at, story_id = after
        query = query.where(
            or_(stories.c.last_seen < at, and_(stories.c.last_seen == at, stories.c.id < story_id))
        )
    with store.engine.connect() as conn:
        return [_story(r._mapping) for r in conn.execute(query)]


def item_conditions(store: Store, f: Filters) -> list[Any]:
    """SQL conditions on `items` (joined to `enrichments` and `sources`) for the filters."""
    where: list[Any] = []
    if f.since is not None:
        where.append(item_time() >= f.since)
    if f.topic_id is not None:
        where.append(
            exists(select(1).where(item_topics.c.item_id == items.c.id, item_topics.c.topic_id == f.topic_id))
        )
    if f.unit:
        where.append(cast(enrichments.c.units, String).like(f"%{f.unit}%"))
    if f.source_kind:
        where.append(sources.c.kind == f.source_kind)
    if f.lang:
        where.append(func.coalesce(enrichments.c.lang, items.c.lang) == f.lang)
    if f.sentiment:
        where.append(sentiment_label() == f.sentiment)
    if f.harm:
        where.append(harmful())
    if f.has_case is not None:
        with_case = exists(select(1).where(cases.c.story_id == enrichments.c.story_id))
        where.append(with_case if f.has_case else ~with_case)
    return where


def search_terms(query: str) -> list[str]:
    """The words of a search, folded (diacritics off) as the index stores them."""
    return [t for t in "".join(c if c.isalnum() else " " for c in fold(query)).split() if t]


def search_page(
    store: Store, query: str, f: Filters, *, before: int | None = None, limit: int = 50
) -> list[Item]:
    """Items matching every word of `query` and the filters, newest first (by id), below `before`."""
    terms = search_terms(query)
    conditions = item_conditions(store, f)
    if terms and store.dialect == "sqlite":
        # Driving the join from FTS5, which hands out row ids newest first by itself, stops after `limit`
        # matches; an IN (...) over the matches would first collect every one of them.
        fts = table("items_fts", column("rowid"))
        source: Any = fts.join(items, items.c.id == fts.c.rowid)
        conditions.append(text("items_fts MATCH :match").bindparams(match=" ".join(f'"{t}"' for t in terms)))
        order = fts.c.rowid.desc()
        if before is not None:
            conditions.append(fts.c.rowid < before)
    else:
        source = items
        order = items.c.id.desc()
        if terms:
            vector = func.to_tsvector("simple", items.c.fold)
            conditions.append(vector.op("@@")(func.plainto_tsquery("simple", " ".join(terms))))
        if before is not None:
            conditions.append(items.c.id < before)
    joined = source.outerjoin(sources, items.c.source_id == sources.c.id).outerjoin(
        enrichments, enrichments.c.item_id == items.c.id
    )
    statement = (
        select(items, sources.c.name.label("source_name"))
        .select_from(joined)
        .where(*conditions)
        .order_by(order)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [_item(r._mapping) for r in conn.execute(statement)]
