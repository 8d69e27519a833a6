"""The user guide: every "?" link of the pages lands on a section of both guides, and its pictures load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from civicpulse.web.routes.guide import DOCS, guide_html
from tests.web.conftest import TestClient

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "civicpulse" / "web" / "templates"


def help_sections() -> set[str]:
    found: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        found |= set(re.findall(r"help\('([a-z_]+)'\)", template.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_help_link_has_its_section(lang: str) -> None:
    html = guide_html(lang)
    assert html is not None
    anchors = set(re.findall(r'<h[23] id="([a-z_]+)">', html))
    assert help_sections() <= anchors
    for picture in re.findall(r'src="/guide/screenshots/([^"]+)"', html):
        assert (DOCS / "screenshots" / picture).is_file(), picture


def test_the_guide_page_follows_the_language(client: TestClient) -> None:
    english = client.get("/guide", params={"lang": "en"})
    assert english.status_code == 200
    assert '<h2 id="topics">Watched topics</h2>' in english.text
    assert '<h2 id="topics">Chủ đề theo dõi</h2>' in client.get("/guide", params={"lang": "vi"}).text
    assert client.get("/guide/screenshots/overview-desktop.png").headers["content-type"] == "image/png"
    assert client.get("/guide/screenshots/nothing.png").status_code == 404


def test_every_page_links_to_its_help(client: TestClient) -> None:
    assert 'href="/guide?lang=vi#overview"' in client.get("/", params={"lang": "vi"}).text
