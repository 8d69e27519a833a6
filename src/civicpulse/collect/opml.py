"""OPML: import sources from a (possibly nested) outline, safely; export them as valid OPML 2.0."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from civicpulse.errors import InputError
from civicpulse.models import Source, SourceKind


def parse_opml(data: bytes, *, origin: str = "the OPML file") -> list[Source]:
    """Return the sources an OPML document lists: feeds from `xmlUrl`, pages from `htmlUrl`-only outlines.

    Nested outlines are folders; their titles are kept as the source's `category`.
    """
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(
            f"{origin} declares XML entities or a DTD ({exc}); remove them and try again"
        ) from exc
    except ET.ParseError as exc:
        raise InputError(f"{origin} is not valid XML ({exc}); export it again from your reader") from exc
    if root.tag != "opml" or root.find("body") is None:
        raise InputError(f"{origin} is not OPML (no <opml><body>); export it again from your reader")
    body = root.find("body")
    assert body is not None
    found: dict[str, Source] = {}
    for source in _walk(body, ()):
        found.setdefault(source.url, source)
    return list(found.values())


def _walk(node: ET.Element, folders: tuple[str, ...]) -> Iterator[Source]:
    for outline in node.findall("outline"):
        label = (outline.get("title") or outline.get("text") or "").strip()
        feed_url = (outline.get("xmlUrl") or "").strip()
        page_url = (outline.get("htmlUrl") or "").strip()
        if outline.get("type") == "link":
            page_url = page_url or (outline.get("url") or "").strip()
        settings = {"category": "/".join(folders)} if folders else {}
        if feed_url:
            yield Source(name=label or feed_url, kind=SourceKind.FEED, url=feed_url, settings=settings)
        elif page_url and not len(outline):
            yield Source(name=label or page_url, kind=SourceKind.PAGE, url=page_url, settings=settings)
        yield from _walk(outline, (*folders, label) if label else folders)


def to_opml(sources: Iterable[Source], *, title: str = "civicpulse sources") -> str:
    """Return an OPML 2.0 document of feed and page sources, folders by category."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for source in sources:
        if source.kind not in (SourceKind.FEED, SourceKind.PAGE):
            continue
        parent = body
        parts = [p for p in str(source.settings.get("category", "")).split("/") if p]
        for depth, part in enumerate(parts):
            path = "/".join(parts[: depth + 1])
            if path not in folders:
                folders[path] = ET.SubElement(parent, "outline", text=part, title=part)
            parent = folders[path]
        if source.kind is SourceKind.FEED:
            ET.SubElement(
                parent, "outline", type="rss", text=source.name, title=source.name, xmlUrl=source.url
            )
        else:
            ET.SubElement(parent, "outline", type="link", text=source.name, title=source.name, url=source.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
