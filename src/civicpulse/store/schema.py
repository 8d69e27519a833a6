"""The tables, in SQLAlchemy Core; Alembic migrations in `migrations/` create exactly these.

Raw content (sources, items) is kept apart from derived data, so every derived table can be rebuilt by
re-running the pipeline. Later stages add their tables (enrichments, stories, signals, alerts, cases,
claims, clarifications) in their own migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")

sources = Table(
    "sources",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("url", String(2000), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("units", JSON, nullable=False, default=list),
    Column("settings", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Collector state: conditional GET validators, adaptive interval, backoff.
    Column("etag", String(500), nullable=False, default=""),
    Column("last_modified", String(100), nullable=False, default=""),
    Column("interval_s", Float, nullable=False, default=900.0),
    Column("next_fetch_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text, nullable=False, default=""),
    Column("error_streak", Integer, nullable=False, default=0),
)

items = Table(
    "items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("kind", String(20), nullable=False),
    Column("url", String(2000), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("raw_text", Text, nullable=False, default=""),
    Column("fold", Text, nullable=False, default=""),
    Column("author", String(64), nullable=False, default=""),
    Column("lang", String(12), nullable=False, default=""),
    Column("platform", String(40), nullable=False, default=""),
    Column("platform_id", String(200), nullable=False, default=""),
    Column("content_hash", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Column("extra", JSON, nullable=False, default=dict),
    Index("ix_items_published_at", "published_at"),
    Index("ix_items_source_published", "source_id", "published_at"),
    Index("ix_items_content_hash", "content_hash"),
    Index("ix_items_collected_at", "collected_at"),  # retention and rebuild windows (migration 0007)
)
# On PostgreSQL `items` is partitioned by month of `collected_at` (migration 0013): its primary key there is
# (id, collected_at), `key` is not unique, and the tables below have no foreign key to it.

# The natural keys of stored items, unpartitioned, so a key stays unique across months (written on PostgreSQL
# by Store.add_items; SQLite's `items.key` is unique itself). Keys of a dropped month go with it.
item_keys = Table(
    "item_keys",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("item_id", BigId, nullable=False),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Index("ix_item_keys_collected_at", "collected_at"),
)

# Items per source per collection day of the months whose partition was dropped (store/partitions.py).
item_daily_counts = Table(
    "item_daily_counts",
    metadata,
    Column("day", Date, primary_key=True),
    Column("source_id", BigId, primary_key=True),
    Column("items", Integer, nullable=False),
)

fetch_log = Table(
    "fetch_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("http_status", Integer),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("items_new", Integer, nullable=False, default=0),
    Column("bytes", BigInteger, nullable=False, default=0),
    Column("duration_ms", Integer, nullable=False, default=0),
    Column("error", Text, nullable=False, default=""),
    Index("ix_fetch_log_source_started", "source_id", "started_at"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("origin", String(2000), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False, default=""),
    Column("source_id", BigId, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_quarantine_created_at", "created_at"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", String(500), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# -- derived data (issue 3): rebuilt by `civicpulse reprocess` ----------------------------------------

enrichments = Table(
    "enrichments",
    metadata,
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("lang", String(12), nullable=False, default=""),
    Column("lang_score", Float, nullable=False, default=0.0),
    Column("analysis_text", Text, nullable=False, default=""),
    Column("features", JSON, nullable=False, default=dict),
    Column("dup_of", BigId),
    Column("story_id", BigId),
    Column("units", JSON, nullable=False, default=list),
    Column("labels", JSON, nullable=False, default=dict),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_enrichments_story_id", "story_id"),
    Index("ix_enrichments_dup_of", "dup_of"),
)

stories = Table(
    "stories",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("label", Text, nullable=False, default=""),
    Column("key_phrases", JSON, nullable=False, default=list),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("item_count", Integer, nullable=False, default=0),
    Column("distinct_count", Integer, nullable=False, default=0),
    Column("source_ids", JSON, nullable=False, default=list),
    Column("platforms", JSON, nullable=False, default=list),
    Column("langs", JSON, nullable=False, default=list),
    Column("units", JSON, nullable=False, default=list),
    Column("status", String(20), nullable=False, default="active"),
    Column("merged_into", BigId),
    Column("state", JSON, nullable=False, default=dict),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_stories_last_seen", "last_seen"),
    Index("ix_stories_status_last_seen", "status", "last_seen"),
)

story_buckets = Table(
    "story_buckets",
    metadata,
    Column("story_id", BigId, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("bucket", DateTime(timezone=True), primary_key=True),
    Column("items", Integer, nullable=False, default=0),
    Column("distinct_items", Integer, nullable=False, default=0),
    Index("ix_story_buckets_bucket", "bucket"),  # signals over a time window (migration 0007)
)

story_history = Table(
    "story_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("story_id", BigId, nullable=False),
    Column("action", String(20), nullable=False),
    Column("other_story_id", BigId),
    Column("details", JSON, nullable=False, default=dict),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_story_history_story_id", "story_id"),
)

topics = Table(
    "topics",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("query", Text, nullable=False),
    Column("category", String(100), nullable=False, default=""),
    Column("examples", JSON, nullable=False, default=list),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("settings", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

item_topics = Table(
    "item_topics",
    metadata,
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", BigId, ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    Index("ix_item_topics_topic_matched", "topic_id", "matched_at"),
)

# -- the response loop (issue 8): responders, cases, field reports, clarifications ---------------------

responders = Table(
    "responders",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_en", String(300), nullable=False, default=""),
    Column("kind", String(30), nullable=False),
    Column("contacts", JSON, nullable=False, default=list),
    Column("units", JSON, nullable=False, default=list),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("origin", String(20), nullable=False),
    Column("origin_id", BigId),
    Column("story_id", BigId),
    # Equals story_id while the case is open, NULL once closed: a unique column gives one open case per story
    # on both backends (NULLs never collide), without partial indexes.
    Column("open_story_id", BigId, unique=True),
    Column("severity", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("opened_by", String(100), nullable=False, default=""),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("route_due_at", DateTime(timezone=True), nullable=False),
    Column("answer_due_at", DateTime(timezone=True), nullable=False),
    Column("routed_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("escalated_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_cases_status_due", "status", "answer_due_at"),
    Index("ix_cases_story_id", "story_id"),
)

case_units = Table(
    "case_units",
    metadata,
    Column("case_id", BigId, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_code", String(40), primary_key=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_units_unit_code", "unit_code"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("actor", String(100), nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_case_events_case_id", "case_id"),
)

case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("filename", String(300), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("path", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(100), nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_case_attachments_case_id", "case_id"),
)

field_reports = Table(
    "field_reports",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("reporter", String(100), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("unit_code", String(40), nullable=False, default=""),
    Column("lat", Float),
    Column("lon", Float),
    Column("text", Text, nullable=False),
    Column("photo_path", String(500), nullable=False, default=""),
    Column("chat_id", String(50), nullable=False, default=""),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="SET NULL")),
    Column("case_id", BigId, ForeignKey("cases.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_field_reports_unit_created", "unit_code", "created_at"),
    Index("ix_field_reports_reporter", "reporter"),
)

# Telegram accounts linked to collaborators; an unlinked chat can only be told how to get linked.
telegram_links = Table(
    "telegram_links",
    metadata,
    Column("telegram_user_id", String(50), primary_key=True),
    Column("username", String(100), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
)

clarifications = Table(
    "clarifications",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("title_vi", Text, nullable=False),
    Column("body_vi", Text, nullable=False),
    Column("title_en", Text, nullable=False, default=""),
    Column("body_en", Text, nullable=False, default=""),
    Column("sources", JSON, nullable=False, default=list),
    Column("claims", JSON, nullable=False, default=list),
    Column("fold", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("author", String(100), nullable=False, default=""),
    Column("revision", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_clarifications_status_published", "status", "published_at"),
)

clarification_links = Table(
    "clarification_links",
    metadata,
    Column("clarification_id", BigId, ForeignKey("clarifications.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("target_id", BigId, primary_key=True),
)

# Every published version is kept, so edits after publication stay visible on the portal.
clarification_revisions = Table(
    "clarification_revisions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("clarification_id", BigId, ForeignKey("clarifications.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("content", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_clarification_revisions_clarification", "clarification_id", "revision", unique=True),
)

# -- analysts' labels (issue 5): kept, never rebuilt; they are people's judgements, not derived data --

item_labels = Table(
    "item_labels",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("task", String(30), nullable=False),
    Column("label", String(50), nullable=False),
    Column("previous", String(50), nullable=False, default=""),
    Column("analyst", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # What was judged, copied at label time: the label outlives its item's partition (migration 0013).
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Index("ix_item_labels_task_created", "task", "created_at"),
    Index("ix_item_labels_item_task", "item_id", "task"),
)

# -- access control (issue 7): accounts, sessions, API tokens, login throttle, the audit log ------------

users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("units", JSON, nullable=False, default=list),
    Column("password_hash", String(300), nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("totp_secret", String(64), nullable=False, default=""),
    Column("totp_enabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("language", String(5), nullable=False, default="", server_default=""),  # migration 0009
)

# Only the SHA-256 of a session id is stored, so a copy of the database cannot be replayed as a login.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("stage", String(10), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("address", String(100), nullable=False, default=""),
    Column("user_agent", String(300), nullable=False, default=""),
    Index("ix_user_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_api_tokens_user_id", "user_id"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Append-only: no foreign keys (rows outlive users) and triggers reject UPDATE and DELETE (migration 0004).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False, default=""),
    Column("actor_id", BigId),
    Column("via", String(10), nullable=False, default=""),
    Column("action", String(50), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
    Column("address", String(100), nullable=False, default=""),
    Column("user_agent", String(300), nullable=False, default=""),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_action", "action"),
)

# -- detection (issue 4): signal state, alerts and their lifecycle, sensitivity, recipients, deliveries ---

detect_signals = Table(
    "detect_signals",
    metadata,
    Column("subject_kind", String(10), primary_key=True),
    Column("subject_id", String(100), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_detect_signals_last_seen", "last_seen"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("scope", String(60), nullable=False, default="default"),
    Column("status", String(20), nullable=False, default="new"),
    Column("level", Integer, nullable=False, default=1),
    Column("score", Float, nullable=False),
    Column("headline", Text, nullable=False, default=""),
    Column("explanation", JSON, nullable=False, default=dict),
    # Stream time: when the hotspot became visible and when it last grew; created_at is the wall clock.
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("escalated_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("feedback", String(10), nullable=False, default=""),
    Index("ix_alerts_status_opened", "status", "opened_at"),
    Index("ix_alerts_subject", "subject_kind", "subject_id"),
)

alert_history = Table(
    "alert_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigId, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(20), nullable=False),
    Column("actor", String(200), nullable=False, default=""),
    Column("details", JSON, nullable=False, default=dict),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_alert_history_alert", "alert_id"),
)

alert_sensitivity = Table(
    "alert_sensitivity",
    metadata,
    Column("scope", String(60), primary_key=True),
    Column("preset", String(10), nullable=False, default="normal"),
    Column("adjustment", Float, nullable=False, default=1.0),
    Column("useful", Integer, nullable=False, default=0),
    Column("noise", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

recipients = Table(
    "recipients",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),
    Column("target", String(2000), nullable=False),
    Column("secret", String(200), nullable=False, default=""),
    Column("topics", JSON, nullable=False, default=list),
    Column("quiet_hours", String(11), nullable=False, default=""),
    Column("digest", String(10), nullable=False, default=""),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A notice of the response loop (case routed or overdue, clarification, briefing); migration 0010.
notices = Table(
    "notices",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("link", String(2000), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

notice_files = Table(
    "notice_files",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("notice_id", BigId, ForeignKey("notices.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Index("ix_notice_files_notice", "notice_id"),
)

# Either an alert for a recipient, or (migration 0010) a notice for a contact point in `target`.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", BigId, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=True),
    Column("recipient_id", BigId, ForeignKey("recipients.id", ondelete="CASCADE"), nullable=True),
    Column("notice_id", BigId, ForeignKey("notices.id", ondelete="CASCADE"), nullable=True),
    Column("target", String(2000), nullable=True),
    Column("event", String(20), nullable=False),
    Column("status", String(10), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    Index("ix_deliveries_notice", "notice_id"),
)

delivery_log = Table(
    "delivery_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", BigId, ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("code", Integer),
    Column("error", Text, nullable=False, default=""),
    Column("duration_ms", Integer, nullable=False, default=0),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_delivery_log_delivery", "delivery_id"),
)

# -- claims (issue 5): the claim library and the items matched to it --------------------------------------

# A known false or misleading statement; `key` makes re-importing the same fact-check a no-op.
claims = Table(
    "claims",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("fold", Text, nullable=False, default=""),
    Column("lang", String(10), nullable=False, default=""),
    Column("verdict", String(20), nullable=False),
    Column("rating", String(200), nullable=False, default=""),
    Column("summary", Text, nullable=False, default=""),
    Column("clarification_id", BigId, ForeignKey("clarifications.id", ondelete="SET NULL")),
    Column("claimant", String(300), nullable=False, default=""),
    Column("claimed_at", DateTime(timezone=True)),
    Column("appearances", JSON, nullable=False, default=list),
    Column("review_url", String(2000), nullable=False, default=""),
    Column("reviewer", String(300), nullable=False, default=""),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("origin", String(20), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_by", String(100), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_claims_updated_at", "updated_at"),
)

# One row per (item, claim): an analyst's rejection survives reprocessing instead of being re-suggested.
claim_matches = Table(
    "claim_matches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("item_id", BigId, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("claim_id", BigId, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("score", Float, nullable=False),
    Column("lexical", Float, nullable=False),
    Column("semantic", Float),
    Column("status", String(10), nullable=False),
    Column("decided_by", String(100), nullable=False, default=""),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Index("ix_claim_matches_item_claim", "item_id", "claim_id", unique=True),
    Index("ix_claim_matches_claim_status", "claim_id", "status"),
)

# -- model swaps (issue 5): each decision on a classifier retrained from analysts' labels -------------------

model_swaps = Table(
    "model_swaps",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task", String(30), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(200), nullable=False, default=""),
    Column("command", Text, nullable=False, default=""),
    Column("candidate", String(2000), nullable=False),
    Column("previous", String(2000), nullable=False),
    Column("holdout_items", Integer, nullable=False),
    Column("old_metrics", JSON, nullable=False, default=dict),
    Column("new_metrics", JSON, nullable=False, default=dict),
    Column("accepted", Boolean, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Index("ix_model_swaps_task_decided", "task", "decided_at"),
)
