"""Watched web pages and site sections: trafilatura extraction and article discovery within the section."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import lxml.html  # type: ignore[import-untyped]
from lxml import etree

from civicpulse.collect.feeds import Harvest, entry_key, extract_article, fetch_politely
from civicpulse.collect.http import Fetched
from civicpulse.collect.ingest import RawEntry
from civicpulse.collect.keys import content_hash, normalise_url
from civicpulse.collect.robots import RobotsRules
from civicpulse.collect.schedule import HostGate
from civicpulse.config import Settings
from civicpulse.errors import Outcome, Quarantine
from civicpulse.models import Source, SourceState
from civicpulse.store import Store

MAX_ARTICLES = 20
NOT_ARTICLES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".css", ".js", ".mp3", ".mp4", ".zip", ".xml"}
)


class PageConnector:
    """Fetches a watched page, extracts it, and fetches the new articles it links to in its section."""

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
        self.robots = RobotsRules(self._get_robots)

    @staticmethod
    def to_item(html: bytes, url: str, *, versioned: bool = False) -> RawEntry | Quarantine:
        """The pure mapping of one page (see the module function)."""
        return to_item(html, url, versioned=versioned)

    def fetch(self, source: Source, state: SourceState) -> Harvest:
        """GET the page (conditionally), then up to `max_articles` new articles found in its section."""
        if not self.robots.allowed(source.url):
            host = urlsplit(source.url).netloc
            raise Quarantine(
                f"robots.txt of {host} asks robots not to fetch {source.url}; "
                "ask the publisher for a feed, or remove the source"
            )
        headers = {"If-None-Match": state.etag} if state.etag else {}
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        page = self._get(source.url, headers)
        etag = page.headers.get("etag", state.etag)
        modified = page.headers.get("last-modified", state.last_modified)
        if page.not_modified:
            return Harvest("not_modified", http_status=304, etag=etag, last_modified=modified)
        limit = int(source.settings.get("max_articles", MAX_ARTICLES))
        links = [u for u in section_links(page.body, page.url, source.url) if self.robots.allowed(u)]
        entries: list[RawEntry | Quarantine] = []
        if links:
            entries.extend(self._articles(links, limit))
        else:
            entries.append(to_item(page.body, page.url, versioned=True))
        return Harvest("ok", entries, page.status, etag, modified, len(page.body))

    def _get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        return fetch_politely(
            self.client, self.gate, url, max_bytes=self.settings.max_response_bytes, headers=headers
        )

    def _get_robots(self, url: str) -> Fetched:
        return fetch_politely(self.client, self.gate, url, max_bytes=512 * 1024)

    def _articles(self, links: list[str], limit: int) -> list[RawEntry | Quarantine]:
        """Fetch and extract the links not stored yet, at most `limit` per run."""
        keyed = {link: entry_key(RawEntry(text="", url=link)) for link in links}
        known = self.store.known_keys(list(keyed.values())) if self.store else set()
        out: list[RawEntry | Quarantine] = []
        for link in [u for u in links if keyed[u] not in known][:limit]:
            try:
                article = self._get(link)
                out.append(to_item(article.body, article.url))
            except Quarantine as problem:
                out.append(Quarantine(f"{link}: {problem.reason}", problem.payload))
            except Outcome:
                continue  # transient: the link is still unknown, so the next run tries it again
        return out


def to_item(html: bytes, url: str, *, versioned: bool = False) -> RawEntry | Quarantine:
    """Map a page to a `RawEntry` with trafilatura; a `versioned` page gets a new key when its text changes.

    Returns `Quarantine` when no main text can be extracted.
    """
    found = extract_article(html, url)
    text, title = str(found.get("text") or ""), str(found.get("title") or "")
    if not text:
        return Quarantine(f"{url}: no main text could be extracted from the page", html[:2000])
    entry = RawEntry(
        text=text,
        title=title,
        url=url,
        author=str(found.get("author") or ""),
        published_at=_day(found.get("date")),
        lang=str(found.get("language") or ""),
    )
    if versioned:
        version = content_hash(title, text)[:16]
        entry = replace(entry, platform="page", platform_id=f"{normalise_url(url)}#{version}")
    return entry


def _day(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").replace(tzinfo=UTC) if value else None
    except ValueError:
        return None


def section_prefix(section_url: str) -> str:
    """Return the path that articles of a section live under: the section itself or its folder."""
    path = urlsplit(section_url).path or "/"
    if path.endswith("/"):
        return path
    if "." in PurePosixPath(path).name:  # `/thoi-su.htm` is a listing page; its articles sit beside it
        return str(PurePosixPath(path).parent).rstrip("/") + "/"
    return path + "/"


def section_links(html: bytes, page_url: str, section_url: str) -> list[str]:
    """Return the article links of a page on the section's host and under its path, in page order."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    host = _host(section_url)
    prefix, own = section_prefix(section_url), normalise_url(section_url)
    seen: set[str] = set()
    links: list[str] = []
    for anchor in doc.iterfind(".//a[@href]"):
        link = urljoin(page_url, anchor.get("href", "").strip()).split("#", 1)[0]
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or _host(link) != host:
            continue
        if not parts.path.startswith(prefix) or PurePosixPath(parts.path).suffix.lower() in NOT_ARTICLES:
            continue
        canonical = normalise_url(link)
        if canonical != own and canonical not in seen:
            seen.add(canonical)
            links.append(link)
    return links


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
