"""Server-side rendering: the Jinja environment, its filters, and the page response in the right language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from civicpulse.web.i18n import COOKIE, Translator, choose_language, requested_language
from civicpulse.web.trend import sparkline

TEMPLATES = Path(__file__).parent / "templates"
# Ho Chi Minh City keeps UTC+7 all year (no daylight saving), so a fixed offset needs no tz database.
CITY_ZONE = timezone(timedelta(hours=7), "ICT")
ONE_YEAR_S = 365 * 24 * 3600
# The pages that exist, in menu order; a link is never shown before its page exists.
NAV = (
    ("overview", "/"),
    ("alerts", "/alerts"),
    ("stories", "/stories"),
    ("units", "/units"),
    ("topics", "/topics"),
    ("search", "/search"),
    ("cases", "/cases"),
    ("clarifications", "/clarifications"),
    ("performance", "/performance"),
    ("sources", "/sources"),
    ("items", "/items"),
    ("quarantine", "/quarantine"),
)


def local_time(value: datetime | None, style: str = "full") -> str:
    """Format a time in the city's zone: `20:37 26/11/2026` (or just `20:37 26/11` for `short`)."""
    if value is None:
        return ""
    local = value.astimezone(CITY_ZONE)
    return local.strftime("%H:%M %d/%m") if style == "short" else local.strftime("%H:%M %d/%m/%Y")


def number(value: int, lang: str) -> str:
    """Group thousands the way each language writes them: 1.204 in Vietnamese, 1,204 in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text


class Pages:
    """Renders templates into HTML responses in the request's language."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["localtime"] = local_time
        self.env.filters["number"] = number
        self.env.filters["spark"] = sparkline

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render `name` with the translator `t`, the language, the menu and `context`."""
        lang = choose_language(request)
        # The signed-in principal (set by web.auth) gives the menu its links and every form its CSRF token.
        principal = getattr(request.state, "principal", None)
        context.setdefault("user", principal)
        context.setdefault("csrf_token", principal.csrf_token if principal else "")
        html = self.env.get_template(name).render(
            request=request, lang=lang, t=Translator(lang), nav=NAV, **context
        )
        response = HTMLResponse(html, status_code=status_code)
        if requested_language(request):
            # Remember an explicit choice so the next pages keep it without ?lang= in every link.
            response.set_cookie(COOKIE, lang, max_age=ONE_YEAR_S, samesite="lax")
        return response

    def not_found(self, request: Request, active: str) -> HTMLResponse:
        """Render the 404 page with `active` lit in the menu."""
        return self.render(request, "not_found.html", status_code=404, active=active, api_url="")

    def forbidden(self, request: Request, key: str) -> HTMLResponse:
        """Render the 403 page saying why (no permission, or a missing or stale CSRF token)."""
        return self.render(request, "forbidden.html", status_code=403, reason=key, active="", api_url="")
