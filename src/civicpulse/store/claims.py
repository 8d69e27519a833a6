"""Claim tables: the library of known false or misleading statements and the items matched to them."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from civicpulse.store.schema import claim_matches, claims, enrichments, items
from civicpulse.store.store import aware
from civicpulse.understand.text import fold

if TYPE_CHECKING:
    from civicpulse.store.store import Store

VERDICTS = ("false", "misleading", "mixed", "unproven", "true")
SUGGESTED, LINKED, REJECTED = "suggested", "linked", "rejected"
STATUSES = (SUGGESTED, LINKED, REJECTED)
AUTO = "auto"  # `decided_by` of a link the matcher made; analysts' names never equal it


@dataclass(frozen=True)
class Claim:
    """A known false or misleading statement with its verdict and the clarification that answers it."""

    text: str
    verdict: str
    summary: str = ""
    lang: str = ""
    rating: str = ""
    clarification_id: int | None = None
    claimant: str = ""
    claimed_at: datetime | None = None
    appearances: tuple[str, ...] = ()
    review_url: str = ""
    reviewer: str = ""
    reviewed_at: datetime | None = None
    origin: str = "manual"
    active: bool = True
    created_by: str = ""
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def key(self) -> str:
        """The natural key: the same statement from the same review is one claim."""
        return hashlib.sha256(f"{self.review_url}\n{fold(self.text)}".encode()).hexdigest()


@dataclass(frozen=True)
class ClaimMatch:
    """An item found to repeat a claim: `score` is what the thresholds were applied to."""

    item_id: int
    claim_id: int
    score: float
    lexical: float
    semantic: float | None = None
    status: str = SUGGESTED
    decided_by: str = ""
    matched_at: datetime | None = None
    decided_at: datetime | None = None


class ClaimTables:
    """Reads and writes of `claims` and `claim_matches`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- the library ----------------------------------------------------------------------------------

    def add(self, claim: Claim) -> tuple[Claim, bool]:
        """Store a claim unless its key is known; return the stored claim and whether it is new."""
        stamp = datetime.now(UTC)
        row = _row(claim) | {"key": claim.key, "created_at": stamp, "updated_at": stamp}
        statement = (
            self.store._insert(claims)
            .values(row)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(claims.c.id)
        )
        with self.store._write(), self.store.engine.begin() as conn:
            created = conn.execute(statement).first() is not None
            found = conn.execute(select(claims).where(claims.c.key == claim.key)).one()
        return _claim(found._mapping), created

    def update(self, claim_id: int, **values: Any) -> Claim:
        """Change fields of a claim (verdict, summary, clarification_id, active...); bumps `updated_at`."""
        allowed = set(_row(Claim(text="", verdict="false"))) - {"fold"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"cannot update claim fields {sorted(unknown)}")
        if "appearances" in values:
            values["appearances"] = list(values["appearances"])
        if "text" in values:
            values["fold"] = fold(values["text"])
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(
                update(claims)
                .where(claims.c.id == claim_id)
                .values(values | {"updated_at": datetime.now(UTC)})
            )
            return _claim(conn.execute(select(claims).where(claims.c.id == claim_id)).one()._mapping)

    def get(self, claim_id: int) -> Claim | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(claims).where(claims.c.id == claim_id)).first()
        return _claim(row._mapping) if row else None

    def find(self, query: str = "", *, active_only: bool = False, limit: int | None = None) -> list[Claim]:
        """Claims in id order; `query` matches the text with or without diacritics."""
        statement = select(claims).order_by(claims.c.id)
        if active_only:
            statement = statement.where(claims.c.active.is_(True))
        for term in fold(query).split():
            statement = statement.where(claims.c.fold.contains(term, autoescape=True))
        if limit is not None:
            statement = statement.limit(limit)
        with self.store.engine.connect() as conn:
            return [_claim(r._mapping) for r in conn.execute(statement)]

    def version(self) -> tuple[int, int, datetime | None]:
        """Return (count, highest id, last update): a cheap fingerprint telling when the library changed."""
        query = select(func.count(), func.max(claims.c.id), func.max(claims.c.updated_at))
        with self.store.engine.connect() as conn:
            count, top, last = conn.execute(query).one()
        return int(count), int(top or 0), aware(last)

    # -- matches --------------------------------------------------------------------------------------

    def save_matches(self, found: Iterable[ClaimMatch]) -> int:
        """Store matches; a pair an analyst already decided keeps the analyst's decision. Return the count."""
        stamp = datetime.now(UTC)
        rows = [_match_row(m, stamp) for m in found]
        if not rows:
            return 0
        statement = self.store._insert(claim_matches)
        statement = statement.on_conflict_do_update(
            index_elements=["item_id", "claim_id"],
            set_={
                "score": statement.excluded.score,
                "lexical": statement.excluded.lexical,
                "semantic": statement.excluded.semantic,
                "status": statement.excluded.status,
                "decided_by": statement.excluded.decided_by,
                "decided_at": statement.excluded.decided_at,
            },
            # Only the matcher's own rows are refreshed; analysts' decisions are final.
            where=(claim_matches.c.decided_by == "") | (claim_matches.c.decided_by == AUTO),
        )
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(statement, rows)
        return len(rows)

    def decide(self, item_id: int, claim_id: int, status: str, analyst: str) -> None:
        """Record an analyst's decision on a match: `linked` confirms it, `rejected` dismisses it."""
        if status not in (LINKED, REJECTED):
            raise ValueError(f"an analyst links or rejects a match, not {status!r}")
        values = {"status": status, "decided_by": analyst[:100], "decided_at": datetime.now(UTC)}
        where = (claim_matches.c.item_id == item_id) & (claim_matches.c.claim_id == claim_id)
        with self.store._write(), self.store.engine.begin() as conn:
            if conn.execute(update(claim_matches).where(where).values(values)).rowcount == 0:
                # An analyst linking an item the matcher missed: kept, with no similarity to report.
                row: dict[str, Any] = {"item_id": item_id, "claim_id": claim_id, "score": 0.0, "lexical": 0.0}
                row |= values | {"matched_at": values["decided_at"]}
                conn.execute(self.store._insert(claim_matches).values(row))

    def matches(
        self, *, claim_id: int | None = None, item_id: int | None = None, statuses: Sequence[str] = STATUSES
    ) -> list[ClaimMatch]:
        """Matches of one claim or one item, best first."""
        query = select(claim_matches).where(claim_matches.c.status.in_(list(statuses)))
        if claim_id is not None:
            query = query.where(claim_matches.c.claim_id == claim_id)
        if item_id is not None:
            query = query.where(claim_matches.c.item_id == item_id)
        query = query.order_by(claim_matches.c.score.desc(), claim_matches.c.id)
        with self.store.engine.connect() as conn:
            return [_match(r._mapping) for r in conn.execute(query)]

    def counts(self) -> dict[int, Counter[str]]:
        """Return, per claim id, how many matches it has in each status."""
        query = select(claim_matches.c.claim_id, claim_matches.c.status, func.count()).group_by(
            claim_matches.c.claim_id, claim_matches.c.status
        )
        out: dict[int, Counter[str]] = {}
        with self.store.engine.connect() as conn:
            for claim_id, status, n in conn.execute(query):
                out.setdefault(int(claim_id), Counter())[status] = int(n)
        return out

    def timeline(
        self, claim_id: int, *, hours: int = 24, statuses: Sequence[str] = (LINKED,)
    ) -> list[tuple[datetime, int]]:
        """Return the claim's spread: matched items per `hours`-long bucket of publication time, in order."""
        when = func.coalesce(items.c.published_at, items.c.collected_at)
        query = (
            select(when)
            .select_from(claim_matches.join(items, items.c.id == claim_matches.c.item_id))
            .where(claim_matches.c.claim_id == claim_id, claim_matches.c.status.in_(list(statuses)))
        )
        # Bucketing in Python keeps one query for both backends; a claim has thousands of items, not millions.
        size = hours * 3600
        buckets: Counter[datetime] = Counter()
        with self.store.engine.connect() as conn:
            for (stamp,) in conn.execute(query):
                moment = aware(stamp)
                if moment is not None:
                    start = int(moment.timestamp()) // size * size
                    buckets[datetime.fromtimestamp(start, UTC)] += 1
        return sorted(buckets.items())

    def stories(self, claim_id: int, *, statuses: Sequence[str] = (LINKED,)) -> dict[int, int]:
        """Return how many of the claim's matched items each story holds."""
        query = (
            select(enrichments.c.story_id, func.count())
            .select_from(claim_matches.join(enrichments, enrichments.c.item_id == claim_matches.c.item_id))
            .where(
                claim_matches.c.claim_id == claim_id,
                claim_matches.c.status.in_(list(statuses)),
                enrichments.c.story_id.is_not(None),
            )
            .group_by(enrichments.c.story_id)
        )
        with self.store.engine.connect() as conn:
            return {int(story): int(n) for story, n in conn.execute(query)}


