"""Read fact-checks published as schema.org ClaimReview: JSON-LD, HTML pages and Fact Check Tools exports."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from civicpulse.errors import InputError
from civicpulse.store.claims import Claim
from civicpulse.understand.claims.verdicts import verdict_of
from civicpulse.understand.text import normalise

_LD_SCRIPT = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>", re.I | re.S
)
# Fact-check pages nest JSON-LD deeply only by accident; a bound keeps hostile input from recursing forever.
_MAX_DEPTH = 20


def parse_claimreviews(content: str) -> list[Claim]:
    """Return the claims of every ClaimReview in `content` (JSON, JSON Lines or an HTML page)."""
    documents = list(_documents(content))
    found: list[Claim] = []
    for document in documents:
        found.extend(_claims(document, 0))
    # A page may repeat its markup (JSON-LD and an API export of the same review); keep each once.
    # A claim rated true has nothing to answer, so it is kept for the record but not matched.
    unique = {c.key: c for c in found if c.text}.values()
    return [replace(c, active=c.verdict != "true") for c in unique]


def _documents(content: str) -> Iterator[Any]:
    text = content.lstrip("\ufeff").strip()
    if not text:
        return
    if text.startswith("<"):
        for block in _LD_SCRIPT.findall(text):
            try:
                yield json.loads(block.strip().removeprefix("<!--").removesuffix("-->"))
            except json.JSONDecodeError:
                continue  # one broken block on a page should not hide the others
        return
    try:
        yield json.loads(text)
    except json.JSONDecodeError as whole:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"not JSON, JSON Lines or HTML (line {number}): {whole.msg}") from None


def _claims(node: Any, depth: int) -> Iterator[Claim]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for child in node:
            yield from _claims(child, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if "ClaimReview" in _types(node):
        claim = _from_claimreview(node)
        if claim is not None:
            yield claim
        return
    if isinstance(node.get("claims"), list):  # Fact Check Tools API: claims:search
        for entry in node["claims"]:
            yield from _from_api_claim(entry)
        return
    if isinstance(node.get("claimReviewMarkupPages"), list) or "claimReviewMarkups" in node:  # pages API
        pages = node.get("claimReviewMarkupPages") or [node]
        for page in pages:
            yield from _from_markup_page(page)
        return
    for value in node.values():  # @graph, mainEntity, hasPart...
        if isinstance(value, dict | list):
            yield from _claims(value, depth + 1)


def _from_claimreview(node: dict[str, Any]) -> Claim | None:
    reviewed = node.get("itemReviewed")
    item = reviewed[0] if isinstance(reviewed, list) and reviewed else reviewed
    item = item if isinstance(item, dict) else {}
    text = _text(node.get("claimReviewed")) or _text(item.get("name")) or _text(item.get("text"))
    if not text:
        return None
    rating = node.get("reviewRating")
    rating = rating[0] if isinstance(rating, list) and rating else rating
    rating = rating if isinstance(rating, dict) else {}
    label = _text(rating.get("alternateName")) or _text(rating.get("name"))
    appearances = _urls(item.get("appearance")) + _urls(item.get("firstAppearance"))
    return Claim(
        text=text,
        verdict=_verdict(label, rating),
        rating=label,
        summary=_text(node.get("reviewBody")) or _text(node.get("description")) or _text(node.get("name")),
        lang=_language(node.get("inLanguage")),
        claimant=_name(item.get("author")),
        claimed_at=_date(item.get("datePublished")),
        appearances=tuple(dict.fromkeys(appearances)),
        review_url=_text(node.get("url")) or _text(node.get("@id")),
        reviewer=_name(node.get("author")) or _name(node.get("publisher")),
        reviewed_at=_date(node.get("datePublished")),
        origin="claimreview",
    )


def _from_api_claim(entry: Any) -> Iterator[Claim]:
    if not isinstance(entry, dict) or not _text(entry.get("text")):
        return
    for review in entry.get("claimReview") or []:
        if not isinstance(review, dict):
            continue
        label = _text(review.get("textualRating"))
        publisher = review.get("publisher") or {}
        yield Claim(
            text=_text(entry["text"]),
            verdict=verdict_of(label),
            rating=label,
            summary=_text(review.get("title")),
            lang=_language(review.get("languageCode")),
            claimant=_text(entry.get("claimant")),
            claimed_at=_date(entry.get("claimDate")),
            review_url=_text(review.get("url")),
            reviewer=_name(publisher) or _text(publisher.get("site") if isinstance(publisher, dict) else ""),
            reviewed_at=_date(review.get("reviewDate")),
            origin="factcheck-api",
        )


def _from_markup_page(page: Any) -> Iterator[Claim]:
    if not isinstance(page, dict):
        return
    for markup in page.get("claimReviewMarkups") or []:
        if not isinstance(markup, dict) or not _text(markup.get("claimReviewed")):
            continue
        rating = markup.get("rating") or {}
        label = _text(rating.get("textualRating"))
        yield Claim(
            text=_text(markup["claimReviewed"]),
            verdict=_verdict(label, rating),
            rating=label,
            summary=_text(rating.get("ratingExplanation")),
            claimant=_name(markup.get("claimAuthor")),
            claimed_at=_date(markup.get("claimDate")),
            appearances=tuple(
                _urls(markup.get("claimAppearances")) + _urls(markup.get("claimFirstAppearance"))
            ),
            review_url=_text(markup.get("url")) or _text(page.get("pageUrl")),
            reviewer=_name(page.get("claimReviewAuthor")),
            reviewed_at=_date(page.get("publishDate")),
            origin="factcheck-api",
        )


def _verdict(label: str, rating: dict[str, Any]) -> str:
    value = _number(rating.get("ratingValue"))
    best = _number(rating.get("bestRating"))
    worst = _number(rating.get("worstRating"))
    return verdict_of(label, value, 5.0 if best is None else best, 1.0 if worst is None else worst)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type") or node.get("type") or ()
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds}


def _text(value: Any) -> str:
    """Return a clean string from a string, a number or a language-tagged {"@value": ...}."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value", "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return normalise(html.unescape(value)) if isinstance(value, str) else ""


def _name(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value) if n)
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("alternateName"))
    return _text(value)


def _language(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name") or ""
    code = _text(value).lower()
    names = {"vietnamese": "vi", "tiếng việt": "vi", "english": "en"}
    return names.get(code, code.split("-")[0])[:10]


def _urls(value: Any) -> list[str]:
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    if isinstance(value, dict):
        found = _text(value.get("url")) or _text(value.get("@id"))
        return [found] if found else []
    found = _text(value)
    return [found] if found.startswith(("http://", "https://")) else []


def _number(value: Any) -> float | None:
    try:
        return float(_text(value)) if _text(value) else None
    except ValueError:
        return None


def _date(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
