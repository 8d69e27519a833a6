"""What the JSON API returns; the HTML pages render exactly these objects."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from civicpulse.models import FetchRecord, Item, QuarantineEntry

SourceStatus = Literal["ok", "failing", "never_fetched", "import", "disabled"]


class ItemOut(BaseModel):
    """One item as the dashboard shows it; the author is a pseudonym, never a handle."""

    id: int | None
    title: str
    text: str
    url: str
    source_id: int | None
    source_name: str
    author: str = Field(description="Keyed-hash pseudonym of the author, or empty.")
    published_at: datetime | None
    collected_at: datetime | None
    lang: str

    @classmethod
    def of(cls, item: Item) -> ItemOut:
        return cls(
            id=item.id,
            title=item.title,
            text=item.text[:500],
            url=item.url,
            source_id=item.source_id,
            source_name=item.source_name,
            author=item.author,
            published_at=item.published_at,
            collected_at=item.collected_at,
            lang=item.lang,
        )


class FetchOut(BaseModel):
    """One fetch attempt from the fetch log."""

    started_at: datetime | None
    status: str
    http_status: int | None
    items_seen: int
    items_new: int
    duration_ms: int
    error: str

    @classmethod
    def of(cls, record: FetchRecord) -> FetchOut:
        return cls(
            started_at=record.started_at,
            status=record.status,
            http_status=record.http_status,
            items_seen=record.items_seen,
            items_new=record.items_new,
            duration_ms=record.duration_ms,
            error=record.error,
        )


class SourceHealth(BaseModel):
    """A source with its health: last success, error streak, recent fetches."""

    id: int
    name: str
    kind: str
    url: str
    enabled: bool
    items: int
    status: SourceStatus
    last_success_at: datetime | None
    next_fetch_at: datetime | None
    last_error: str
    error_streak: int
    fetches: list[FetchOut] = Field(default_factory=list)
    rate: list[int] = Field(
        default_factory=list, description="Items collected per bucket over the list's window, oldest first."
    )


class Counts(BaseModel):
    """Headline counts of the overview."""

    items: int
    sources: int
    quarantined: int


class HourCount(BaseModel):
    """Items in one hour (UTC start)."""

    start: datetime
    count: int


class Overview(BaseModel):
    """Everything on the overview page."""

    counts: Counts
    activity: list[HourCount] = Field(description="Items per hour over the last 48 hours, oldest first.")
    newest: list[ItemOut]
    sources: list[SourceHealth]
    empty: bool = Field(description="True when nothing is stored yet; the page then shows how to start.")


class ItemList(BaseModel):
    """Recent items, or the results of a full-text search."""

    query: str
    items: list[ItemOut]


class RateWindow(BaseModel):
    """The span the sources' `rate` series cover: `buckets` buckets of `bucket_s` seconds from `start`."""

    window: str = Field(description="24h (hourly buckets) or 7d (six-hour buckets).")
    start: datetime
    bucket_s: int
    buckets: int


class SourceList(BaseModel):
    """Every source with its health and its collection rate over the window."""

    sources: list[SourceHealth]
    rate: RateWindow | None = None


class SourceDetail(BaseModel):
    """One source: its health, collection rate over 7 days, recent fetch log and newest items."""

    source: SourceHealth
    items: list[ItemOut]
    rate: RateWindow | None = None


class QuarantineOut(BaseModel):
    """Something kept aside for a person to look at."""

    id: int | None
    origin: str
    reason: str
    payload: str
    source_id: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, entry: QuarantineEntry) -> QuarantineOut:
        return cls(
            id=entry.id,
            origin=entry.origin,
            reason=entry.reason,
            payload=entry.payload[:500],
            source_id=entry.source_id,
            created_at=entry.created_at,
        )


class QuarantineList(BaseModel):
    """Quarantined entries, newest first."""

    total: int
    entries: list[QuarantineOut]


class DemoLoaded(BaseModel):
    """What loading the demo did."""

    seen: int
    new: int
    quarantined: int
    processed: int


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "unavailable"]
    detail: str = ""
