"""The response loop: responders, cases, field reports, Telegram links, clarifications and their revisions.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
TABLES = [
    "responders",
    "cases",
    "case_units",
    "case_events",
    "case_attachments",
    "field_reports",
    "telegram_links",
    "clarifications",
    "clarification_links",
    "clarification_revisions",
]


def upgrade() -> None:
    op.create_table(
        "responders",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False, default=""),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("contacts", sa.JSON, nullable=False, default=list),
        sa.Column("units", sa.JSON, nullable=False, default=list),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, default=""),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("origin_id", BigId),
        sa.Column("story_id", BigId),
        sa.Column("open_story_id", BigId, unique=True),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False, default=""),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("route_due_at", TS, nullable=False),
        sa.Column("answer_due_at", TS, nullable=False),
        sa.Column("routed_at", TS),
        sa.Column("answered_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("escalated_at", TS),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "case_units",
        sa.Column("case_id", BigId, sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("unit_code", sa.String(40), primary_key=True),
        sa.Column("active", sa.Boolean, nullable=False, default=True),
        sa.Column("assigned_at", TS, nullable=False),
    )
    op.create_table(
        "case_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("case_id", BigId, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False, default=""),
        sa.Column("body", sa.Text, nullable=False, default=""),
        sa.Column("details", sa.JSON, nullable=False, default=dict),
        sa.Column("at", TS, nullable=False),
    )
    op.create_table(
        "case_attachments",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("case_id", BigId, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False, default=""),
        sa.Column("at", TS, nullable=False),
    )
    op.create_table(
        "field_reports",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(100), nullable=False, unique=True),
        sa.Column("reporter", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False, default=""),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("photo_path", sa.String(500), nullable=False, default=""),
        sa.Column("chat_id", sa.String(50), nullable=False, default=""),
        sa.Column("item_id", BigId, sa.ForeignKey("items.id", ondelete="SET NULL")),
        sa.Column("case_id", BigId, sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "telegram_links",
        sa.Column("telegram_user_id", sa.String(50), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("linked_at", TS, nullable=False),
    )
    op.create_table(
        "clarifications",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("title_vi", sa.Text, nullable=False),
        sa.Column("body_vi", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False, default=""),
        sa.Column("body_en", sa.Text, nullable=False, default=""),
        sa.Column("sources", sa.JSON, nullable=False, default=list),
        sa.Column("claims", sa.JSON, nullable=False, default=list),
        sa.Column("fold", sa.Text, nullable=False, default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("author", sa.String(100), nullable=False, default=""),
        sa.Column("revision", sa.Integer, nullable=False, default=0),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "clarification_links",
        sa.Column(
            "clarification_id",
            BigId,
            sa.ForeignKey("clarifications.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("target_id", BigId, primary_key=True),
    )
    op.create_table(
        "clarification_revisions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "clarification_id", BigId, sa.ForeignKey("clarifications.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False, default=""),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_cases_status_due", "cases", ["status", "answer_due_at"])
    op.create_index("ix_cases_story_id", "cases", ["story_id"])
    op.create_index("ix_case_units_unit_code", "case_units", ["unit_code"])
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_index("ix_case_attachments_case_id", "case_attachments", ["case_id"])
    op.create_index("ix_field_reports_unit_created", "field_reports", ["unit_code", "created_at"])
    op.create_index("ix_field_reports_reporter", "field_reports", ["reporter"])
    op.create_index("ix_clarifications_status_published", "clarifications", ["status", "published_at"])
    op.create_index(
        "ix_clarification_revisions_clarification",
        "clarification_revisions",
        ["clarification_id", "revision"],
        unique=True,
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
