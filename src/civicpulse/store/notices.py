"""Notice tables: the response loop's notices, their files, and their deliveries in the alerts' delivery log.

A notice delivery is a `deliveries` row with `notice_id` and a contact point in `target` (an alert delivery
has `alert_id` and `recipient_id` instead), so both share the attempts log, the backoff and the dead letters.
Rows are plain dicts so the store does not import the response stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from civicpulse.store.detection import DetectionTables, claim
from civicpulse.store.schema import deliveries, notice_files, notices
from civicpulse.store.store import aware

if TYPE_CHECKING:
    from civicpulse.store.store import Store

TIMES = ("next_attempt_at", "created_at", "sent_at", "notice_created_at")


class NoticeTables:
    """Queue notices for contact points, find the due ones, and record each attempt."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.detection = DetectionTables(store)

    def queue(
        self,
        notice: dict[str, Any],
        files: Sequence[tuple[str, str, bytes]],
        targets: Sequence[str],
        next_attempt_at: datetime,
    ) -> list[int]:
        """Store a notice (kind, subject, text, link, data) and a pending delivery per target; return ids."""
        stamp = datetime.now(UTC)
        with self.store._write(), self.store.engine.begin() as conn:
            notice_id = conn.execute(
                insert(notices).values(**notice, created_at=stamp).returning(notices.c.id)
            ).scalar_one()
            if files:
                conn.execute(
                    insert(notice_files),
                    [{"notice_id": notice_id, "name": n, "content_type": t, "data": d} for n, t, d in files],
                )
            ids = []
            for target in targets:
                row = {
                    "notice_id": notice_id,
                    "target": target,
                    "event": str(notice["kind"])[:20],
                    "status": "pending",
                    "attempts": 0,
                    "last_error": "",
                    "next_attempt_at": next_attempt_at,
                    "created_at": stamp,
                }
                ids.append(
                    int(
                        conn.execute(insert(deliveries).values(**row).returning(deliveries.c.id)).scalar_one()
                    )
                )
            return ids

    def claim_due(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Claim the due pending notice deliveries for this process; return them with their notice.

        Only the process whose claim hit a row sends it (`detection.claim`), so the command line and a
        running server never both send one notice.
        """
        return claim(self.store, self.due(now, limit), now)

    def due(self, now: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Return pending notice deliveries whose time has come, with their notice."""
        query = (
            _with_notice()
            .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
            .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            .limit(limit)
        )
        with self.store.engine.connect() as conn:
            return [_row(r._mapping) for r in conn.execute(query)]

    def files(self, notice_id: int) -> list[tuple[str, str, bytes]]:
        """Return a notice's files as (name, content type, bytes)."""
        query = (
            select(notice_files.c.name, notice_files.c.content_type, notice_files.c.data)
            .where(notice_files.c.notice_id == notice_id)
            .order_by(notice_files.c.id)
        )
        with self.store.engine.connect() as conn:
            return [(r.name, r.content_type, bytes(r.data)) for r in conn.execute(query)]

    def record_attempt(self, delivery_id: int, attempt: int, log: dict[str, Any], **values: Any) -> None:
        """Log one attempt and update the delivery (the alerts' delivery log, one transaction)."""
        self.detection.record_attempt(delivery_id, attempt, log, **values)

    def deliveries(
        self, *, kind: str = "", status: str = "", notice_id: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Return notice deliveries, newest first, optionally of one kind, status or notice."""
        query = _with_notice().order_by(deliveries.c.id.desc()).limit(limit)
        if kind:
            query = query.where(notices.c.kind == kind)
        if status:
            query = query.where(deliveries.c.status == status)
        if notice_id is not None:
            query = query.where(deliveries.c.notice_id == notice_id)
        with self.store.engine.connect() as conn:
            return [_row(r._mapping) for r in conn.execute(query)]

    def log(self, delivery_id: int) -> list[dict[str, Any]]:
        """Return every attempt of one delivery, oldest first."""
        return self.detection.delivery_log(delivery_id)


def _with_notice() -> Any:
    return select(
        deliveries,
        notices.c.kind,
        notices.c.subject,
        notices.c.text,
        notices.c.link,
        notices.c.data,
        notices.c.created_at.label("notice_created_at"),
    ).join(notices, notices.c.id == deliveries.c.notice_id)


def _row(mapping: Any) -> dict[str, Any]:
    row = dict(mapping)
    for key in TIMES:
        if row.get(key) is not None:
            row[key] = aware(row[key])
    return row
