"""Analysts' labels: corrections of classifier labels, the city's own training data.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "item_labels",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("task", sa.String(30), nullable=False),
        sa.Column("label", sa.String(50), nullable=False),
        sa.Column("previous", sa.String(50), nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_item_labels_task_created", "item_labels", ["task", "created_at"])
    op.create_index("ix_item_labels_item_task", "item_labels", ["item_id", "task"])


def downgrade() -> None:
    op.drop_table("item_labels")
