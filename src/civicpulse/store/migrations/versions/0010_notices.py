"""Response notices through the delivery log: a notice, its files, and deliveries to contact points.

A delivery now carries either an alert for a recipient (as before) or a notice for a contact point
(`mailto:`, a webhook URL, `telegram:<chat>`), so both are retried, die and are logged the same way.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("link", sa.String(2000), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "notice_files",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("notice_id", BigId, sa.ForeignKey("notices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_notice_files_notice", "notice_files", ["notice_id"])
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("alert_id", existing_type=BigId, nullable=True)
        batch.alter_column("recipient_id", existing_type=BigId, nullable=True)
        batch.add_column(sa.Column("notice_id", BigId, nullable=True))
        batch.create_foreign_key(
            "fk_deliveries_notice_id", "notices", ["notice_id"], ["id"], ondelete="CASCADE"
        )
        batch.add_column(sa.Column("target", sa.String(2000), nullable=True))
        batch.create_index("ix_deliveries_notice", ["notice_id"])


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE alert_id IS NULL OR recipient_id IS NULL")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_notice")
        batch.drop_constraint("fk_deliveries_notice_id", type_="foreignkey")
        batch.drop_column("target")
        batch.drop_column("notice_id")
        batch.alter_column("recipient_id", existing_type=BigId, nullable=False)
        batch.alter_column("alert_id", existing_type=BigId, nullable=False)
    op.drop_table("notice_files")
    op.drop_table("notices")
