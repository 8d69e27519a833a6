"""Builders for test records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from civicpulse.collect.ingest import RawEntry, make_item
from civicpulse.models import Item, Source, SourceKind

TEST_KEY = "test-pseudonym-key"


def source(url: str = "https://example.org/feed.xml", **fields: Any) -> Source:
    return Source(
        name=fields.pop("name", "Example"), kind=fields.pop("kind", SourceKind.FEED), url=url, **fields
    )


def item(text: str = "Ngập sâu ở Thủ Đức sau mưa lớn", source_id: int | None = None, **fields: Any) -> Item:
    fields.setdefault("published_at", datetime(2025, 9, 1, 8, 0, tzinfo=UTC))
    return make_item(RawEntry(text=text, **fields), source_id=source_id, pseudonym_key=TEST_KEY)
