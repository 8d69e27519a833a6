"""The `Store`: every read and write civicpulse makes, on SQLite or PostgreSQL.

Writes are idempotent: items are keyed by a natural key and inserted with ON CONFLICT DO NOTHING (on the
unpartitioned `item_keys` on PostgreSQL, where `items` is partitioned by month), so repeating a collect or an
import adds nothing. On SQLite one lock serialises writers (WAL lets readers go on).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from civicpulse.errors import StoreError
from civicpulse.models import FetchRecord, Item, ItemKind, QuarantineEntry, Source, SourceKind, SourceState
from civicpulse.store.engine import current_revision, head_revision, migrate, open_engine
from civicpulse.store.schema import (
    checkpoints,
    fetch_log,
    item_daily_counts,
    item_keys,
    items,
    quarantine,
    sources,
)
from civicpulse.understand.text import fold

PAYLOAD_SAMPLE = 2000


def now() -> datetime:
    return datetime.now(UTC)


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
@overload
def aware(value: datetime | None) -> datetime | None: ...
def aware(value: datetime | None) -> datetime | None:
    """Return `value` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Store:
    """Sources, items, fetch log, quarantine and checkpoints over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write_lock: AbstractContextManager[Any] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )

    # -- lifecycle -----------------------------------------------------------------------------------

    def upgrade(self) -> str:
        """Apply pending migrations; return the current revision."""
        return migrate(self.engine)

    def check_schema(self) -> None:
        """Raise `StoreError` with what to do when the database is behind the code."""
        current, head = current_revision(self.engine), head_revision()
        if current != head:
            raise StoreError(
                f"the database is at revision {current or 'none'} but the code needs {head}; "
                "run `civicpulse db upgrade`"
            )

    def close(self) -> None:
        self.engine.dispose()

    def _write(self) -> AbstractContextManager[Any]:
        return self._write_lock

    def _insert(self, table: Any) -> Any:
        dialect_insert = sqlite.insert if self.dialect == "sqlite" else postgresql.insert
        return dialect_insert(table)

    # -- sources -------------------------------------------------------------------------------------

    def add_source(self, source: Source) -> Source:
        """Register a source; registering the same URL again returns the existing one."""
        row = {
            "name": source.name,
            "kind": str(source.kind),
            "url": source.url,
            "enabled": source.enabled,
            "units": list(source.units),
            "settings": dict(source.settings),
            "created_at": now(),
            "etag": "",
            "last_modified": "",
            "interval_s": 900.0,
            "last_error": "",
            "error_streak": 0,
        }
        with self._write(), self.engine.begin() as conn:
            conn.execute(self._insert(sources).values(row).on_conflict_do_nothing(index_elements=["url"]))
            found = conn.execute(select(sources).where(sources.c.url == source.url)).one()
        return _source(found._mapping)

    def sources(self, *, enabled_only: bool = False) -> list[Source]:
        query = select(sources).order_by(sources.c.id)
        if enabled_only:
            query = query.where(sources.c.enabled.is_(True))
        with self.engine.connect() as conn:
            return [_source(r._mapping) for r in conn.execute(query)]

    def source(self, source_id: int) -> Source | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.id == source_id)).first()
        return _source(row._mapping) if row else None

    def source_by_url(self, url: str) -> Source | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.url == url)).first()
        return _source(row._mapping) if row else None

    def source_state(self, source_id: int) -> SourceState:
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.id == source_id)).one()._mapping
        return SourceState(
            etag=row["etag"],
            last_modified=row["last_modified"],
            interval_s=row["interval_s"],
            next_fetch_at=aware(row["next_fetch_at"]),
            last_success_at=aware(row["last_success_at"]),
            last_error=row["last_error"],
            error_streak=row["error_streak"],
        )

    def save_source_state(self, source_id: int, state: SourceState) -> None:
        values = {
            "etag": state.etag[:500],
            "last_modified": state.last_modified[:100],
            "interval_s": state.interval_s,
            "next_fetch_at": aware(state.next_fetch_at),
            "last_success_at": aware(state.last_success_at),
            "last_error": state.last_error,
            "error_streak": state.error_streak,
        }
        with self._write(), self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.id == source_id).values(values))

    def set_source_enabled(self, source_id: int, enabled: bool) -> None:
        with self._write(), self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.id == source_id).values(enabled=enabled))

    # -- items ---------------------------------------------------------------------------------------

    def add_items(self, batch: Iterable[Item]) -> list[Item]:
        """Insert items whose key is new; return only the inserted ones, with their ids."""
        unique: dict[str, Item] = {}
        for item in batch:
            unique.setdefault(item.key, item)
        if not unique:
            return []
        rows = [_item_row(item) for item in unique.values()]
        with self._write(), self.engine.begin() as conn:
            if self.dialect == "postgresql":
                inserted = _add_partitioned(conn, rows)
            else:
                statement = (
                    self._insert(items)
                    .on_conflict_do_nothing(index_elements=["key"])
                    .returning(items.c.id, items.c.key)
                )
                inserted = [(int(i), str(k)) for i, k in conn.execute(statement, rows)]
        return [replace(unique[key], id=item_id) for item_id, key in inserted]

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        """Return which of `keys` are already stored (lets connectors skip work for old entries)."""
        if not keys:
            return set()
        column = item_keys.c.key if self.dialect == "postgresql" else items.c.key
        with self.engine.connect() as conn:
            return set(conn.execute(select(column).where(column.in_(list(keys)))).scalars())

    def item(self, item_id: int) -> Item | None:
        with self.engine.connect() as conn:
            row = conn.execute(_item_select().where(items.c.id == item_id)).first()
        return _item(row._mapping) if row else None

    def recent_items(self, limit: int = 50, source_id: int | None = None) -> list[Item]:
        query = _item_select().order_by(items.c.id.desc()).limit(limit)
        if source_id is not None:
            query = query.where(items.c.source_id == source_id)
        with self.engine.connect() as conn:
            return [_item(r._mapping) for r in conn.execute(query)]

    def iter_items(self, batch_size: int = 1000, after: int = 0) -> Iterator[Item]:
        """Yield every item with an id above `after` in id order, `batch_size` rows at a time."""
        last = after
        while True:
            query = _item_select().where(items.c.id > last).order_by(items.c.id).limit(batch_size)
            with self.engine.connect() as conn:
                batch = [_item(r._mapping) for r in conn.execute(query)]
            if not batch:
                return
            yield from batch
            last = batch[-1].id or last

    def search(self, query: str, limit: int = 50) -> list[Item]:
        """Full-text search; matches Vietnamese with and without diacritics."""
        terms = [t for t in "".join(c if c.isalnum() else " " for c in fold(query)).split() if t]
        if not terms:
            return []
        with self.engine.connect() as conn:
            ids = self._search_ids(conn, terms, limit)
            if not ids:
                return []
            found = {r.id: _item(r._mapping) for r in conn.execute(_item_select().where(items.c.id.in_(ids)))}
        return [found[i] for i in ids if i in found]

    def _search_ids(self, conn: Connection, terms: list[str], limit: int) -> list[int]:
        if self.dialect == "sqlite":
            match = " ".join(f'"{t}"' for t in terms)
            sql = "SELECT rowid FROM items_fts WHERE items_fts MATCH :q ORDER BY rank LIMIT :n"
            return list(conn.execute(text(sql), {"q": match, "n": limit}).scalars())
        sql = (
            "SELECT id FROM items WHERE to_tsvector('simple', fold) @@ plainto_tsquery('simple', :q) "
            "ORDER BY ts_rank(to_tsvector('simple', fold), plainto_tsquery('simple', :q)) DESC, id DESC "
            "LIMIT :n"
        )
        return list(conn.execute(text(sql), {"q": " ".join(terms), "n": limit}).scalars())

    def daily_counts(self, since: date) -> dict[int, dict[date, int]]:
        """Items per source per collection day since `since` (for source health)."""
        day = func.date(items.c.collected_at)
        query = (
            select(items.c.source_id, day, func.count())
            .where(items.c.collected_at >= datetime.combine(since, datetime.min.time(), UTC))
            .group_by(items.c.source_id, day)
        )
        # Days of a dropped month come from its rollup; a day is never in both (store/partitions.py).
        rolled = select(
            item_daily_counts.c.source_id, item_daily_counts.c.day, item_daily_counts.c["items"]
        ).where(item_daily_counts.c.day >= since)
        result: dict[int, dict[date, int]] = {}
        with self.engine.connect() as conn:
            for source_id, when, count in [*conn.execute(query), *conn.execute(rolled)]:
                if source_id is not None:
                    day_ = date.fromisoformat(when) if isinstance(when, str) else when
                    per_day = result.setdefault(source_id, {})
                    per_day[day_] = per_day.get(day_, 0) + count
        return result

    # -- fetch log and quarantine --------------------------------------------------------------------

    def record_fetch(self, record: FetchRecord) -> None:
        row = {**record.__dict__, "started_at": aware(record.started_at), "error": record.error[:4000]}
        with self._write(), self.engine.begin() as conn:
            conn.execute(insert(fetch_log).values(row))

    def fetches(self, source_id: int, limit: int = 20) -> list[FetchRecord]:
        query = (
            select(fetch_log)
            .where(fetch_log.c.source_id == source_id)
            .order_by(fetch_log.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return [
            FetchRecord(**{**{k: v for k, v in r.items() if k != "id"}, "started_at": aware(r["started_at"])})
            for r in rows
        ]

    def quarantine(self, entry: QuarantineEntry) -> None:
        """Keep something aside with its reason; the payload is truncated to a sample."""
        payload = entry.payload if isinstance(entry.payload, str) else str(entry.payload)
        row = {
            "origin": entry.origin[:2000],
            "reason": entry.reason,
            "payload": payload[:PAYLOAD_SAMPLE],
            "source_id": entry.source_id,
            "created_at": aware(entry.created_at) or now(),
        }
        with self._write(), self.engine.begin() as conn:
            conn.execute(insert(quarantine).values(row))

    def quarantined(self, limit: int = 100) -> list[QuarantineEntry]:
        query = select(quarantine).order_by(quarantine.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [
                QuarantineEntry(**{**dict(r._mapping), "created_at": aware(r.created_at)})
                for r in conn.execute(query)
            ]

    # -- checkpoints and stats -----------------------------------------------------------------------

    def checkpoint(self, name: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(checkpoints.c.value).where(checkpoints.c.name == name)).scalar()

    def save_checkpoint(self, name: str, value: Any) -> None:
        statement = self._insert(checkpoints).values(name=name, value=value, updated_at=now())
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": value, "updated_at": now()}
        )
        with self._write(), self.engine.begin() as conn:
            conn.execute(statement)

    def stats(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "items": conn.execute(select(func.count()).select_from(items)).scalar_one(),
                "sources": conn.execute(select(func.count()).select_from(sources)).scalar_one(),
                "quarantined": conn.execute(select(func.count()).select_from(quarantine)).scalar_one(),
                "fetches": conn.execute(select(func.count()).select_from(fetch_log)).scalar_one(),
            }

    # -- reads for the web dashboard -----------------------------------------------------------------

    def ping(self) -> None:
        """Run a trivial query; raise `StoreError` saying what to check when the database is unreachable."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise StoreError(f"cannot reach the database: {exc}; check that it is running") from exc

    def hourly_counts(self, since: datetime) -> dict[datetime, int]:
        """Items per UTC hour (by published, else collected time) from `since` on; empty hours absent."""
        when = func.coalesce(items.c.published_at, items.c.collected_at)
        if self.dialect == "sqlite":
            hour: Any = func.strftime("%Y-%m-%dT%H:00:00", when)
        else:
            hour = func.date_trunc("hour", func.timezone("UTC", when))
        query = select(hour, func.count()).where(when >= aware(since)).group_by(hour)
        result: dict[datetime, int] = {}
        with self.engine.connect() as conn:
            for bucket, count in conn.execute(query):
                start = datetime.fromisoformat(bucket) if isinstance(bucket, str) else bucket
                result[start.replace(tzinfo=UTC)] = count
        return result

    def newest_items(self, limit: int = 20, since: datetime | None = None) -> list[Item]:
        """Items newest first by published time (else collected time), optionally only those since `since`."""
        when = func.coalesce(items.c.published_at, items.c.collected_at)
        query = _item_select().order_by(when.desc(), items.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(when >= aware(since))
        with self.engine.connect() as conn:
            return [_item(r._mapping) for r in conn.execute(query)]

    def item_counts_by_source(self) -> dict[int, int]:
        """Number of items collected per source id, months dropped by retention included (their rollup)."""
        query = select(items.c.source_id, func.count()).group_by(items.c.source_id)
        rolled = select(item_daily_counts.c.source_id, func.sum(item_daily_counts.c["items"])).group_by(
            item_daily_counts.c.source_id
        )
        result: dict[int, int] = {}
        with self.engine.connect() as conn:
            for source_id, count in [*conn.execute(query), *conn.execute(rolled)]:
                if source_id is not None:
                    result[source_id] = result.get(source_id, 0) + int(count)
        return result


def open_store(url: str, *, upgrade: bool = False) -> Store:
    """Open the store at `url`; with `upgrade`, apply pending migrations first."""
    store = Store(open_engine(url))
    if upgrade:
        store.upgrade()
    return store


def _item_select() -> Any:
    return select(items, sources.c.name.label("source_name")).select_from(
        items.outerjoin(sources, items.c.source_id == sources.c.id)
    )


def _add_partitioned(conn: Connection, rows: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """Insert the rows whose key is new into PostgreSQL's partitioned `items`; return (id, key) of those.

    `item_keys` (unpartitioned) decides which keys are new, so an item collected again a month later is not
    stored twice; ids come from the items sequence first so the key row can name its item. A concurrent
    writer of the same key waits on the key's row and then inserts nothing. Keys already stored use up ids.
    """
    ids = conn.execute(
        text("SELECT nextval('items_id_seq') FROM generate_series(1, :n)"), {"n": len(rows)}
    ).scalars()
    rows = [{**row, "id": int(item_id)} for row, item_id in zip(rows, ids, strict=True)]
    # In key order, so two writers with overlapping batches wait on each other instead of deadlocking.
    keyed = sorted(
        ({"key": r["key"], "item_id": r["id"], "collected_at": r["collected_at"]} for r in rows),
        key=lambda r: str(r["key"]),
    )
    statement = postgresql.insert(item_keys).on_conflict_do_nothing(index_elements=["key"])
    new = set(conn.execute(statement.returning(item_keys.c.key), keyed).scalars())
    fresh = [row for row in rows if row["key"] in new]
    if fresh:
        conn.execute(insert(items), fresh)
    return [(row["id"], row["key"]) for row in fresh]


def _item_row(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "source_id": item.source_id,
        "kind": str(item.kind),
        "url": item.url[:2000],
        "title": item.title,
        "text": item.text,
        "raw_text": item.raw_text,
        "fold": fold(f"{item.title}\n{item.text}"),
        "author": item.author,
        "lang": item.lang,
        "platform": item.platform,
        "platform_id": item.platform_id[:200],
        "content_hash": item.content_hash,
        "published_at": aware(item.published_at),
        "collected_at": aware(item.collected_at) or now(),
        "extra": item.extra,
    }


def _item(row: Any) -> Item:
    return Item(
        id=row["id"],
        key=row["key"],
        source_id=row["source_id"],
        source_name=row["source_name"] or "",
        kind=ItemKind(row["kind"]),
        url=row["url"],
        title=row["title"],
        text=row["text"],
        raw_text=row["raw_text"],
        author=row["author"],
        lang=row["lang"],
        platform=row["platform"],
        platform_id=row["platform_id"],
        content_hash=row["content_hash"],
        published_at=aware(row["published_at"]),
        collected_at=aware(row["collected_at"]),
        extra=row["extra"] or {},
    )


def _source(row: Any) -> Source:
    return Source(
        id=row["id"],
        name=row["name"],
        kind=SourceKind(row["kind"]),
        url=row["url"],
        enabled=row["enabled"],
        units=tuple(row["units"] or ()),
        settings=row["settings"] or {},
    )


__all__ = ["Store", "now", "open_store", "timedelta"]
