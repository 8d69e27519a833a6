"""OPML import (safe, nested) and export (valid OPML 2.0) round trip."""

from __future__ import annotations

from importlib import resources

import pytest
from defusedxml.ElementTree import fromstring

from civicpulse.collect.opml import parse_opml, to_opml
from civicpulse.errors import InputError
from civicpulse.models import Source, SourceKind

NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Reader export</title></head><body>
  <outline text="Tin tức">
    <outline text="TP.HCM">
      <outline type="rss" text="Tuổi Trẻ" xmlUrl="https://tuoitre.vn/rss/tin-moi-nhat.rss"
               htmlUrl="https://tuoitre.vn/"/>
    </outline>
    <outline title="VnExpress" text="ignored" xmlUrl="https://vnexpress.net/rss/thoi-su.rss"/>
  </outline>
  <outline text="Only a site" htmlUrl="https://ward.example.vn/thong-bao/"/>
  <outline type="link" text="Portal" url="https://portal.example.vn/tin/"/>
  <outline xmlUrl="https://vnexpress.net/rss/thoi-su.rss" text="Duplicate"/>
  <outline text="Empty folder"/>
</body></opml>""".encode()


def test_nested_outlines_become_sources_with_their_folders() -> None:
    found = parse_opml(NESTED)
    assert [(s.name, s.kind, s.url, s.settings) for s in found] == [
        (
            "Tuổi Trẻ",
            SourceKind.FEED,
            "https://tuoitre.vn/rss/tin-moi-nhat.rss",
            {"category": "Tin tức/TP.HCM"},
        ),
        ("VnExpress", SourceKind.FEED, "https://vnexpress.net/rss/thoi-su.rss", {"category": "Tin tức"}),
        ("Only a site", SourceKind.PAGE, "https://ward.example.vn/thong-bao/", {}),
        ("Portal", SourceKind.PAGE, "https://portal.example.vn/tin/", {}),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<opml><body>", "not valid XML"),
        (b"<rss version='2.0'/>", "not OPML"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>', "declares XML entities"),
    ],
)
def test_bad_files_are_refused_with_what_to_do(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_opml(data, origin="feeds.opml")


def test_export_is_valid_opml_2_and_round_trips() -> None:
    sources = [
        Source(
            "Tuổi Trẻ & bạn",
            SourceKind.FEED,
            "https://tuoitre.vn/rss/a.rss?x=1&y=2",
            settings={"category": "A/B"},
        ),
        Source("Phường", SourceKind.PAGE, "https://ward.example.vn/tb/"),
        Source("Export file", SourceKind.IMPORT, "file:///x.jsonl"),
    ]
    document = to_opml(sources)
    root = fromstring(document.encode())
    assert root.get("version") == "2.0"
    assert root.find("head/title") is not None and root.find("head/dateCreated") is not None
    again = parse_opml(document.encode())
    assert [(s.name, s.kind, s.url, s.settings) for s in again] == [
        ("Tuổi Trẻ & bạn", SourceKind.FEED, "https://tuoitre.vn/rss/a.rss?x=1&y=2", {"category": "A/B"}),
        ("Phường", SourceKind.PAGE, "https://ward.example.vn/tb/", {}),
    ]


def test_the_bundled_default_opml_lists_vietnamese_feeds() -> None:
    data = resources.files("civicpulse").joinpath("data/feeds/default.opml").read_bytes()
    found = parse_opml(data)
    assert 10 <= len(found) <= 20
    assert all(s.kind is SourceKind.FEED and s.url.startswith("https://") for s in found)
    assert "https://vnexpress.net/rss/tin-moi-nhat.rss" in {s.url for s in found}
