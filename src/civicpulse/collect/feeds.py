"""RSS 0.9x/1.0/2.0, Atom and JSON Feed: a conditional `fetch` and a pure mapping to raw entries."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import lxml.html  # type: ignore[import-untyped]
import trafilatura
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from lxml import etree

from civicpulse.collect.http import Fetched, fetch
from civicpulse.collect.ingest import RawEntry, take
from civicpulse.collect.keys import item_key
from civicpulse.collect.schedule import HostGate
from civicpulse.config import Settings
from civicpulse.errors import Outcome, Quarantine
from civicpulse.models import Source, SourceState
from civicpulse.store import Store

MAX_ENTRIES = 1000
MAX_FULL_TEXT = 30
SAMPLE = 2000
HTML_PAGE = "the URL returned an HTML page, not a feed; find the page's RSS link"
UNSAFE_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math")
BLOCK_TAGS = frozenset(
    ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section")
)
FEED_TYPES = ("rss", "atom", "feed+json", "rdf")


@dataclass(frozen=True)
class Harvest:
    """What one fetch of a source brought back: entries (or a 304) and the new validators."""

    status: str
    entries: list[RawEntry | Quarantine] = field(default_factory=list)
    http_status: int | None = None
    etag: str = ""
    last_modified: str = ""
    bytes: int = 0


def fetch_politely(
    client: httpx.Client,
    gate: HostGate | None,
    url: str,
    *,
    max_bytes: int,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """Wait for the host's turn, then GET `url` within the size limit."""
    if gate is not None:
        gate.wait(urlsplit(url).hostname or "")
    return fetch(client, url, max_bytes=max_bytes, headers=headers)


class FeedConnector:
    """Fetches a feed with a conditional GET and maps its entries; optionally fetches full articles."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.Client,
        *,
        store: Store | None = None,
        gate: HostGate | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.gate = gate

    @staticmethod
    def to_entries(body: bytes, base_url: str) -> list[RawEntry | Quarantine]:
        """The pure mapping of a whole feed body (see the module function)."""
        return to_entries(body, base_url)

    @staticmethod
    def to_item(entry: Mapping[str, Any], base_url: str, *, lang: str = "") -> RawEntry:
        """The pure mapping of one feedparser entry (see the module function)."""
        return to_item(entry, base_url, lang=lang)

    def fetch(self, source: Source, state: SourceState) -> Harvest:
        """GET the feed (If-None-Match / If-Modified-Since); raise `Retry` or `Quarantine` on failure."""
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/feed+json, */*;q=0.5"}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        got = self._get(source.url, headers)
        etag, modified = (
            got.headers.get("etag", state.etag),
            got.headers.get("last-modified", state.last_modified),
        )
        if got.not_modified:
            return Harvest("not_modified", http_status=304, etag=etag, last_modified=modified)
        entries = to_entries(got.body, got.url)
        if self.settings.fetch_full_text:
            entries = self._with_full_text(entries)
        return Harvest("ok", entries, got.status, etag, modified, len(got.body))

    def _get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        return fetch_politely(
            self.client, self.gate, url, max_bytes=self.settings.max_response_bytes, headers=headers
        )

    def _with_full_text(self, entries: list[RawEntry | Quarantine]) -> list[RawEntry | Quarantine]:
        """Replace each new entry's summary by its article's text; old entries cost no request."""
        keys = {id(e): entry_key(e) for e in entries if isinstance(e, RawEntry) and e.url}
        known = self.store.known_keys(list(keys.values())) if self.store else set()
        budget = MAX_FULL_TEXT
        out: list[RawEntry | Quarantine] = []
        for entry in entries:
            fresh = isinstance(entry, RawEntry) and id(entry) in keys and keys[id(entry)] not in known
            if isinstance(entry, RawEntry) and fresh and budget:
                budget -= 1
                out.append(self._article(entry))
            else:
                out.append(entry)
        return out

    def _article(self, entry: RawEntry) -> RawEntry:
        try:
            page = self._get(entry.url)
        except Outcome as exc:  # the summary is still worth keeping
            return replace(entry, extra={**entry.extra, "full_text_error": str(exc)[:300]})
        text = extract_article(page.body, page.url).get("text", "")
        return replace(entry, text=text) if len(text) > len(entry.text) else entry


def to_entries(body: bytes, base_url: str) -> list[RawEntry | Quarantine]:
    """Map a feed body to raw entries; raise `Quarantine` when the body is not a feed at all."""
    head = body[:SAMPLE]
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return json_feed_entries(body, base_url)
    refuse_entities(body)
    # A file object, never raw bytes: feedparser treats bytes that name a local path as a file to open.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": base_url})
    if not parsed.entries:
        if not parsed.get("version"):
            raise Quarantine(not_a_feed_reason(body, base_url, parsed.get("bozo_exception")), head)
        return []
    lang = str(parsed.feed.get("language", ""))
    out: list[RawEntry | Quarantine] = []
    for number, entry in enumerate(take(parsed.entries, MAX_ENTRIES)):
        if not (entry.get("link") or entry.get("id") or entry.get("title")):
            sample = json.dumps(entry, default=str, ensure_ascii=False)
            out.append(Quarantine(f"feed entry {number} has no link, id or title to identify it", sample))
            continue
        try:
            out.append(to_item(entry, base_url, lang=lang))
        except (TypeError, ValueError, AttributeError) as exc:
            out.append(
                Quarantine(f"feed entry {number} cannot be read: {exc}", json.dumps(entry, default=str))
            )
    return out


def to_item(entry: Mapping[str, Any], base_url: str, *, lang: str = "") -> RawEntry:
    """Map one feedparser entry to a `RawEntry` (HTML stripped, times in UTC)."""
    contents = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, Mapping)]
    body = max([*contents, str(entry.get("summary", ""))], key=len)
    link = web_url(base_url, str(entry.get("link", "")).strip())
    platform, platform_id = _identity(link, str(entry.get("id", "")).strip(), base_url)
    return RawEntry(
        text=html_to_text(body),
        title=html_to_text(str(entry.get("title", ""))),
        url=link,
        author=str(entry.get("author", "")),
        published_at=struct_time_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        lang=lang,
        platform=platform,
        platform_id=platform_id,
        extra={"tags": [str(t.get("term", "")) for t in entry.get("tags", [])][:10]}
        if entry.get("tags")
        else {},
    )


def web_url(base_url: str, link: str) -> str:
    """Resolve `link` against the feed URL; only http(s) URLs are article links (not `tag:` ids)."""
    url = urljoin(base_url, link) if link else ""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _identity(link: str, guid: str, base_url: str) -> tuple[str, str]:
    """Key by link when there is one, so the same article in two of a site's feeds is stored once."""
    if link or not guid:
        return "", guid
    return "feed", f"{urlsplit(base_url).hostname}:{guid}"


