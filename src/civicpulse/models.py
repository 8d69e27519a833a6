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
