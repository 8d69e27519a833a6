"""Each account's interface language, chosen with the language switch and kept across sign-ins.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "" means not chosen yet: the browser's language (cookie, Accept-Language) decides until the user picks.
    op.add_column("users", sa.Column("language", sa.String(5), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("users", "language")