def json_feed_entries(body: bytes, base_url: str) -> list[RawEntry | Quarantine]:
    """Map a JSON Feed 1.0/1.1 document (feedparser does not read JSON Feed)."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Quarantine(
            f"the body looks like JSON but is not valid JSON ({exc}); check the URL", body[:SAMPLE]
        ) from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise Quarantine(
            "the body is JSON but not a JSON Feed (no jsonfeed.org version); check the URL", body[:SAMPLE]
        )
    lang = str(doc.get("language", ""))
    out: list[RawEntry | Quarantine] = []
    for number, item in enumerate(take(doc.get("items") or [], MAX_ENTRIES)):
        if not isinstance(item, dict):
            out.append(Quarantine(f"JSON Feed item {number} is not an object", json.dumps(item)[:SAMPLE]))
            continue
        out.append(json_feed_item(item, base_url, lang=lang))
    return out


def json_feed_item(item: Mapping[str, Any], base_url: str, *, lang: str = "") -> RawEntry:
    """Map one JSON Feed item to a `RawEntry`."""
    html = str(item.get("content_html") or "")
    text = html_to_text(html) if html else str(item.get("content_text") or item.get("summary") or "")
    link = web_url(base_url, str(item.get("url") or item.get("external_url") or "").strip())
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    author = next((str(a.get("name", "")) for a in authors if isinstance(a, dict)), "")
    platform, platform_id = _identity(link, str(item.get("id") or ""), base_url)
    return RawEntry(
        text=text,
        title=html_to_text(str(item.get("title") or "")),
        url=link,
        author=author,
        published_at=parse_time(item.get("date_published") or item.get("date_modified")),
        lang=str(item.get("language") or lang),
        platform=platform,
        platform_id=platform_id,
    )


def parse_time(value: Any) -> datetime | None:
    """Parse an RFC 3339 time; a time without zone is taken as UTC, a bad one as unknown."""
    try:
        when = datetime.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


class _RootReached(Exception):
    """The parser reached the root element: no entity can be declared after it."""


class _StopAtRoot:
    """Parser target that stops at the root element, so the check never builds a tree."""

    def start(self, _tag: str, _attrs: dict[str, str]) -> None:
        raise _RootReached


def refuse_entities(body: bytes) -> None:
    """Raise `Quarantine` when the XML declares entities (billion laughs, external entities)."""
    parser = DefusedXMLParser(
        target=_StopAtRoot(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(body)
    except DefusedXmlException as exc:
        raise Quarantine(
            f"the feed declares XML entities ({type(exc).__name__}), a known attack; ask the publisher "
            "or remove the source",
            body[:SAMPLE],
        ) from exc
    except (_RootReached, SyntaxError, ValueError, LookupError):
        return  # reached the root safely, or malformed XML that feedparser's loose parser may still read


def not_a_feed_reason(body: bytes, base_url: str, problem: object) -> str:
    """Explain why a body is not a feed, naming the page's own feed link when it has one."""
    head = body[:4096].lower()
    if b"<html" in head or b"<!doctype html" in head:
        links = feed_links(body, base_url)
        return f"{HTML_PAGE}: {links[0]}" if links else f"{HTML_PAGE}, or add it with --kind page"
    if not body.strip():
        return "the URL returned an empty body; check the URL or try again later"
    return f"the body is not RSS, Atom or JSON Feed ({problem or 'no feed structure'}); check the URL"


def feed_links(body: bytes, base_url: str) -> list[str]:
    """Return the feed URLs an HTML page advertises with `<link rel="alternate">`."""
    try:
        doc = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    found = []
    for link in doc.iterfind(".//link[@rel='alternate']"):
        kind, href = (link.get("type") or "").lower(), link.get("href")
        if href and any(t in kind for t in FEED_TYPES):
            found.append(urljoin(base_url, href))
    return found


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment; scripts, styles and markup never leak through."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in list(root.iter(*UNSAFE_TAGS)):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return str(root.text_content()).strip()


def extract_article(html: bytes, url: str) -> dict[str, Any]:
    """Extract an article's main text and metadata with trafilatura (empty dict when nothing found)."""
    result = trafilatura.extract(
        html, url=url, output_format="json", with_metadata=True, favor_precision=True
    )
    return dict(json.loads(result)) if result else {}


def entry_key(entry: RawEntry) -> str:
    """The natural key `make_item` will give this entry (to ask the store what is already known)."""
    return item_key(platform=entry.platform, platform_id=entry.platform_id, url=entry.url)


def struct_time_utc(value: time.struct_time | None) -> datetime | None:
    return datetime(*value[:6], tzinfo=UTC) if value else None
