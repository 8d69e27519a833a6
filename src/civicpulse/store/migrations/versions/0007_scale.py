"""Scale-out: the indexes the dashboard's and retention's queries need at PostgreSQL sizes.

Revision ID: 0007
Revises: 0006

Items are not partitioned by month yet (docs/decisions/0070-scale-out.md says why and what it would take).
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The dashboard orders and filters items by "published, else collected" time; the expression must match the
# queries' exactly for the planner to use it (store.py: newest_items, hourly_counts).
WHEN = "coalesce(published_at, collected_at)"


def upgrade() -> None:
    op.create_index("ix_items_collected_at", "items", ["collected_at"])  # retention, daily counts, rebuilds
    op.create_index("ix_story_buckets_bucket", "story_buckets", ["bucket"])  # signals over a time window
    if op.get_bind().dialect.name == "postgresql":
        # Raw SQL, as the search index: SQLite (one machine) does without, and cannot reflect it anyway.
        op.execute(f"CREATE INDEX ix_items_when_id ON items (({WHEN}), id)")
        # Items are written once and read often; vacuum and analyse them sooner than the default 20%.
        op.execute(
            "ALTER TABLE items SET (autovacuum_vacuum_scale_factor = 0.05, "
            "autovacuum_analyze_scale_factor = 0.02)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE items RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)"
        )
        op.execute("DROP INDEX IF EXISTS ix_items_when_id")
    op.drop_index("ix_story_buckets_bucket", table_name="story_buckets")
    op.drop_index("ix_items_collected_at", table_name="items")
