"""UI strings in Vietnamese (default) and English, and which of them a request gets."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import Request

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
TRANSLATIONS = Path(__file__).parent / "translations"


@cache
def translations(lang: str) -> dict[str, str]:
    """Return the strings of `lang` (read once per process; the files ship with the package)."""
    data: dict[str, str] = json.loads((TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def requested_language(request: Request) -> str | None:
    """Return the language named by `?lang=`, if it is one we have."""
    lang = request.query_params.get("lang", "").lower()
    return lang if lang in LANGUAGES else None


def choose_language(request: Request) -> str:
    """Pick the language: `?lang=`, the signed-in account's choice, the `lang` cookie, Accept-Language, vi."""
    chosen = requested_language(request)
    if chosen:
        return chosen
    # web.auth puts the principal on the request; its language is the account's, kept across sign-ins.
    account_choice = getattr(getattr(request.state, "principal", None), "language", "")
    if account_choice in LANGUAGES:
        return str(account_choice)
    cookie = request.cookies.get(COOKIE, "")
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """Return the supported language the Accept-Language header prefers most, else the default."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


class Translator:
    """Looks up UI strings; a missing key shows the key itself so the gap is visible, not a crash."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.strings = translations(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.strings.get(key, key)
        return text.format(**values) if values else text
