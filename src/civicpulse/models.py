"""The records that flow through civicpulse: small, frozen, changed with `dataclasses.replace`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """What kind of channel a source is; detection baselines differ per kind."""

    FEED = "feed"
    PAGE = "page"
    IMPORT = "import"
    SOCIAL = "social"
    FIELD = "field"


class ItemKind(StrEnum):
    """What one piece of content is."""

    ARTICLE = "article"
    POST = "post"
    COMMENT = "comment"
    FIELD_REPORT = "field_report"


@dataclass(frozen=True)
class Source:
    """A publisher, page, channel, feed or collaborator channel."""

    name: str
    kind: SourceKind
    url: str = ""
    id: int | None = None
    enabled: bool = True
    units: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Enrichment:
    """What understanding adds to an item; derived, so it can always be rebuilt from the item."""

    lang: str = ""
    lang_score: float = 0.0
    analysis_text: str = ""
    features: dict[str, Any] = field(default_factory=dict)
    dup_of: int | None = None
    story_id: int | None = None
    topic_ids: tuple[int, ...] = ()
    units: tuple[str, ...] = ()
    labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One piece of content as collected: raw text kept, normalised text beside it."""

    key: str
    text: str
    title: str = ""
    url: str = ""
    kind: ItemKind = ItemKind.ARTICLE
    source_id: int | None = None
    source_name: str = ""
    author: str = ""
    published_at: datetime | None = None
    collected_at: datetime | None = None
    lang: str = ""
    platform: str = ""
    platform_id: str = ""
    content_hash: str = ""
    raw_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    enrichment: Enrichment = field(default_factory=Enrichment)


@dataclass(frozen=True)
class Story:
    """A cluster of items about one event or issue."""

    id: int | None = None
    label: str = ""
    key_phrases: tuple[str, ...] = ()
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    item_count: int = 0
    distinct_count: int = 0
    source_ids: tuple[int, ...] = ()
    platforms: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    status: str = "active"
    merged_into: int | None = None


@dataclass(frozen=True)
class Topic:
    """A watched subject: a boolean query and/or a taxonomy category, with alert settings."""

    name: str
    query: str
    id: int | None = None
    category: str = ""
    examples: tuple[str, ...] = ()
    enabled: bool = True
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceState:
    """What the collector remembers about a source between fetches."""

    etag: str = ""
    last_modified: str = ""
    interval_s: float = 900.0
    next_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = ""
    error_streak: int = 0


@dataclass(frozen=True)
class FetchRecord:
    """One fetch attempt of a source, for the fetch log and source health."""

    source_id: int
    started_at: datetime
    status: str
    http_status: int | None = None
    items_seen: int = 0
    items_new: int = 0
    bytes: int = 0
    duration_ms: int = 0
    error: str = ""


@dataclass(frozen=True)
class QuarantineEntry:
    """Something kept aside for a person: what, where from, why."""

    origin: str
    reason: str
    payload: str = ""
    source_id: int | None = None
    created_at: datetime | None = None
    id: int | None = None


# -- the response loop (issue 8): responders, cases, field reports, clarifications --------------------


class CaseStatus(StrEnum):
    """Where a case is in its life; `cases.TRANSITIONS` says which moves are allowed."""

    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


class Severity(StrEnum):
    """How urgent a case is; the SLA policy gives each its deadlines."""

    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


@dataclass(frozen=True)
class Responder:
    """Who can act on a case: an administrative unit or an organisation, with contact points."""

    code: str
    name: str
    kind: str
    name_en: str = ""
    contacts: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """A coordinated response to a story, alert, claim or field report."""

    title: str
    origin: str
    origin_id: int | None = None
    story_id: int | None = None
    severity: Severity = Severity.NORMAL
    status: CaseStatus = CaseStatus.NEW
    summary: str = ""
    units: tuple[str, ...] = ()
    opened_by: str = ""
    opened_at: datetime | None = None
    route_due_at: datetime | None = None
    answer_due_at: datetime | None = None
    routed_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    escalated_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's history: a status change, note, assignment, hand-off or attachment."""

    case_id: int
    kind: str
    actor: str = ""
    body: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class Attachment:
    """A file kept with a case (statement, photo, facts) under DATA_DIR."""

    case_id: int
    filename: str
    content_type: str
    size: int
    path: str
    sha256: str
    uploaded_by: str = ""
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class FieldReport:
    """A collaborator's report: text, optional photo, place, channel; the reporter stays in their unit."""

    text: str
    reporter: str
    channel: str
    idempotency_key: str
    unit: str = ""
    lat: float | None = None
    lon: float | None = None
    photo_path: str = ""
    chat_id: str = ""
    item_id: int | None = None
    case_id: int | None = None
    created_at: datetime | None = None
    id: int | None = None

    @property
    def receipt(self) -> str:
        """The number a collaborator is given at once (`BC-000042`: báo cáo)."""
        return f"BC-{self.id or 0:06d}"


@dataclass(frozen=True)
class ClaimAnswer:
    """A claim a clarification answers, with the verdict that goes into ClaimReview markup."""

    text: str
    verdict: str
    appearance: str = ""
    claim_id: int | None = None


@dataclass(frozen=True)
class Clarification:
    """An official public statement (Vietnamese, optionally English) linked to stories, claims and cases."""

    title_vi: str
    body_vi: str
    title_en: str = ""
    body_en: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    claims: tuple[ClaimAnswer, ...] = ()
    story_ids: tuple[int, ...] = ()
    case_ids: tuple[int, ...] = ()
    status: str = "draft"
    author: str = ""
    revision: int = 0
    created_at: datetime | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None
