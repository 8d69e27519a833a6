"""Clarifications: write an official statement, link it, publish it; edits after publication are revisions.

Publishing and every later edit keep a copy of the text as published (`clarification_revisions`), so the
portal can show what changed and when. Subscribers are told of both. Each claim a clarification answers is
also described as schema.org `ClaimReview`, for fact-check aggregators and search engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from civicpulse.config import Settings
from civicpulse.errors import InputError
from civicpulse.models import ClaimAnswer, Clarification
from civicpulse.respond.notices import Notice, Notifier, Outbox
from civicpulse.store import Store
from civicpulse.store.clarifications import ClarificationTables

# Verdict → (rating 1-5 for ClaimReview, Vietnamese name, English name). 1 is false, 5 is true.
VERDICTS: dict[str, tuple[int, str, str]] = {
    "false": (1, "Sai sự thật", "False"),
    "misleading": (2, "Gây hiểu lầm", "Misleading"),
    "partly_false": (2, "Sai một phần", "Partly false"),
    "unproven": (3, "Chưa được xác minh", "Unproven"),
    "true": (5, "Đúng sự thật", "True"),
}


class Clarifications:
    """Saves drafts, publishes, revises and describes clarifications."""

    def __init__(self, store: Store, settings: Settings, notifier: Notifier | None = None) -> None:
        self.tables = ClarificationTables(store)
        self.settings = settings
        self.notifier: Notifier = notifier or Outbox()

    def save(self, clarification: Clarification, actor: str) -> Clarification:
        """Check and store a draft; editing a published clarification needs `revise` (it keeps history)."""
        check(clarification)
        if clarification.id is not None:
            current = self.get(clarification.id)
            if current.status == "published":
                raise InputError(f"clarification {current.id} is published; save the change as a revision")
        return self.tables.save(replace(clarification, author=clarification.author or actor))

    def publish(self, clarification_id: int, actor: str) -> Clarification:
        """Publish a draft on the portal and feed, and tell the subscribers."""
        current = self.get(clarification_id)
        if current.status == "published":
            raise InputError(f"clarification {clarification_id} is already published; edit it to revise it")
        check(current)
        published = self.tables.record_revision(clarification_id, note=f"published by {actor}")
        self._tell("clarification.published", published)
        return published

    def revise(self, clarification: Clarification, note: str, actor: str) -> Clarification:
        """Change a published clarification; the new text becomes a visible revision with `note`."""
        if clarification.id is None:
            raise InputError("save the clarification before revising it")
        current = self.get(clarification.id)
        if current.status != "published":
            return self.save(clarification, actor)
        if not note.strip():
            raise InputError("say what changed and why (the note is shown with the revision)")
        check(clarification)
        self.tables.save(replace(clarification, author=current.author))
        revised = self.tables.record_revision(clarification.id, note=note.strip())
        self._tell("clarification.revised", revised)
        return revised

    def get(self, clarification_id: int) -> Clarification:
        found = self.tables.get(clarification_id)
        if found is None:
            raise InputError(f"there is no clarification {clarification_id}")
        return found

    def url(self, clarification: Clarification) -> str:
        """The clarification's public page."""
        return f"{self.settings.public_url.rstrip('/')}/portal/{clarification.id}"

    def claim_reviews(self, clarification: Clarification) -> list[dict[str, Any]]:
        """Return one schema.org ClaimReview object per claim the clarification answers."""
        return claim_reviews(clarification, self.url(clarification), self.settings.portal_publisher)

    def _tell(self, kind: str, clarification: Clarification) -> None:
        contacts = list(self.settings.portal_subscribers)
        if not contacts:
            return
        head = (
            "Thông tin chính thức mới" if kind.endswith("published") else "Thông tin chính thức được cập nhật"
        )
        self.notifier.send(
            contacts,
            Notice(
                kind=kind,
                subject=f"[civicpulse] {head}: {clarification.title_vi[:150]}",
                text=f"{clarification.title_vi}\n\n{clarification.body_vi[:2000]}\n\n{self.url(clarification)}",
                link=self.url(clarification),
                data={"clarification_id": clarification.id, "revision": clarification.revision},
            ),
        )


def check(clarification: Clarification) -> None:
    """Raise `InputError` naming the first thing a clarification lacks."""
    if not clarification.title_vi.strip() or not clarification.body_vi.strip():
        raise InputError("a clarification needs a Vietnamese title and text")
    if bool(clarification.title_en.strip()) != bool(clarification.body_en.strip()):
        raise InputError("give both the English title and text, or neither")
    for claim in clarification.claims:
        if not claim.text.strip():
            raise InputError("a claim answered needs its text (what was said)")
        if claim.verdict not in VERDICTS:
            raise InputError(f"verdict {claim.verdict!r} is not one of {', '.join(VERDICTS)}")
    for title, url in clarification.sources:
        if not url.startswith(("https://", "http://")):
            raise InputError(f"source {title or url!r} needs a web address starting with https://")


def parse_claims(lines: Sequence[str]) -> tuple[ClaimAnswer, ...]:
    """Read claims written one per line as `verdict | claim text | where it appeared (optional)`."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise InputError(f"write each claim as 'verdict | text', e.g. 'false | {line.strip()[:40]}'")
        out.append(
            ClaimAnswer(
                verdict=parts[0].lower(), text=parts[1], appearance=parts[2] if len(parts) > 2 else ""
            )
        )
    return tuple(out)


def parse_sources(lines: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Read sources written one per line as `title | https://...` (or just the address)."""
    out = []
    for line in lines:
        if line.strip():
            title, _, url = line.rpartition("|")
            out.append((title.strip() or url.strip(), url.strip()))
    return tuple(out)


def claim_reviews(clarification: Clarification, url: str, publisher: str) -> list[dict[str, Any]]:
    """Describe each answered claim as schema.org ClaimReview (JSON-LD)."""
    published = clarification.published_at.isoformat() if clarification.published_at else None
    organisation = {"@type": "Organization", "name": publisher}
    reviews = []
    for number, claim in enumerate(clarification.claims, 1):
        rating, name_vi, _name_en = VERDICTS[claim.verdict]
        item: dict[str, Any] = {"@type": "Claim"}
        if claim.appearance:
            item["appearance"] = [{"@type": "CreativeWork", "url": claim.appearance}]
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": f"{url}#claim-{number}",
                "datePublished": published,
                "inLanguage": "vi",
                "claimReviewed": claim.text,
                "itemReviewed": item,
                "author": organisation,
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": rating,
                    "bestRating": 5,
                    "worstRating": 1,
                    "alternateName": name_vi,
                },
            }
        )
    return reviews
