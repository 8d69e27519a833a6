"""What the response loop's JSON API returns; its HTML pages render the same objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from civicpulse.models import Attachment, Case, CaseEvent, Clarification, FieldReport


class CaseOut(BaseModel):
    """A case: what, where, who holds it, its deadlines and status."""

    id: int
    title: str
    summary: str
    origin: str
    origin_id: int | None
    story_id: int | None
    severity: str
    status: str
    units: list[str]
    opened_by: str
    opened_at: datetime | None
    route_due_at: datetime | None
    answer_due_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    overdue: bool

    @classmethod
    def of(cls, case: Case, now: datetime) -> CaseOut:
        open_ = case.status in ("new", "assigned", "in_progress")
        return cls(
            id=case.id or 0,
            title=case.title,
            summary=case.summary,
            origin=case.origin,
            origin_id=case.origin_id,
            story_id=case.story_id,
            severity=str(case.severity),
            status=str(case.status),
            units=list(case.units),
            opened_by=case.opened_by,
            opened_at=case.opened_at,
            route_due_at=case.route_due_at,
            answer_due_at=case.answer_due_at,
            answered_at=case.answered_at,
            closed_at=case.closed_at,
            overdue=bool(open_ and case.answer_due_at and case.answer_due_at < now),
        )


class EventOut(BaseModel):
    """One entry of a case's history."""

    kind: str
    actor: str
    body: str
    details: dict[str, Any]
    at: datetime | None

    @classmethod
    def of(cls, event: CaseEvent) -> EventOut:
        return cls(kind=event.kind, actor=event.actor, body=event.body, details=event.details, at=event.at)


class AttachmentOut(BaseModel):
    """A file kept with a case."""

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    at: datetime | None

    @classmethod
    def of(cls, a: Attachment) -> AttachmentOut:
        return cls(
            id=a.id or 0,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            uploaded_by=a.uploaded_by,
            at=a.at,
        )


class ReportOut(BaseModel):
    """A field report; `reporter` is a name only within the report's unit, a pseudonym elsewhere."""

    id: int
    receipt: str
    text: str
    unit: str
    channel: str
    reporter: str
    has_photo: bool
    case_id: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, report: FieldReport, reporter: str) -> ReportOut:
        return cls(
            id=report.id or 0,
            receipt=report.receipt,
            text=report.text,
            unit=report.unit,
            channel=report.channel,
            reporter=reporter,
            has_photo=bool(report.photo_path),
            case_id=report.case_id,
            created_at=report.created_at,
        )


class CaseDetail(BaseModel):
    """A case with its history, attachments, field reports and the units it was handed off from."""

    case: CaseOut
    events: list[EventOut]
    attachments: list[AttachmentOut]
    reports: list[ReportOut]
    past_units: list[str]


class CaseList(BaseModel):
    """Cases the principal may see, newest first."""

    cases: list[CaseOut]


class NewCase(BaseModel):
    """Open a case: from a story (units default to the story's), a field report, an alert or a claim."""

    origin: str = Field(description="story, field_report, alert, claim or manual")
    origin_id: int | None = None
    story_id: int | None = None
    title: str = ""
    units: list[str] | None = None
    severity: str = "normal"
    summary: str = ""


class CaseAction(BaseModel):
    """Change a case: `status`, `units` to add, a `note`, a hand-off `from_unit` → `to_unit`, a report."""

    status: str = ""
    units: list[str] = Field(default_factory=list)
    note: str = ""
    from_unit: str = ""
    to_unit: str = ""
    report_id: int | None = Field(None, description="A field report to attach to the case.")


class Receipt(BaseModel):
    """The answer to a field report: its receipt number; `duplicate` when it was a retry."""

    id: int
    receipt: str
    unit: str
    duplicate: bool


class NewReport(BaseModel):
    """A field report through the API (the photo is sent through the web form or Telegram)."""

    text: str
    idempotency_key: str = Field(
        description="Chosen by the client; a retry with the same key is not duplicated."
    )
    unit: str = ""
    lat: float | None = None
    lon: float | None = None


class ReportList(BaseModel):
    """Field reports the principal may see."""

    reports: list[ReportOut]


class PerformanceOut(BaseModel):
    """How one unit answers its cases."""

    unit: str
    name: str
    assigned: int
    answered: int
    on_time: int
    on_time_rate: float | None
    median_hours: float | None
    open: int
    overdue: int


class PerformanceList(BaseModel):
    """Every unit that has had a case."""

    units: list[PerformanceOut]


class ClarificationOut(BaseModel):
    """An official clarification as the portal and the API show it."""

    id: int
    title_vi: str
    body_vi: str
    title_en: str
    body_en: str
    sources: list[tuple[str, str]]
    claims: list[dict[str, Any]]
    story_ids: list[int]
    case_ids: list[int]
    status: str
    revision: int
    published_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, c: Clarification, *, public: bool = False) -> ClarificationOut:
        return cls(
            id=c.id or 0,
            title_vi=c.title_vi,
            body_vi=c.body_vi,
            title_en=c.title_en,
            body_en=c.body_en,
            sources=list(c.sources),
            claims=[{"text": x.text, "verdict": x.verdict, "appearance": x.appearance} for x in c.claims],
            # The public sees official text only: internal case numbers stay inside.
            story_ids=[] if public else list(c.story_ids),
            case_ids=[] if public else list(c.case_ids),
            status=c.status,
            revision=c.revision,
            published_at=c.published_at,
            updated_at=c.updated_at,
        )


class RevisionOut(BaseModel):
    """One published version of a clarification."""

    revision: int
    at: datetime | None
    note: str
    title_vi: str
    body_vi: str


class PortalPage(BaseModel):
    """A clarification on the portal: its text, revisions, claim reviews and one suppressed aggregate."""

    clarification: ClarificationOut
    revisions: list[RevisionOut]
    claim_reviews: list[dict[str, Any]]
    discussion: str = Field(description="How many items discussed it, or 'fewer than N' below the minimum.")


class PortalList(BaseModel):
    """Published clarifications, newest first, optionally matching a search."""

    query: str
    clarifications: list[ClarificationOut]
