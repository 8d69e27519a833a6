"""The user guide (docs/guide.vi.md, docs/guide.en.md) rendered as a page; the "?" links point into it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from markdown_it import MarkdownIt

from civicpulse.access.permissions import Permission, Principal
from civicpulse.web.auth import require
from civicpulse.web.deps import PagesDep
from civicpulse.web.i18n import choose_language

router = APIRouter(tags=["guide"])
Anyone = Annotated[Principal, require(Permission.MANAGE_OWN_ACCOUNT)]
# The guide lives with the documentation of a checkout; an installed wheel has no docs/ and says so.
DOCS = Path(__file__).resolve().parents[4] / "docs"


def guide_html(lang: str, docs: Path = DOCS) -> str | None:
    """The guide in `lang` as HTML, headings with ids (`## Tổng quan {#overview}` → id="overview")."""
    path = docs / f"guide.{lang}.md"
    if not path.is_file():
        return None
    # The guide is the project's own file, not user input, so its few HTML headings may pass through.
    markdown = MarkdownIt("commonmark", {"html": True}).enable("table")
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and line.rstrip().endswith("}") and "{#" in line:
            text, _, anchor = line.rstrip()[:-1].rpartition("{#")
            level = len(text) - len(text.lstrip("#"))
            lines.append(f'<h{level} id="{anchor}">{text.lstrip("#").strip()}</h{level}>')
        else:
            lines.append(line)
    html: str = markdown.render("\n".join(lines).replace("](screenshots/", "](/guide/screenshots/"))
    return html


@router.get("/guide", include_in_schema=False)
def guide_page(request: Request, pages: PagesDep, _principal: Anyone) -> HTMLResponse:
    html = guide_html(choose_language(request))
    if html is None:
        return pages.not_found(request, "guide")
    return pages.render(request, "guide.html", body=html, active="guide", api_url="")


@router.get("/guide/screenshots/{name}", include_in_schema=False)
def screenshot(name: str, _principal: Anyone) -> FileResponse:
    path = DOCS / "screenshots" / name
    if not name.endswith(".png") or "/" in name or not path.is_file():
        raise HTTPException(404, f"No screenshot {name}; run `make screenshots`.")
    return FileResponse(path, media_type="image/png")
