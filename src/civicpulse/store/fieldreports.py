"""Field report tables: collaborators' reports (idempotent by a client key) and linked Telegram accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from civicpulse.models import FieldReport
from civicpulse.store.schema import field_reports, telegram_links
from civicpulse.store.store import aware

if TYPE_CHECKING:
    from civicpulse.store.store import Store


class FieldReportTables:
    """Reads and writes of `field_reports` and `telegram_links`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, report: FieldReport) -> tuple[FieldReport, bool]:
        """Store a report; the same idempotency key again returns the first one and False (a retry)."""
        row = {
            "idempotency_key": report.idempotency_key[:100],
            "reporter": report.reporter[:100],
            "channel": report.channel,
            "unit_code": report.unit,
            "lat": report.lat,
            "lon": report.lon,
            "text": report.text,
            "photo_path": report.photo_path,
            "chat_id": report.chat_id,
            "created_at": report.created_at or datetime.now(UTC),
        }
        statement = (
            self.store._insert(field_reports)
            .values(row)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(field_reports.c.id)
        )
        with self.store._write(), self.store.engine.begin() as conn:
            created = conn.execute(statement).first() is not None
            found = conn.execute(
                select(field_reports).where(field_reports.c.idempotency_key == row["idempotency_key"])
            ).one()
        return _report(found._mapping), created

    def report(self, report_id: int) -> FieldReport | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(field_reports).where(field_reports.c.id == report_id)).first()
        return None if row is None else _report(row._mapping)

    def reports(
        self,
        *,
        units: Sequence[str] | None = None,
        reporter: str | None = None,
        case_id: int | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[FieldReport]:
        """Reports newest first, optionally only some units', one reporter's or one case's."""
        query = select(field_reports).order_by(field_reports.c.id.desc()).limit(limit)
        if units is not None:
            query = query.where(field_reports.c.unit_code.in_(list(units)))
        if reporter is not None:
            query = query.where(field_reports.c.reporter == reporter)
        if case_id is not None:
            query = query.where(field_reports.c.case_id == case_id)
        if since is not None:
            query = query.where(field_reports.c.created_at >= since)
        with self.store.engine.connect() as conn:
            return [_report(r._mapping) for r in conn.execute(query)]

    def update(self, report_id: int, **values: Any) -> None:
        """Set `item_id`, `case_id` or `photo_path` of a stored report."""
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(update(field_reports).where(field_reports.c.id == report_id).values(values))

    def link_telegram(self, telegram_user_id: str, username: str, unit: str) -> None:
        """Link a Telegram account to a collaborator and their unit (replacing an earlier link)."""
        row = {"telegram_user_id": telegram_user_id, "username": username, "unit_code": unit}
        statement = self.store._insert(telegram_links).values(row | {"linked_at": datetime.now(UTC)})
        statement = statement.on_conflict_do_update(
            index_elements=["telegram_user_id"], set_={"username": username, "unit_code": unit}
        )
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(statement)

    def telegram_link(self, telegram_user_id: str) -> tuple[str, str] | None:
        """Return (username, unit) linked to a Telegram account, or None."""
        query = select(telegram_links).where(telegram_links.c.telegram_user_id == telegram_user_id)
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (row.username, row.unit_code)


def _report(row: Any) -> FieldReport:
    return FieldReport(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        reporter=row["reporter"],
        channel=row["channel"],
        unit=row["unit_code"],
        lat=row["lat"],
        lon=row["lon"],
        text=row["text"],
        photo_path=row["photo_path"],
        chat_id=row["chat_id"],
        item_id=row["item_id"],
        case_id=row["case_id"],
        created_at=aware(row["created_at"]),
    )
