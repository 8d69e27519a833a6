"""What lists share: the filter parameters, opaque cursors, and the page's own URL for its JSON twin."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Query, Request

from civicpulse.store.browse import Filters
from civicpulse.web.dashboard_schemas import FilterValues

MAX_ID = 2**31  # ids in queries stay within what both databases take as an integer

Since = Annotated[
    int | None, Query(ge=1, le=24 * 366, description="Only what was seen in the last this many hours.")
]
TopicId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only what matched this topic id.")]
Unit = Annotated[str, Query(max_length=40, description="Only what names this unit code (e.g. 26734).")]
Kind = Annotated[
    Literal["", "feed", "page", "import", "social", "field"], Query(description="Only this kind of source.")
]
Lang = Annotated[str, Query(max_length=12, description="Only this content language (vi, en, ...).")]
Sentiment = Annotated[
    Literal["", "negative", "neutral", "positive"],
    Query(description="Stories: at least 40 % of labelled items; items: labelled so."),
]
Harm = Annotated[bool, Query(description="Only what holds offensive, hateful or scam items.")]
HasCase = Annotated[
    Literal["", "yes", "no"], Query(description="Only stories with (yes) or without (no) a case.")
]
Cursor = Annotated[str, Query(max_length=200, description="`next_cursor` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=200, description="Return at most this many.")]


def filter_values(
    since: Since = None,
    *,
    topic: TopicId = None,
    unit: Unit = "",
    source_kind: Kind = "",
    language: Lang = "",
    sentiment: Sentiment = "",
    harm: Harm = False,
    has_case: HasCase = "",
) -> FilterValues:
    """Read the filters from the query string."""
    return FilterValues(
        since_hours=since,
        topic=topic,
        unit=unit.strip(),
        source_kind=source_kind,
        lang=language.strip().lower(),
        sentiment=sentiment,
        harm=harm,
        has_case=None if not has_case else has_case == "yes",
    )


FiltersDep = Annotated[FilterValues, Depends(filter_values)]


def to_filters(values: FilterValues, now: datetime) -> Filters:
    """The store's filters for `values`, with the time range ending `now`."""
    since = now - timedelta(hours=values.since_hours) if values.since_hours else None
    return Filters(
        since=since,
        topic_id=values.topic,
        unit=values.unit,
        source_kind=values.source_kind,
        lang=values.lang,
        sentiment=values.sentiment,
        harm=values.harm,
        has_case=values.has_case,
    )


def encode_cursor(at: datetime | None, key: int) -> str:
    """An opaque cursor for the row sorted at (`at`, `key`)."""
    text = f"{at.isoformat() if at else ''}|{key}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int] | None:
    """The (time, id) in a cursor; 400 when it was not made by `encode_cursor`."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, key = text.rpartition("|")
        moment = datetime.fromisoformat(at) if at else None
        number = int(key)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise HTTPException(
            400, "The cursor is not one this API gave; start again without `cursor`."
        ) from exc
    if not 0 < number < MAX_ID:
        raise HTTPException(400, "The cursor is out of range; start again without `cursor`.")
    return (moment.astimezone(UTC) if moment and moment.tzinfo else moment), number


def twin(request: Request, api_path: str) -> str:
    """The JSON twin of this page, with the same query (but not the language switch)."""
    query = request.url.remove_query_params("lang").query
    return f"{api_path}?{query}" if query else api_path


def next_page(request: Request, cursor: str | None) -> str | None:
    """The URL of the next page of this list, or None on the last page."""
    if cursor is None:
        return None
    return (
        str(request.url.remove_query_params("lang").include_query_params(cursor=cursor).path)
        + "?"
        + (request.url.remove_query_params("lang").include_query_params(cursor=cursor).query)
    )
