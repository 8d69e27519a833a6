"""Reads of the dashboard: hotspots, activity, units, a story's parts, alerts by page, topics by id.

Stories and search with their filters are in `store/browse.py`. Every list is read by keyset (a cursor of
the last row's sort key), so a page costs the same at the end of a million rows as at the start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, and_, cast, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from civicpulse.errors import InputError
from civicpulse.models import Item, Topic
from civicpulse.store.claims import ClaimMatch, _match
from civicpulse.store.schema import (
    alerts,
    claim_matches,
    claims,
    enrichments,
    items,
    sources,
    story_buckets,
    topics,
)
from civicpulse.store.store import _item, _item_select
from civicpulse.store.understanding import _topic

if TYPE_CHECKING:
    from civicpulse.store.store import Store

OPEN_ALERTS = ("new", "acknowledged")
# A story's breakdowns (sources, tone, places) are measured on its newest items: a story of 40,000 items
# would otherwise cost a second per page view, and what it is saying now is what an analyst acts on.
STORY_SAMPLE = 2000
HARMFUL_TOXICITY = ("offensive", "hate")


def aware(value: datetime | str | None) -> datetime | None:
    """Return `value` as aware UTC (SQLite hands back naive datetimes, or text for expressions)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def item_time() -> Any:
    """An item's time: when it was published, else when it was collected."""
    return func.coalesce(items.c.published_at, items.c.collected_at)


def since_clause(since: datetime) -> Any:
    """Items from `since` on, written so each branch can use its index (a COALESCE could not)."""
    return or_(
        items.c.published_at >= since, and_(items.c.published_at.is_(None), items.c.collected_at >= since)
    )


def sentiment_label() -> Any:
    return enrichments.c.labels[("sentiment", "label")].as_string()


def harmful() -> Any:
    """An item labelled offensive, hateful or a scam."""
    toxicity = enrichments.c.labels[("toxicity", "label")].as_string()
    scam = enrichments.c.labels[("scam", "label")].as_string()
    return or_(toxicity.in_(HARMFUL_TOXICITY), scam == "scam")


@dataclass(frozen=True)
class UnitActivity:
    """How many recent items name a unit, and how many of them were labelled negative."""

    items: int
    negative: int

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.items if self.items else None


def split_units(entries: Sequence[str] | None) -> set[str]:
    """Unit codes named by an enrichment; an ambiguous `a|b` names each of them."""
    return {code for entry in entries or () for code in str(entry).split("|") if code}


