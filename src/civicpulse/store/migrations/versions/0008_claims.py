"""Claims: the library of known false or misleading statements and the items matched to them.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("fold", sa.Text, nullable=False, default=""),
        sa.Column("lang", sa.String(10), nullable=False, default=""),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("rating", sa.String(200), nullable=False, default=""),
        sa.Column("summary", sa.Text, nullable=False, default=""),
        sa.Column(
            "clarification_id", BigId, sa.ForeignKey("clarifications.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("claimant", sa.String(300), nullable=False, default=""),
        sa.Column("claimed_at", TS),
        sa.Column("appearances", sa.JSON, nullable=False, default=list),
        sa.Column("review_url", sa.String(2000), nullable=False, default=""),
        sa.Column("reviewer", sa.String(300), nullable=False, default=""),
        sa.Column("reviewed_at", TS),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, default=True),
        sa.Column("created_by", sa.String(100), nullable=False, default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_claims_updated_at", "claims", ["updated_at"])
    op.create_table(
        "claim_matches",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("claim_id", BigId, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("lexical", sa.Float, nullable=False),
        sa.Column("semantic", sa.Float),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False, default=""),
        sa.Column("matched_at", TS, nullable=False),
        sa.Column("decided_at", TS),
    )
    op.create_index("ix_claim_matches_item_claim", "claim_matches", ["item_id", "claim_id"], unique=True)
    op.create_index("ix_claim_matches_claim_status", "claim_matches", ["claim_id", "status"])


def downgrade() -> None:
    op.drop_table("claim_matches")
    op.drop_table("claims")
