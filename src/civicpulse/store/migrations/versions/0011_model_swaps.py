"""Model swaps: every decision on a retrained classifier, accepted or refused, with both models' scores.

A model retrained on analysts' labels replaces the current one only if it is not worse on a held-out part
of the city's own labels; each decision is kept (when, by which command and person, old and new metrics,
the outcome and why) so a swap can be explained and undone.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_swaps",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("task", sa.String(30), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False, default=""),
        sa.Column("command", sa.Text, nullable=False, default=""),
        sa.Column("candidate", sa.String(2000), nullable=False),
        sa.Column("previous", sa.String(2000), nullable=False),
        sa.Column("holdout_items", sa.Integer, nullable=False),
        sa.Column("old_metrics", sa.JSON, nullable=False, default=dict),
        sa.Column("new_metrics", sa.JSON, nullable=False, default=dict),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, default=""),
    )
    op.create_index("ix_model_swaps_task_decided", "model_swaps", ["task", "decided_at"])


def downgrade() -> None:
    op.drop_table("model_swaps")