def _row(c: Claim) -> dict[str, Any]:
    return {
        "text": c.text,
        "fold": fold(c.text),
        "lang": c.lang[:10],
        "verdict": c.verdict,
        "rating": c.rating[:200],
        "summary": c.summary,
        "clarification_id": c.clarification_id,
        "claimant": c.claimant[:300],
        "claimed_at": c.claimed_at,
        "appearances": list(c.appearances),
        "review_url": c.review_url[:2000],
        "reviewer": c.reviewer[:300],
        "reviewed_at": c.reviewed_at,
        "origin": c.origin[:20],
        "active": c.active,
        "created_by": c.created_by[:100],
    }


def _claim(row: Any) -> Claim:
    return Claim(
        id=row["id"],
        text=row["text"],
        verdict=row["verdict"],
        summary=row["summary"],
        lang=row["lang"],
        rating=row["rating"],
        clarification_id=row["clarification_id"],
        claimant=row["claimant"],
        claimed_at=aware(row["claimed_at"]),
        appearances=tuple(row["appearances"]),
        review_url=row["review_url"],
        reviewer=row["reviewer"],
        reviewed_at=aware(row["reviewed_at"]),
        origin=row["origin"],
        active=row["active"],
        created_by=row["created_by"],
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"]),
    )


def _match_row(m: ClaimMatch, stamp: datetime) -> dict[str, Any]:
    return {
        "item_id": m.item_id,
        "claim_id": m.claim_id,
        "score": m.score,
        "lexical": m.lexical,
        "semantic": m.semantic,
        "status": m.status,
        "decided_by": m.decided_by[:100],
        "matched_at": m.matched_at or stamp,
        "decided_at": m.decided_at or (stamp if m.status == LINKED else None),
    }


def _match(row: Any) -> ClaimMatch:
    return ClaimMatch(
        item_id=row["item_id"],
        claim_id=row["claim_id"],
        score=row["score"],
        lexical=row["lexical"],
        semantic=row["semantic"],
        status=row["status"],
        decided_by=row["decided_by"],
        matched_at=aware(row["matched_at"]),
        decided_at=aware(row["decided_at"]),
    )
