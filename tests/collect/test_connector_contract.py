"""One contract for every connector (STYLE 20): good input maps to items, hostile input to a named outcome.

A connector here is the pure mapping from what a source hands over (a feed body, a page, one record of an
import file) to `RawEntry`s; fetching, scheduling, reading files and storing are tested in their own modules.
Every connector gets the same checks, so a new one is added by adding one `Connector` to `CONNECTORS`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import pytest

from civicpulse.collect import feeds, pages
from civicpulse.collect.imports.evaluation import eval_entry
from civicpulse.collect.imports.facebook import facebook_entry
from civicpulse.collect.imports.schema import Context, schema_entry
from civicpulse.collect.imports.telegram import message_entry, read_channel
from civicpulse.collect.ingest import MAX_TEXT_CHARS, RawEntry, make_item
from civicpulse.errors import Outcome, Quarantine, Skip
from civicpulse.models import Item
from tests.conftest import FIXTURES
from tests.factories import TEST_KEY

Result: TypeAlias = RawEntry | Outcome
HUGE = "ngập " * 400_000  # 2 MB of text
HOSTILE_BYTES = [
    b"",
    b"\xff\xfe\x00\x00garbage\x81\x82",
    b"<html><body><script>alert(1)</script><p>hi</p></body></html>",
    b"\x00" * 64,
    "<rss version='2.0'><channel><item><title>ngập</title><description>"
    f"{HUGE}</description><link>https://example.org/a</link></item></channel></rss>".encode(),
    b"<rss version='2.0'><channel><item><title>t\x00</title><link>https://e.org/x</link></item>",
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": 5, "content_text": ["no"]}]}',
    b"[1, 2, 3]",
]
HOSTILE_RECORDS: list[dict[str, Any]] = [
    {},
    {"text": None, "id": None},
    {"id": "1", "text": 12345, "published": "not a date", "time": "yesterday-ish"},
    {"id": "2", "text": ["a", "list"], "kind": "spaceship", "platform": "../../etc"},
    {"id": "3", "text": "x\x00y", "published": 10**15, "author": "\x00"},
    {"id": "4", "text": HUGE, "title": HUGE},
    {"id": {"nested": 1}, "text": {"nested": "dict"}},
    {"id": "5", "text": "<script>alert(1)</script>bình thường", "url": "javascript:alert(1)"},
]


@dataclass(frozen=True)
class Connector:
    name: str
    read: Callable[[Any], Result | Sequence[Result]]
    good: Sequence[Any]
    hostile: Sequence[Any]
    html: bool = False  # the connector extracts text from markup, so no markup may reach the text


def fixture_bytes(*names: str) -> list[bytes]:
    return [(FIXTURES / name).read_bytes() for name in names]


def jsonl(name: str) -> list[dict[str, Any]]:
    lines = (FIXTURES / "imports" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def csv_rows(name: str) -> list[dict[str, Any]]:
    with (FIXTURES / "imports" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


PAGES = ("pages/article-ngap.html", "pages/article-ketxe.html", "pages/notice.html")
TELEGRAM = FIXTURES / "imports" / "telegram" / "result.json"
CHANNEL = read_channel(TELEGRAM)
CONNECTORS = [
    Connector(
        "feed",
        lambda body: feeds.to_entries(body, "https://example.org/feed"),
        fixture_bytes("feeds/atom.xml", "feeds/rss10.rdf", "feeds/jsonfeed.json", "feeds/hostile.rss"),
        HOSTILE_BYTES,
        html=True,
    ),
    Connector(
        "page",
        lambda page: pages.to_item(page[0], page[1]),
        [(html, f"https://example.org/tin/{n}") for n, html in enumerate(fixture_bytes(*PAGES))],
        [(html, "https://example.org/tin/x") for html in HOSTILE_BYTES],
        html=True,
    ),
    Connector(
        "import-schema", lambda r: schema_entry(r, Context("items")), jsonl("items.jsonl"), HOSTILE_RECORDS
    ),
    Connector("import-eval", lambda r: eval_entry(r, Context("eval")), jsonl("eval.jsonl"), HOSTILE_RECORDS),
    Connector("import-facebook", facebook_entry, csv_rows("crowdtangle.csv"), HOSTILE_RECORDS),
    Connector(
        "import-telegram",
        lambda m: message_entry(m, CHANNEL),
        json.loads(TELEGRAM.read_text(encoding="utf-8"))["messages"],
        HOSTILE_RECORDS,
    ),
]
IDS = [c.name for c in CONNECTORS]


def outcomes(connector: Connector, payload: Any) -> list[Result]:
    """What the connector makes of one payload; a raised `Quarantine` or `Skip` is an outcome too."""
    try:
        found = connector.read(payload)
    except (Quarantine, Skip) as outcome:
        return [outcome]
    return list(found) if isinstance(found, Sequence) else [found]


def stored(entry: RawEntry) -> Item | Skip:
    try:
        return make_item(entry, source_id=None, pseudonym_key=TEST_KEY)
    except Skip as skip:
        return skip


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_good_input_maps_to_items_with_stable_keys(connector: Connector) -> None:
    items = []
    for payload in connector.good:
        for entry in outcomes(connector, payload):
            if isinstance(entry, RawEntry) and isinstance(item := stored(entry), Item):
                items.append(item)
                assert item.key == make_item(entry, source_id=None, pseudonym_key=TEST_KEY).key
                assert item.text or item.title
                assert item.published_at is None or item.published_at.utcoffset() is not None
                if entry.author.strip():
                    assert entry.author not in item.author  # pseudonymised at ingestion
    assert len(items) >= len(connector.good) // 2, f"{connector.name}: most good payloads must map to items"
    assert len({i.key for i in items}) == len(items), f"{connector.name}: distinct entries share a key"


@pytest.mark.parametrize("connector", CONNECTORS, ids=IDS)
def test_hostile_input_gives_items_or_a_reason(connector: Connector) -> None:
    for payload in connector.hostile:
        for result in outcomes(connector, payload):  # any other exception fails the test
            if isinstance(result, Outcome):
                assert str(result).strip(), f"{connector.name}: an outcome without a reason"
                continue
            item = stored(result)
            if isinstance(item, Skip):
                continue
            assert len(item.text) <= MAX_TEXT_CHARS and len(item.title) <= 2000
            assert "\x00" not in item.text + item.title + item.author
            if connector.html:
                assert "<script" not in item.text.lower()
