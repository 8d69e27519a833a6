"""The portal's Atom feed (RFC 4287), written with ElementTree so every text is escaped correctly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from civicpulse.models import Clarification

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(clarifications: Sequence[Clarification], base_url: str, publisher: str) -> bytes:
    """Return the feed of published clarifications (newest first), ids stable across revisions."""
    base = base_url.rstrip("/")
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "vi"})
    _text(feed, "title", f"Thông tin chính thức — {publisher}")
    _text(feed, "id", f"{base}/portal")
    updated = max((c.updated_at or c.published_at or datetime.now(UTC) for c in clarifications), default=None)
    _text(feed, "updated", _stamp(updated or datetime.now(UTC)))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": f"{base}/portal/feed.atom"})
    ET.SubElement(
        feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": f"{base}/portal"}
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", publisher)
    for c in clarifications:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", c.title_vi)
        _text(entry, "id", f"{base}/portal/{c.id}")
        ET.SubElement(
            entry,
            f"{{{ATOM}}}link",
            {"rel": "alternate", "type": "text/html", "href": f"{base}/portal/{c.id}"},
        )
        _text(entry, "published", _stamp(c.published_at or datetime.now(UTC)))
        _text(entry, "updated", _stamp(c.updated_at or c.published_at or datetime.now(UTC)))
        _text(entry, "summary", c.body_vi[:500])
        content = _text(
            entry, "content", c.body_vi + (f"\n\n{c.title_en}\n{c.body_en}" if c.title_en else "")
        )
        content.set("type", "text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = value
    return element


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
