"""Detection: signal state, alerts with their history and sensitivity, recipients, deliveries and their log.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "detect_signals",
        sa.Column("subject_kind", sa.String(10), primary_key=True),
        sa.Column("subject_id", sa.String(100), primary_key=True),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_detect_signals_last_seen", "detect_signals", ["last_seen"])
    op.create_table(
        "alerts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("escalated_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("feedback", sa.String(10), nullable=False),
    )
    op.create_index("ix_alerts_status_opened", "alerts", ["status", "opened_at"])
    op.create_index("ix_alerts_subject", "alerts", ["subject_kind", "subject_id"])
    op.create_table(
        "alert_history",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("alert_id", BigId, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_alert_history_alert", "alert_history", ["alert_id"])
    op.create_table(
        "alert_sensitivity",
        sa.Column("scope", sa.String(60), primary_key=True),
        sa.Column("preset", sa.String(10), nullable=False),
        sa.Column("adjustment", sa.Float, nullable=False),
        sa.Column("useful", sa.Integer, nullable=False),
        sa.Column("noise", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "recipients",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("quiet_hours", sa.String(11), nullable=False),
        sa.Column("digest", sa.String(10), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("alert_id", BigId, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("recipient_id", BigId, sa.ForeignKey("recipients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
    )
    op.create_index("ix_deliveries_status_next", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "delivery_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", BigId, sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("code", sa.Integer),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_delivery_log_delivery", "delivery_log", ["delivery_id"])


def downgrade() -> None:
    for table in (
        "delivery_log",
        "deliveries",
        "recipients",
        "alert_sensitivity",
        "alert_history",
        "alerts",
        "detect_signals",
    ):
        op.drop_table(table)
