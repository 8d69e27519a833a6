"""Monthly partitions of `items` on PostgreSQL: created ahead, filled out of DEFAULT, dropped when old.

Migration 0013 partitions `items` by UTC month of `collected_at` (`items_2026_01`, …, and `items_default`).
`ensure_partitions` creates this month's and the next months' partitions, and the partition of any month
whose rows landed in DEFAULT, moving them. `drop_old_partitions` drops whole months older than the policy:
it first rolls their items up into daily counts per source, deletes their derived rows (enrichments, topic
matches, claim matches) and detaches field reports from them, as PostgreSQL has no foreign keys from those
tables to a partitioned `items`. Analysts' labels stay, with their own copy of what they judged. SQLite is
not partitioned; both functions do nothing there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

from civicpulse.store.store import Store

DEFAULT_PARTITION = "items_default"
MONTH_NAME = re.compile(r"^items_(\d{4})_(\d{2})$")
AUTOVACUUM = "autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02"
# Derived rows of a dropped month: deleted with it (what ON DELETE CASCADE did before 0013) ...
DERIVED = ("enrichments", "item_topics", "claim_matches")
# ... and rows people made, which stay: field reports lose their link (ON DELETE SET NULL did the same).
DETACHED = "field_reports"


@dataclass(frozen=True)
class MonthPartition:
    """One month's partition of `items`: rows collected from `start` (included) to `end` (excluded), UTC."""

    name: str
    start: date

    @property
    def end(self) -> date:
        return add_months(self.start, 1)


@dataclass(frozen=True)
class DroppedMonth:
    """What dropping one month's partition removed and kept."""

    name: str
    items: int
    labels_kept: int
    reports_detached: int


def month_of(moment: datetime | date) -> date:
    """Return the first day of the UTC month `moment` falls in."""
    if isinstance(moment, datetime):
        moment = (moment.astimezone(UTC) if moment.tzinfo else moment).date()
    return moment.replace(day=1)


def add_months(month: date, months: int) -> date:
    """Return the first day of the month `months` after (or before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partitions(store: Store) -> list[MonthPartition]:
    """Return the month partitions of `items`, oldest first (none on SQLite)."""
    if store.dialect != "postgresql":
        return []
    query = text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = to_regclass('items')"
    )
    with store.engine.connect() as conn:
        names = list(conn.execute(query).scalars())
    found = []
    for name in names:
        if match := MONTH_NAME.match(name):
            found.append(MonthPartition(name, date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda p: p.start)


def ensure_partitions(store: Store, today: date, ahead: int) -> list[str]:
    """Create the partitions of this month and the `ahead` next ones, and of months with rows in DEFAULT.

    Return the names created; running it again creates nothing. Each month is one short transaction.
    """
    if store.dialect != "postgresql":
        return []
    wanted = {add_months(month_of(today), k) for k in range(ahead + 1)}
    truncated = "CAST(date_trunc('month', collected_at AT TIME ZONE 'UTC') AS date)"
    stray = text(f"SELECT DISTINCT {truncated} FROM {DEFAULT_PARTITION}")
    with store.engine.connect() as conn:
        wanted |= set(conn.execute(stray).scalars())
    existing = {p.start for p in partitions(store)}
    created = []
    for month in sorted(wanted - existing):
        with store._write(), store.engine.begin() as conn:
            created.append(_create_month(conn, month))
    return created


def drop_old_partitions(store: Store, keep_months: int, today: date) -> list[DroppedMonth]:
    """Drop the partitions of months that ended more than `keep_months` whole months before this one.

    Run `ensure_partitions` first, so rows of those months that sat in DEFAULT are in their month's
    partition. Each month is one transaction: roll up, clean derived rows, forget its keys, drop.
    """
    cutoff = add_months(month_of(today), -keep_months)
    dropped = []
    for partition in partitions(store):
        if partition.end > cutoff:
            break
        with store._write(), store.engine.begin() as conn:
            dropped.append(_drop_month(conn, partition))
    return dropped


def _bounds(month: date) -> tuple[str, str]:
    return f"'{month.isoformat()} 00:00:00+00'", f"'{add_months(month, 1).isoformat()} 00:00:00+00'"


def _create_month(conn: Connection, month: date) -> str:
    name, (lower, upper) = f"items_{month:%Y_%m}", _bounds(month)
    in_range = f"collected_at >= {lower} AND collected_at < {upper}"
    strays = conn.execute(text(f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE {in_range}")).scalar_one()
    if not strays:
        conn.execute(
            text(
                f"CREATE TABLE {name} PARTITION OF items FOR VALUES FROM ({lower}) TO ({upper})"
                f" WITH ({AUTOVACUUM})"
            )
        )
        return name
    # PostgreSQL refuses a new partition whose range DEFAULT holds rows: move them into a table first,
    # then attach it (which builds the parent's indexes on it).
    conn.execute(text(f"CREATE TABLE {name} (LIKE items INCLUDING DEFAULTS) WITH ({AUTOVACUUM})"))
    conn.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE {in_range} RETURNING *)"
            f" INSERT INTO {name} SELECT * FROM moved"
        )
    )
    conn.execute(text(f"ALTER TABLE items ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})"))
    return name


def _drop_month(conn: Connection, partition: MonthPartition) -> DroppedMonth:
    name, (lower, upper) = partition.name, _bounds(partition.start)
    ids = f"SELECT id FROM {name}"
    conn.execute(
        text(
            "INSERT INTO item_daily_counts (day, source_id, items)"
            f" SELECT CAST(collected_at AT TIME ZONE 'UTC' AS date), source_id, count(*) FROM {name}"
            " WHERE source_id IS NOT NULL GROUP BY 1, 2"
            " ON CONFLICT (day, source_id) DO UPDATE SET items = item_daily_counts.items + excluded.items"
        )
    )
    for table in DERIVED:
        conn.execute(text(f"DELETE FROM {table} WHERE item_id IN ({ids})"))
    reports = conn.execute(text(f"UPDATE {DETACHED} SET item_id = NULL WHERE item_id IN ({ids})")).rowcount
    labels = conn.execute(text(f"SELECT count(*) FROM item_labels WHERE item_id IN ({ids})")).scalar_one()
    conn.execute(text(f"DELETE FROM item_keys WHERE collected_at >= {lower} AND collected_at < {upper}"))
    count = conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
    conn.execute(text(f"DROP TABLE {name}"))
    return DroppedMonth(name, int(count), int(labels), int(reports))
