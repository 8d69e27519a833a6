"""The tables, in SQLAlchemy Core; Alembic migrations in `migrations/` create exactly these.

Raw content (sources, items) is kept apart from derived data, so every derived table can be rebuilt by
re-running the pipeline. Later stages add their tables (enrichments, stories, signals, alerts, cases,
claims, clarifications) in their own migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")

sources = Table(
    "sources",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("url", String(2000), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("units", JSON, nullable=False, default=list),
    Column("settings", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Collector state: conditional GET validators, adaptive interval, backoff.
    Column("etag", String(500), nullable=False, default=""),
    Column("last_modified", String(100), nullable=False, default=""),
    Column("interval_s", Float, nullable=False, default=900.0),
    Column("next_fetch_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text, nullable=False, default=""),
    Column("error_streak", Integer, nullable=False, default=0),
)

items = Table(
    "items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("kind", String(20), nullable=False),
    Column("url", String(2000), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("raw_text", Text, nullable=False, default=""),
    Column("fold", Text, nullable=False, default=""),
    Column("author", String(64), nullable=False, default=""),
    Column("lang", String(12), nullable=False, default=""),
    Column("platform", String(40), nullable=False, default=""),
    Column("platform_id", String(200), nullable=False, default=""),
    Column("content_hash", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Column("extra", JSON, nullable=False, default=dict),
    Index("ix_items_published_at", "published_at"),
    Index("ix_items_source_published", "source_id", "published_at"),
    Index("ix_items_content_hash", "content_hash"),
)

fetch_log = Table(
    "fetch_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("http_status", Integer),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("items_new", Integer, nullable=False, default=0),
    Column("bytes", BigInteger, nullable=False, default=0),
    Column("duration_ms", Integer, nullable=False, default=0),
    Column("error", Text, nullable=False, default=""),
    Index("ix_fetch_log_source_started", "source_id", "started_at"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("origin", String(2000), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False, default=""),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_quarantine_created_at", "created_at"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", String(500), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
