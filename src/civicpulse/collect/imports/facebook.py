"""CSV exports of public Facebook pages and groups: CrowdTangle, Facepager and "Export Comments" columns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from civicpulse.collect.imports.schema import clean, parse_time
from civicpulse.collect.ingest import RawEntry
from civicpulse.errors import Skip
from civicpulse.models import ItemKind, Source, SourceKind

PLATFORM = "facebook"
# Each field, with the column names that hold it, in order of preference (compared in lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("message", "comment", "text", "description", "link text", "image text"),
    "time": ("post created", "created_time", "date", "published"),
    "author": ("from.id", "profile id", "from.name", "name", "author"),
    "id": ("object_id", "comment id", "post id", "id"),
    "url": ("url", "permalink_url", "permalink", "post url"),
    "page_id": ("facebook id", "group id", "page id"),
    "page_name": ("page name", "group name"),
    "page_user": ("user name",),
}
# Only these counts and labels are kept in `extra` (minimal data: exports carry profile pictures and more).
EXTRA_COLUMNS = {
    "type": "type",
    "link": "link",
    "final link": "final_link",
    "page category": "page_category",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "love": "love",
    "wow": "wow",
    "haha": "haha",
    "sad": "sad",
    "angry": "angry",
    "care": "care",
    "total interactions": "interactions",
    "post views": "views",
    "shares.count": "shares",
    "comments.summary.total_count": "comments",
    "reactions.summary.total_count": "reactions",
    "likes.summary.total_count": "likes",
}
SIGNATURES = (("page name", "post created"), ("facebook id", "message"), ("created_time", "message"))
SKIPPED_FACEPAGER_TYPES = frozenset({"seed", "offcut", "empty"})
_POST_ID = re.compile(r"(?:story_fbid=|/posts/|/videos/|/permalink/|/photos/[^/?]+/)(\d+)")


def looks_like_facebook(header: list[str]) -> bool:
    """Tell a Facebook export from our own CSV schema by its columns."""
    names = {name.strip().lower() for name in header}
    return any(all(column in names for column in signature) for signature in SIGNATURES)


def _lower(record: Mapping[str, Any]) -> dict[str, str]:
    return {k.strip().lower(): clean(v).strip() for k, v in record.items() if k is not None}


def _first(row: Mapping[str, str], field: str) -> tuple[str, str]:
    for column in COLUMNS[field]:
        if value := row.get(column, ""):
            return column, value
    return "", ""


def facebook_entry(record: Mapping[str, Any]) -> RawEntry:
    """Map one CSV row of a Facebook export to a `RawEntry` (pure)."""
    row = _lower(record)
    if row.get("object_type", "data") in SKIPPED_FACEPAGER_TYPES:
        raise Skip(f"Facepager {row['object_type']} row, not a post or comment")
    text_column, text = _first(row, "text")
    _, url = _first(row, "url")
    comment = text_column == "comment" or "comments" in row.get("query_type", "").lower()
    return RawEntry(
        text=text,
        url=url,
        kind=ItemKind.COMMENT if comment else ItemKind.POST,
        author=_first(row, "author")[1],
        published_at=parse_time(_first(row, "time")[1] or None, "time"),
        platform=PLATFORM,
        platform_id=_post_id(row, url),
        extra={name: _number(row[column]) for column, name in EXTRA_COLUMNS.items() if row.get(column)},
    )


def _post_id(row: Mapping[str, str], url: str) -> str:
    """Return `<page id>_<post id>` (the Graph API's form, so CrowdTangle and Facepager rows agree)."""
    column, object_id = _first(row, "id")
    facepager_node = column == "id" and "object_type" in row  # Facepager's `id` numbers its own database
    if object_id and not facepager_node:
        return object_id
    page_id, match = _first(row, "page_id")[1], _POST_ID.search(url)
    return f"{page_id}_{match.group(1)}" if page_id and match else ""


def _number(value: str) -> int | str:
    digits = value.replace(",", "")
    return int(digits) if digits.isdigit() else value


def page_source(record: Mapping[str, Any]) -> Source | None:
    """Return the page or group a CrowdTangle row was published on, if the row names one."""
    row = _lower(record)
    page_id, name, user = _first(row, "page_id")[1], _first(row, "page_name")[1], _first(row, "page_user")[1]
    if not (page_id or user):
        return None
    settings = {"link": f"https://www.facebook.com/{user or page_id}"}
    return Source(
        name=name or user or f"Facebook page {page_id}",
        kind=SourceKind.IMPORT,
        url=f"{PLATFORM}:{page_id or user}",
        settings=settings,
    )
