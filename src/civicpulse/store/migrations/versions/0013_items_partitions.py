"""Monthly partitions of `items` on PostgreSQL; item keys, label snapshots and daily counts on both backends.

Revision ID: 0013
Revises: 0012

On PostgreSQL `items` becomes a table partitioned by range of `collected_at`, one partition per UTC month plus
a DEFAULT one, primary key (id, collected_at), the same `items_id_seq`. A unique key on a partitioned table
must contain the partition key, so idempotence moves to the unpartitioned `item_keys` (store.py: add_items),
and the five tables pointing at items lose their foreign keys there (a partition drop cleans them itself,
store/partitions.py). SQLite keeps `items` as it is. Both get `item_keys` (written on PostgreSQL only),
`item_daily_counts` (the rollup of dropped months) and a snapshot of what each label judged
(docs/decisions/0070-scale-out.md, "PostgreSQL at scale").
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

COLUMNS = (
    "id, key, source_id, kind, url, title, text, raw_text, fold, author, lang, platform, platform_id,"
    " content_hash, published_at, collected_at, extra"
)
COLUMN_TYPES = """
    id bigint NOT NULL DEFAULT nextval('items_id_seq'::regclass),
    key varchar(80) NOT NULL,
    source_id bigint,
    kind varchar(20) NOT NULL,
    url varchar(2000) NOT NULL,
    title text NOT NULL,
    text text NOT NULL,
    raw_text text NOT NULL,
    fold text NOT NULL,
    author varchar(64) NOT NULL,
    lang varchar(12) NOT NULL,
    platform varchar(40) NOT NULL,
    platform_id varchar(200) NOT NULL,
    content_hash varchar(64) NOT NULL,
    published_at timestamptz,
    collected_at timestamptz NOT NULL,
    extra json NOT NULL
