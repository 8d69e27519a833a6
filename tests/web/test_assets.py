"""The dashboard serves its own assets: no CDN, no external URL in any template or static file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "civicpulse" / "web"
ASSETS = sorted(p for folder in ("templates", "static") for p in (WEB / folder).rglob("*") if p.is_file())
URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
# An SVG file must name its XML namespace; that identifier is never fetched.
SVG_NAMESPACE = 'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize("path", ASSETS, ids=lambda p: p.name)
def test_no_asset_points_to_another_host(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
    assert URL.findall(text) == []


def test_the_check_would_catch_a_cdn_link() -> None:
    link = '<script src="https://cdn.jsdelivr.net/npm/chart.js"></script><link href="//fonts.gstatic.com/x">'
    assert len(URL.findall(link)) == 2


def test_there_are_assets_to_check() -> None:
    names = {p.name for p in ASSETS}
    assert {"base.html", "overview.html", "style.css"} <= names
