"""Derived data: enrichments, stories with buckets and history, topics and their matches.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "enrichments",
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("lang", sa.String(12), nullable=False),
        sa.Column("lang_score", sa.Float, nullable=False),
        sa.Column("analysis_text", sa.Text, nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
        sa.Column("dup_of", BigId),
        sa.Column("story_id", BigId),
        sa.Column("units", sa.JSON, nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_enrichments_story_id", "enrichments", ["story_id"])
    op.create_index("ix_enrichments_dup_of", "enrichments", ["dup_of"])
    op.create_table(
        "stories",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("key_phrases", sa.JSON, nullable=False),
        sa.Column("first_seen", TS),
        sa.Column("last_seen", TS),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("distinct_count", sa.Integer, nullable=False),
        sa.Column("source_ids", sa.JSON, nullable=False),
        sa.Column("platforms", sa.JSON, nullable=False),
        sa.Column("langs", sa.JSON, nullable=False),
        sa.Column("units", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("merged_into", BigId),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_index("ix_stories_status_last_seen", "stories", ["status", "last_seen"])
    op.create_table(
        "story_buckets",
        sa.Column("story_id", BigId, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("bucket", TS, primary_key=True),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("distinct_items", sa.Integer, nullable=False),
    )
    op.create_table(
        "story_history",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("story_id", BigId, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("other_story_id", BigId),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_story_history_story_id", "story_history", ["story_id"])
    op.create_table(
        "topics",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "item_topics",
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic_id", BigId, sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("matched_at", TS, nullable=False),
    )
    op.create_index("ix_item_topics_topic_matched", "item_topics", ["topic_id", "matched_at"])


def downgrade() -> None:
    for table in ("item_topics", "topics", "story_history", "story_buckets", "stories", "enrichments"):
        op.drop_table(table)