class DashboardReads:
    """What the overview, alert, unit and story pages read, over `store.engine`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- activity ------------------------------------------------------------------------------------

    def hourly_activity(self, since: datetime) -> dict[datetime, int]:
        """Items per UTC hour from `since` on, from the stories' hourly buckets (an index range, no scan)."""
        query = (
            select(story_buckets.c.bucket, func.sum(story_buckets.c["items"]))
            .where(story_buckets.c.bucket >= since)
            .group_by(story_buckets.c.bucket)
        )
        with self.store.engine.connect() as conn:
            return {aware(b) or since: int(n) for b, n in conn.execute(query)}

    def story_hours(self, story_ids: Sequence[int], since: datetime) -> dict[int, dict[datetime, int]]:
        """Items per hour of each story from `since` on (for sparklines in lists)."""
        if not story_ids:
            return {}
        query = select(story_buckets).where(
            story_buckets.c.story_id.in_(list(story_ids)), story_buckets.c.bucket >= since
        )
        found: dict[int, dict[datetime, int]] = {}
        with self.store.engine.connect() as conn:
            for row in conn.execute(query):
                found.setdefault(row.story_id, {})[aware(row.bucket) or since] = int(row.items)
        return found

    def unit_activity(self, since: datetime) -> dict[str, UnitActivity]:
        """Per unit code: items naming it from `since` on, and how many of them are negative."""
        function = func.json_each if self.store.dialect == "sqlite" else func.json_array_elements_text
        entries = function(enrichments.c.units).table_valued("value")
        entry = cast(entries.c.value, String)
        # Grouped in SQL by the named entry; an ambiguous `a|b` entry is split afterwards (few distinct ones).
        query = (
            select(entry, func.count(), func.sum(cast(sentiment_label() == "negative", Integer)))
            .select_from(items.join(enrichments, enrichments.c.item_id == items.c.id).join(entries, true()))
            .where(since_clause(since), cast(enrichments.c.units, String) != "[]")
            .group_by(entry)
        )
        counts: Counter[str] = Counter()
        negative: Counter[str] = Counter()
        with self.store.engine.connect() as conn:
            for named, n, bad in conn.execute(query):
                for code in split_units([named]):
                    counts[code] += int(n)
                    negative[code] += int(bad or 0)
        return {code: UnitActivity(n, negative[code]) for code, n in counts.items()}

    # -- alerts --------------------------------------------------------------------------------------

    def hotspots(self, limit: int, statuses: Sequence[str] = OPEN_ALERTS) -> list[dict[str, Any]]:
        """Open alerts, highest score first."""
        query = (
            select(alerts)
            .where(alerts.c.status.in_(list(statuses)))
            .order_by(alerts.c.score.desc(), alerts.c.id.desc())
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [_alert(r._mapping) for r in conn.execute(query)]

    def alert_page(
        self, *, status: str = "", before: tuple[datetime, int] | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Alerts newest first (by opening time), after the cursor `before` = (opened_at, id)."""
        query = select(alerts).order_by(alerts.c.opened_at.desc(), alerts.c.id.desc()).limit(limit)
        if status:
            query = query.where(alerts.c.status == status)
        if before is not None:
            at, alert_id = before
            query = query.where(
                or_(alerts.c.opened_at < at, and_(alerts.c.opened_at == at, alerts.c.id < alert_id))
            )
        with self.store.engine.connect() as conn:
            return [_alert(r._mapping) for r in conn.execute(query)]

    def story_alerts(self, story_id: int) -> list[dict[str, Any]]:
        """Alerts about one story, newest first."""
        query = (
            select(alerts)
            .where(alerts.c.subject_kind == "story", alerts.c.subject_id == str(story_id))
            .order_by(alerts.c.id.desc())
        )
        with self.store.engine.connect() as conn:
            return [_alert(r._mapping) for r in conn.execute(query)]

    # -- one story -----------------------------------------------------------------------------------

    def story_timeline(self, story_id: int, hours: int) -> tuple[datetime | None, dict[datetime, int]]:
        """A story's first hour, and its items per hour in its last `hours` hours (not the whole history).

        Two seeks and a range of the (story, hour) key: a 60-day story has 1,440 buckets, a page shows 336.
        """
        mine = story_buckets.c.story_id == story_id
        bounds = select(
            select(func.min(story_buckets.c.bucket)).where(mine).scalar_subquery(),
            select(func.max(story_buckets.c.bucket)).where(mine).scalar_subquery(),
        )
        with self.store.engine.connect() as conn:
            first, last = (aware(v) for v in conn.execute(bounds).one())
            if first is None or last is None:
                return None, {}
            start = max(first, last - timedelta(hours=hours - 1))
            query = select(story_buckets.c.bucket, story_buckets.c["items"]).where(
                story_buckets.c.story_id == story_id, story_buckets.c.bucket >= start
            )
            return first, {aware(b) or start: int(n) for b, n in conn.execute(query)}

    def newest_items(self, limit: int) -> list[Item]:
        """The items that arrived last (by id: the primary key, so no sort of a million rows)."""
        query = _item_select().order_by(items.c.id.desc()).limit(limit)
        with self.store.engine.connect() as conn:
            return [_item(r._mapping) for r in conn.execute(query)]

    def source_counts(self) -> dict[int, int]:
        """Items per source id (an index scan; callers cache it, as it moves slowly)."""
        query = select(items.c.source_id, func.count()).group_by(items.c.source_id)
        with self.store.engine.connect() as conn:
            return {int(source): int(n) for source, n in conn.execute(query) if source is not None}

    def rate_by_source(self, start: datetime, bucket: timedelta, buckets: int) -> dict[int, list[int]]:
        """Items collected per source in `buckets` spans of `bucket` from `start` (on the hour), oldest first.

        Grouped by hour in the database (the collected-at index bounds the scan to the window), then folded
        into buckets here; `bucket` is a whole number of hours.
        """
        collected = items.c.collected_at
        if self.store.dialect == "sqlite":
            hour: Any = func.strftime("%Y-%m-%dT%H:00:00", collected)
        else:
            hour = func.date_trunc("hour", func.timezone("UTC", collected))
        end = start + bucket * buckets
        query = (
            select(items.c.source_id, hour, func.count())
            .where(collected >= start, collected < end, items.c.source_id.is_not(None))
            .group_by(items.c.source_id, hour)
        )
        series: dict[int, list[int]] = {}
        with self.store.engine.connect() as conn:
            for source_id, at, count in conn.execute(query):
                moment = aware(at)
                assert moment is not None  # grouped on a NOT NULL column
                index = int((moment - start) / bucket)
                if 0 <= index < buckets:
                    series.setdefault(int(source_id), [0] * buckets)[index] += int(count)
        return series

    def daily_by_source(self, days: int, today: date) -> dict[int, list[int]]:
        """Items collected per source per day over the last `days` days, oldest first (zeros filled in)."""
        first = today - timedelta(days=days - 1)
        found = self.store.daily_counts(first)
        return {
            source: [per_day.get(first + timedelta(days=k), 0) for k in range(days)]
            for source, per_day in found.items()
        }

    def _newest_of(self, story_id: int, limit: int) -> Any:
        """The ids of a story's newest `limit` items: what its breakdowns are measured on."""
        return (
            select(enrichments.c.item_id)
            .where(enrichments.c.story_id == story_id)
            .order_by(enrichments.c.item_id.desc())
            .limit(limit)
        )

    def story_sources(self, story_id: int, limit: int = STORY_SAMPLE) -> list[dict[str, Any]]:
        """The sources of a story's newest `limit` items: name, kind, items and when each first carried it."""
        when = item_time()
        query = (
            select(
                items.c.source_id,
                sources.c.name,
                sources.c.kind,
                func.count().label("items"),
                func.min(when).label("first"),
            )
            .select_from(
                enrichments.join(items, items.c.id == enrichments.c.item_id).outerjoin(
                    sources, sources.c.id == items.c.source_id
                )
            )
            .where(enrichments.c.item_id.in_(self._newest_of(story_id, limit)))
            .group_by(items.c.source_id, sources.c.name, sources.c.kind)
        )
        with self.store.engine.connect() as conn:
            rows = [
                {"source_id": r.source_id, "name": r.name or "", "kind": r.kind or "", "items": int(r.items)}
                | {"first": aware(r.first)}
                for r in conn.execute(query)
            ]
        return sorted(rows, key=lambda r: (r["first"] or datetime.max.replace(tzinfo=UTC), r["name"]))

    def story_items(self, story_id: int, limit: int) -> list[Item]:
        """A story's newest items (by id, the order they arrived)."""
        ids = (
            select(enrichments.c.item_id)
            .where(enrichments.c.story_id == story_id)
            .order_by(enrichments.c.item_id.desc())
            .limit(limit)
        )
        query = _item_select().where(items.c.id.in_(ids)).order_by(items.c.id.desc())
        with self.store.engine.connect() as conn:
            return [_item(r._mapping) for r in conn.execute(query)]

    def story_tone(self, story_id: int, limit: int = STORY_SAMPLE) -> dict[str, int]:
        """How many of a story's newest `limit` items are labelled, negative and harmful."""
        query = select(
            func.count(),
            func.sum(cast(sentiment_label() == "negative", Integer)),
            func.sum(cast(harmful(), Integer)),
            func.sum(cast(sentiment_label().is_not(None), Integer)),
        ).where(enrichments.c.item_id.in_(self._newest_of(story_id, limit)))
        with self.store.engine.connect() as conn:
            total, negative, harm, labelled = conn.execute(query).one()
        return {
            "items": int(total or 0),
            "labelled": int(labelled or 0),
            "negative": int(negative or 0),
            "harmful": int(harm or 0),
        }

    def story_units(self, story_id: int, limit: int = STORY_SAMPLE) -> dict[str, int]:
        """How many of a story's newest `limit` items name each unit (each of an ambiguous `a|b`)."""
        query = select(enrichments.c.units).where(
            enrichments.c.item_id.in_(self._newest_of(story_id, limit)),
            cast(enrichments.c.units, String) != "[]",
        )
        counts: Counter[str] = Counter()
        with self.store.engine.connect() as conn:
            for units in conn.execute(query).scalars():
                counts.update(split_units(units))
        return dict(counts)

    def story_claims(self, story_id: int) -> list[ClaimMatch]:
        """Claim matches of a story's items (suggested and linked), best first.

        A join on the item's enrichment, so the planner starts from whichever side is smaller (a list of
        every item of a 36,000-item story, probed one by one, was the other way).
        """
        query = (
            select(claim_matches)
            .join(enrichments, enrichments.c.item_id == claim_matches.c.item_id)
            .where(enrichments.c.story_id == story_id, claim_matches.c.status.in_(("suggested", "linked")))
            .order_by(claim_matches.c.score.desc(), claim_matches.c.id)
            .limit(50)
        )
        with self.store.engine.connect() as conn:
            return [_match(r._mapping) for r in conn.execute(query)]

    def claim_texts(self, claim_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(text, verdict) of each of these claims, in one query."""
        if not claim_ids:
            return {}
        query = select(claims.c.id, claims.c.text, claims.c.verdict).where(claims.c.id.in_(set(claim_ids)))
        with self.store.engine.connect() as conn:
            return {int(r.id): (r.text, r.verdict) for r in conn.execute(query)}

    def item_story(self, item_id: int) -> int | None:
        """The story an item belongs to, if any."""
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(enrichments.c.story_id).where(enrichments.c.item_id == item_id)
            ).scalar()
        return None if found is None else int(found)

    # -- topics --------------------------------------------------------------------------------------

    def topic(self, topic_id: int) -> Topic | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(topics).where(topics.c.id == topic_id)).first()
        return None if row is None else _topic(row._mapping)

    def update_topic(self, topic_id: int, **values: Any) -> Topic | None:
        """Change a topic's name, query, category or enabled flag; None when there is no such topic."""
        try:
            with self.store._write(), self.store.engine.begin() as conn:
                statement = update(topics).where(topics.c.id == topic_id)
                changed = conn.execute(statement.values(**values, updated_at=datetime.now(UTC))).rowcount
        except IntegrityError as exc:
            raise InputError(f"another topic is named {values.get('name')!r}; choose another name") from exc
        return self.topic(topic_id) if changed else None

    def recent_texts(self, limit: int) -> list[tuple[int, str, datetime | None]]:
        """(id, title and text, time) of the newest `limit` items, for previewing a topic's query."""
        query = (
            select(items.c.id, items.c.title, items.c.text, item_time().label("at"))
            .order_by(items.c.id.desc())
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [(int(r.id), f"{r.title}\n{r.text}", aware(r.at)) for r in conn.execute(query)]


def _alert(row: Any) -> dict[str, Any]:
    alert = dict(row)
    for key in ("opened_at", "escalated_at", "created_at", "updated_at"):
        alert[key] = aware(alert[key])
    return alert
