"""Clarification tables: statements, their links to stories and cases, and every published revision."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from civicpulse.models import ClaimAnswer, Clarification
from civicpulse.store.schema import clarification_links, clarification_revisions, clarifications
from civicpulse.store.store import aware
from civicpulse.understand.text import fold

if TYPE_CHECKING:
    from civicpulse.store.store import Store

PUBLISHED = "published"


class ClarificationTables:
    """Reads and writes of `clarifications`, `clarification_links` and `clarification_revisions`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save(self, clarification: Clarification) -> Clarification:
        """Insert a new clarification or replace the text, sources, claims and links of an existing one."""
        stamp = datetime.now(UTC)
        row = _row(clarification) | {"updated_at": stamp}
        with self.store._write(), self.store.engine.begin() as conn:
            if clarification.id is None:
                row |= {"status": "draft", "revision": 0, "created_at": stamp}
                new_id = conn.execute(insert(clarifications).values(row).returning(clarifications.c.id))
                clarification_id = int(new_id.scalar_one())
            else:
                clarification_id = clarification.id
                conn.execute(
                    update(clarifications).where(clarifications.c.id == clarification_id).values(row)
                )
            conn.execute(
                delete(clarification_links).where(clarification_links.c.clarification_id == clarification_id)
            )
            links = [{"kind": "story", "target_id": s} for s in dict.fromkeys(clarification.story_ids)]
            links += [{"kind": "case", "target_id": c} for c in dict.fromkeys(clarification.case_ids)]
            if links:
                conn.execute(
                    insert(clarification_links),
                    [link | {"clarification_id": clarification_id} for link in links],
                )
            return _read(conn, clarification_id)

    def record_revision(
        self, clarification_id: int, note: str, published_at: datetime | None = None
    ) -> Clarification:
        """Bump the revision and keep a copy of the current text; the first one publishes it."""
        stamp = datetime.now(UTC)
        with self.store._write(), self.store.engine.begin() as conn:
            current = _read(conn, clarification_id)
            revision = current.revision + 1
            values: dict[str, Any] = {"revision": revision, "status": PUBLISHED, "updated_at": stamp}
            if current.published_at is None:
                values["published_at"] = published_at or stamp
            conn.execute(update(clarifications).where(clarifications.c.id == clarification_id).values(values))
            content = _content(current)
            conn.execute(
                insert(clarification_revisions).values(
                    clarification_id=clarification_id, revision=revision, content=content, note=note, at=stamp
                )
            )
            return _read(conn, clarification_id)

    def get(self, clarification_id: int) -> Clarification | None:
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(clarifications.c.id).where(clarifications.c.id == clarification_id)
            ).first()
            return _read(conn, clarification_id) if found else None

    def find(self, *, published_only: bool = True, query: str = "", limit: int = 100) -> list[Clarification]:
        """Clarifications newest first; `query` matches title and text with or without diacritics."""
        statement = select(clarifications.c.id).order_by(
            clarifications.c.published_at.desc(), clarifications.c.id.desc()
        )
        if published_only:
            statement = statement.where(clarifications.c.status == PUBLISHED)
        for term in fold(query).split():
            statement = statement.where(clarifications.c.fold.contains(term, autoescape=True))
        with self.store.engine.connect() as conn:
            return [_read(conn, i) for i in conn.execute(statement.limit(limit)).scalars()]

    def for_story(self, story_id: int) -> list[Clarification]:
        """Published clarifications linked to a story."""
        query = select(clarification_links.c.clarification_id).where(
            clarification_links.c.kind == "story", clarification_links.c.target_id == story_id
        )
        with self.store.engine.connect() as conn:
            found = [_read(conn, i) for i in conn.execute(query).scalars()]
        return [c for c in found if c.status == PUBLISHED]

    def revisions(self, clarification_id: int) -> list[dict[str, Any]]:
        """Every published version, oldest first: revision, time, note and the content as published."""
        query = (
            select(clarification_revisions)
            .where(clarification_revisions.c.clarification_id == clarification_id)
            .order_by(clarification_revisions.c.revision)
        )
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) | {"at": aware(r.at)} for r in conn.execute(query)]


def _row(c: Clarification) -> dict[str, Any]:
    return {
        "title_vi": c.title_vi,
        "body_vi": c.body_vi,
        "title_en": c.title_en,
        "body_en": c.body_en,
        "sources": [list(s) for s in c.sources],
        "claims": [asdict(claim) for claim in c.claims],
        "fold": fold(f"{c.title_vi}\n{c.body_vi}\n{c.title_en}\n{c.body_en}"),
        "author": c.author[:100],
    }


def _content(c: Clarification) -> dict[str, Any]:
    row = _row(c)
    del row["fold"]
    return row


def _read(conn: Connection, clarification_id: int) -> Clarification:
    row = conn.execute(select(clarifications).where(clarifications.c.id == clarification_id)).one()._mapping
    links = conn.execute(
        select(clarification_links.c.kind, clarification_links.c.target_id)
        .where(clarification_links.c.clarification_id == clarification_id)
        .order_by(clarification_links.c.target_id)
    ).all()
    return Clarification(
        id=row["id"],
        title_vi=row["title_vi"],
        body_vi=row["body_vi"],
        title_en=row["title_en"],
        body_en=row["body_en"],
        sources=tuple((str(s[0]), str(s[1])) for s in row["sources"]),
        claims=tuple(ClaimAnswer(**claim) for claim in row["claims"]),
        story_ids=tuple(t for k, t in links if k == "story"),
        case_ids=tuple(t for k, t in links if k == "case"),
        status=row["status"],
        author=row["author"],
        revision=row["revision"],
        created_at=aware(row["created_at"]),
        published_at=aware(row["published_at"]),
        updated_at=aware(row["updated_at"]),
    )
