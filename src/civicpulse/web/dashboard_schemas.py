"""What the dashboard's JSON API returns (overview, stories, alerts, topics, units, search)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from civicpulse.models import Story, Topic
from civicpulse.web.response_schemas import CaseOut, ReportOut
from civicpulse.web.schemas import Counts, ItemOut, SourceHealth


class AlertOut(BaseModel):
    """An alert (hotspot): what is hot, how hot, and the one-line reason in the reader's language."""

    id: int
    subject_kind: str
    subject_id: str
    label: str
    status: str
    level: int
    score: float
    feedback: str
    opened_at: datetime | None
    reason: str = Field(description="Why it is hot, in one line (the page's language).")
    units: list[str] = Field(description="Unit codes the alert's items name, most named first.")
    series: list[int] = Field(description="Distinct items per hour over the 24 hours before the alert.")
    story_id: int | None = None


class AlertDetail(BaseModel):
    """One alert with its full explanation and its history."""

    alert: AlertOut
    explanation: dict[str, Any]
    history: list[dict[str, Any]]
    moves: list[str] = Field(description="Statuses the alert may move to now.")


class AlertList(BaseModel):
    """A page of alerts, newest first; pass `next_cursor` as `cursor` for the next page."""

    alerts: list[AlertOut]
    next_cursor: str | None


class ActivityHour(BaseModel):
    """Items in one hour, and the band that the preceding day makes normal."""

    start: datetime
    count: int
    low: float
    high: float


class UnitValue(BaseModel):
    """A unit's activity: items naming it in the last 24 hours and the share of them that is negative."""

    code: str
    name: str
    items: int
    negative_share: float | None


class OverviewData(BaseModel):
    """Everything on the overview page."""

    counts: Counts
    hotspots: list[AlertOut]
    activity: list[ActivityHour] = Field(description="Items per hour over the last 48 hours, oldest first.")
    units: list[UnitValue]
    new_cases: list[CaseOut]
    overdue_cases: list[CaseOut]
    newest: list[ItemOut]
    sources: list[SourceHealth]
    empty: bool = Field(description="True when nothing is stored yet; the page then shows how to start.")


class StoryOut(BaseModel):
    """A story in a list: label, size, spread, when, and its last 48 hours hour by hour."""

    id: int
    label: str
    key_phrases: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    items: int
    distinct: int
    sources: int
    langs: list[str]
    units: list[str]
    status: str
    hours: list[int] = Field(description="Items per hour over the last 48 hours, oldest first.")

    @classmethod
    def of(cls, story: Story, hours: list[int]) -> StoryOut:
        return cls(
            id=story.id or 0,
            label=story.label,
            key_phrases=list(story.key_phrases),
            first_seen=story.first_seen,
            last_seen=story.last_seen,
            items=story.item_count,
            distinct=story.distinct_count,
            sources=len(story.source_ids),
            langs=list(story.langs),
            units=list(story.units),
            status=story.status,
            hours=hours,
        )


class FilterValues(BaseModel):
    """The filters a list was read with (empty: not filtered)."""

    since_hours: int | None = None
    topic: int | None = None
    unit: str = ""
    source_kind: str = ""
    lang: str = ""
    sentiment: str = ""
    harm: bool = False
    has_case: bool | None = None


class StoryList(BaseModel):
    """A page of stories, most recently active first; pass `next_cursor` as `cursor` for more."""

    stories: list[StoryOut]
    next_cursor: str | None
    filters: FilterValues


class SourceShare(BaseModel):
    """One source of a story: how many items and when it first carried the story."""

    source_id: int | None
    name: str
    kind: str
    items: int
    first: datetime | None


class ClaimMatchOut(BaseModel):
    """A story item matched to a known claim, with the analyst's decision if any."""

    item_id: int
    claim_id: int
    claim: str
    verdict: str
    score: float
    status: str
    decided_by: str


class StoryDetail(BaseModel):
    """One story: timeline against its normal band, sources, units, phrases, samples, claims, links."""

    story: StoryOut
    timeline: list[ActivityHour]
    sources: list[SourceShare]
    units: list[UnitValue]
    tone: dict[str, int]
    samples: list[ItemOut]
    claims: list[ClaimMatchOut]
    alerts: list[AlertOut]
    case: CaseOut | None
    clarifications: list[dict[str, Any]]


class TopicOut(BaseModel):
    """A watched topic with how many items it matched."""

    id: int
    name: str
    query: str
    category: str
    enabled: bool
    matches: int

    @classmethod
    def of(cls, topic: Topic, matches: int) -> TopicOut:
        return cls(
            id=topic.id or 0,
            name=topic.name,
            query=topic.query,
            category=topic.category,
            enabled=topic.enabled,
            matches=matches,
        )


class TopicCheck(BaseModel):
    """Whether a query parses; if not, the problem and its 0-based position."""

    ok: bool
    problem: str = Field("", description="What is wrong, in English.")
    position: int | None = None
    code: str = Field("", description="Names the problem: empty, unclosed_quote, unclosed_paren, ...")
    message: str = Field("", description="What is wrong, in the caller's language (vi or en).")


class TopicPreview(BaseModel):
    """How many of the newest items a query matches (per recent window) and a few of them."""

    check: TopicCheck
    scanned: int
    matched: int
    last_24h: int
    samples: list[ItemOut]


class TopicIn(BaseModel):
    """A topic to create or change."""

    name: str = Field(min_length=1, max_length=300)
    query: str = Field(min_length=1, max_length=2000)
    category: str = Field(default="", max_length=100)
    enabled: bool = True


class UnitDetail(BaseModel):
    """One unit: its activity, hotspots, stories, cases and field reports (as far as the reader may see)."""

    unit: UnitValue
    hotspots: list[AlertOut]
    stories: list[StoryOut]
    cases: list[CaseOut]
    reports: list[ReportOut]


class UnitList(BaseModel):
    """Every unit with its activity in the last 24 hours."""

    units: list[UnitValue]


class SearchResult(BaseModel):
    """A page of items matching a search and filters, newest first."""

    query: str
    items: list[ItemOut]
    next_cursor: str | None
    filters: FilterValues


class ExportOut(BaseModel):
    """An export of search results: its state and, when ready, where to download it."""

    id: str
    status: str
    format: str
    rows: int
    query: str
    created_at: datetime
    url: str | None
