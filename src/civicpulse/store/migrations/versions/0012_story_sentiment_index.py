"""The stories list's sentiment filter: an index on (story, sentiment label, item) for SQLite.

Revision ID: 0012
Revises: 0011

The filter keeps a story when at least 40 % of its newest 200 labelled items carry the sentiment. Without
this index every story visited cost 200 row reads and JSON parses (1.6 s at 1,000,000 items); with it each
count is a short range of the index (docs/decisions/0071-story-sentiment-index.md). The query writes the same
expression with the path as a literal (store/browse.py: TONE_SQLITE): SQLAlchemy's JSON index operator binds
the path as a parameter, which SQLite cannot match to an index. PostgreSQL has no such index (yet).
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SENTIMENT = "json_extract(labels, '$.sentiment.label')"  # as store/browse.py TONE_SQLITE


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Raw SQL, as 0007's expression index: the metadata (schema.py) cannot declare it for one backend.
        op.execute(
            f"CREATE INDEX ix_enrichments_story_sentiment ON enrichments (story_id, {SENTIMENT}, item_id)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_enrichments_story_sentiment")