"""
# Those of 0001 and 0007; on a partitioned table each is created on every partition, present and future.
INDEXES = (
    "CREATE INDEX ix_items_published_at ON items (published_at)",
    "CREATE INDEX ix_items_source_published ON items (source_id, published_at)",
    "CREATE INDEX ix_items_content_hash ON items (content_hash)",
    "CREATE INDEX ix_items_collected_at ON items (collected_at)",
    "CREATE INDEX ix_items_when_id ON items ((coalesce(published_at, collected_at)), id)",
    "CREATE INDEX ix_items_fold_fts ON items USING gin (to_tsvector('simple', fold))",
)
AUTOVACUUM = "autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02"
REFERENCING = {
    "enrichments": "CASCADE",
    "item_topics": "CASCADE",
    "claim_matches": "CASCADE",
    "item_labels": "CASCADE",
    "field_reports": "SET NULL",
}
MONTHS_AHEAD = 3  # `civicpulse cluster retention --partitions` keeps creating them from then on
MONTHS_BACK_AT_MOST = 240  # older rows (bad clocks, imports) go to the DEFAULT partition


def upgrade() -> None:
    op.create_table(
        "item_keys",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("item_id", BigId, nullable=False),
        sa.Column("collected_at", TS, nullable=False),
    )
    op.create_index("ix_item_keys_collected_at", "item_keys", ["collected_at"])
    op.create_table(
        "item_daily_counts",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("source_id", BigId, primary_key=True),
        sa.Column("items", sa.Integer, nullable=False),
    )
    op.add_column("item_labels", sa.Column("title", sa.Text, nullable=False, server_default=""))
    op.add_column("item_labels", sa.Column("text", sa.Text, nullable=False, server_default=""))
    op.execute(
        "UPDATE item_labels SET"
        " title = coalesce((SELECT i.title FROM items i WHERE i.id = item_labels.item_id), ''),"
        " text = coalesce((SELECT i.text FROM items i WHERE i.id = item_labels.item_id), '')"
    )
    if op.get_bind().dialect.name == "postgresql":
        _partition_items()


def _partition_items() -> None:
    bind = op.get_bind()
    op.execute(f"CREATE TABLE items_partitioned ({COLUMN_TYPES}) PARTITION BY RANGE (collected_at)")
    oldest, newest = bind.execute(sa.text("SELECT min(collected_at), max(collected_at) FROM items")).one()
    this_month = _month(datetime.now(UTC))
    last = _add_months(max(_month(newest) if newest else this_month, this_month), MONTHS_AHEAD)
    first = max(_month(oldest) if oldest else this_month, _add_months(last, -MONTHS_BACK_AT_MOST))
    month = first
    while month <= last:
        following = _add_months(month, 1)
        op.execute(
            f"CREATE TABLE items_{month:%Y_%m} PARTITION OF items_partitioned"
            f" FOR VALUES FROM ('{month.isoformat()} 00:00:00+00') TO ('{following.isoformat()} 00:00:00+00')"
            f" WITH ({AUTOVACUUM})"
        )
        month = following
    op.execute(f"CREATE TABLE items_default PARTITION OF items_partitioned DEFAULT WITH ({AUTOVACUUM})")
    op.execute(f"INSERT INTO items_partitioned ({COLUMNS}) SELECT {COLUMNS} FROM items")
    op.execute("INSERT INTO item_keys (key, item_id, collected_at) SELECT key, id, collected_at FROM items")
    for table in REFERENCING:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_item_id_fkey")
    op.execute("ALTER SEQUENCE items_id_seq OWNED BY items_partitioned.id")  # or dropping items drops it
    op.execute("DROP TABLE items")
    op.execute("ALTER TABLE items_partitioned RENAME TO items")
    op.execute("ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY (id, collected_at)")
    _add_source_key()
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unpartition_items()
    with op.batch_alter_table("item_labels") as batch:
        batch.drop_column("text")
        batch.drop_column("title")
    op.drop_table("item_daily_counts")
    op.drop_index("ix_item_keys_collected_at", table_name="item_keys")
    op.drop_table("item_keys")


def _unpartition_items() -> None:
    bind = op.get_bind()
    orphaned = bind.execute(
        sa.text(
            "SELECT count(*) FROM item_labels l WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = l.item_id)"
        )
    ).scalar_one()
    if orphaned:
        # A foreign key with CASCADE would delete analysts' labels of dropped months; refuse instead.
        raise RuntimeError(
            f"{orphaned} analysts' labels point at items whose month was dropped; copy item_labels "
            "aside (pg_dump -t item_labels) and delete those rows before downgrading below 0013"
        )
    op.execute(f"CREATE TABLE items_plain ({COLUMN_TYPES}) WITH ({AUTOVACUUM})")
    op.execute(f"INSERT INTO items_plain ({COLUMNS}) SELECT {COLUMNS} FROM items ORDER BY id")
    op.execute("ALTER SEQUENCE items_id_seq OWNED BY items_plain.id")
    op.execute("DROP TABLE items")  # and its partitions
    op.execute("ALTER TABLE items_plain RENAME TO items")
    op.execute("ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY (id)")
    op.execute("ALTER TABLE items ADD CONSTRAINT items_key_key UNIQUE (key)")
    _add_source_key()
    for statement in INDEXES:
        op.execute(statement)
    for table, action in REFERENCING.items():
        orphan = f"item_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM items i WHERE i.id = {table}.item_id)"
        if action == "SET NULL":
            op.execute(f"UPDATE {table} SET item_id = NULL WHERE {orphan}")
        else:
            op.execute(f"DELETE FROM {table} WHERE {orphan}")
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_item_id_fkey FOREIGN KEY (item_id)"
            f" REFERENCES items (id) ON DELETE {action}"
        )


def _add_source_key() -> None:
    op.execute(
        "ALTER TABLE items ADD CONSTRAINT items_source_id_fkey FOREIGN KEY (source_id)"
        " REFERENCES sources (id) ON DELETE SET NULL"
    )


def _month(moment: datetime) -> date:
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return date(utc.year, utc.month, 1)


def _add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
