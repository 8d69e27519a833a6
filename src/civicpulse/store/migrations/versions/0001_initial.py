"""Sources, items with full-text search, fetch log, quarantine, checkpoints.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False, unique=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("units", sa.JSON, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("etag", sa.String(500), nullable=False),
        sa.Column("last_modified", sa.String(100), nullable=False),
        sa.Column("interval_s", sa.Float, nullable=False),
        sa.Column("next_fetch_at", TS),
        sa.Column("last_success_at", TS),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("error_streak", sa.Integer, nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("source_id", BigId, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False),
        sa.Column("fold", sa.Text, nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(12), nullable=False),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("platform_id", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("published_at", TS),
        sa.Column("collected_at", TS, nullable=False),
        sa.Column("extra", sa.JSON, nullable=False),
    )
    op.create_index("ix_items_published_at", "items", ["published_at"])
    op.create_index("ix_items_source_published", "items", ["source_id", "published_at"])
    op.create_index("ix_items_content_hash", "items", ["content_hash"])
    op.create_table(
        "fetch_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source_id", BigId, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("items_seen", sa.Integer, nullable=False),
        sa.Column("items_new", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
    )
    op.create_index("ix_fetch_log_source_started", "fetch_log", ["source_id", "started_at"])
    op.create_table(
        "quarantine",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.String(2000), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("source_id", BigId, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_quarantine_created_at", "quarantine", ["created_at"])
    op.create_table(
        "checkpoints",
        sa.Column("name", sa.String(500), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    _create_search()


def _create_search() -> None:
    """Full text over the diacritic-free `fold` column: FTS5 on SQLite, a GIN tsvector on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE items_fts USING fts5(fold, content='items', content_rowid='id',"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN"
            " INSERT INTO items_fts(rowid, fold) VALUES (new.id, new.fold); END"
        )
        op.execute(
            "CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN"
            " INSERT INTO items_fts(items_fts, rowid, fold) VALUES ('delete', old.id, old.fold); END"
        )
        op.execute(
            "CREATE TRIGGER items_fts_au AFTER UPDATE OF fold ON items BEGIN"
            " INSERT INTO items_fts(items_fts, rowid, fold) VALUES ('delete', old.id, old.fold);"
            " INSERT INTO items_fts(rowid, fold) VALUES (new.id, new.fold); END"
        )
    else:
        op.execute("CREATE INDEX ix_items_fold_fts ON items USING gin (to_tsvector('simple', fold))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS items_fts")
    for table in ("checkpoints", "quarantine", "fetch_log", "items", "sources"):
        op.drop_table(table)
