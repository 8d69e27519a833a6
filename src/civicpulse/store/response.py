"""Response tables: responders, cases with their units, events and attachments; per-unit performance."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from civicpulse.models import Attachment, Case, CaseEvent, CaseStatus, Responder, Severity
from civicpulse.store.schema import (
    case_attachments,
    case_events,
    case_units,
    cases,
    enrichments,
    items,
    responders,
)
from civicpulse.store.store import aware

if TYPE_CHECKING:
    from civicpulse.store.store import Store

OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)


@dataclass(frozen=True)
class UnitPerformance:
    """How one unit answers its cases: handled, on time, median hours to answer, open and overdue now."""

    unit: str
    assigned: int
    answered: int
    on_time: int
    median_hours: float | None
    open: int
    overdue: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


class ResponseTables:
    """Reads and writes of `responders`, `cases`, `case_units`, `case_events` and `case_attachments`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- responders ----------------------------------------------------------------------------------

    def save_responders(self, batch: Iterable[Responder]) -> int:
        """Insert or replace responders by code; return how many were written."""
        rows = [_responder_row(r) for r in batch]
        if not rows:
            return 0
        statement = self.store._insert(responders)
        statement = statement.on_conflict_do_update(
            index_elements=["code"], set_={c: statement.excluded[c] for c in rows[0] if c != "code"}
        )
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(statement, rows)
        return len(rows)

    def responders(self) -> list[Responder]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(responders).order_by(responders.c.code)).all()
        return [_responder(r._mapping) for r in rows]

    # -- cases ---------------------------------------------------------------------------------------

    def open_case(self, case: Case, event: CaseEvent) -> tuple[Case, bool]:
        """Insert `case` with its units; when its story already has an open case, return that one instead."""
        stamp = datetime.now(UTC)
        with self.store._write(), self.store.engine.begin() as conn:
            if case.story_id is not None:
                existing = conn.execute(
                    select(cases.c.id).where(cases.c.open_story_id == case.story_id)
                ).first()
                if existing is not None:
                    return self._case(conn, existing.id), False
            row = _case_row(case) | {"updated_at": stamp, "open_story_id": case.story_id}
            case_id = conn.execute(insert(cases).values(row).returning(cases.c.id)).scalar_one()
            _add_units(conn, case_id, case.units, stamp)
            conn.execute(insert(case_events).values(_event_row(event, case_id)))
            return self._case(conn, case_id), True

    def case(self, case_id: int) -> Case | None:
        with self.store.engine.connect() as conn:
            return self._case(conn, case_id) if _exists(conn, case_id) else None

    def open_case_for_story(self, story_id: int) -> Case | None:
        """Return the open case about `story_id`, if any (who is already handling it)."""
        with self.store.engine.connect() as conn:
            found = conn.execute(select(cases.c.id).where(cases.c.open_story_id == story_id)).first()
            return self._case(conn, found.id) if found else None

    def cases(
        self,
        *,
        statuses: Sequence[str] = (),
        units: Sequence[str] | None = None,
        opened_since: datetime | None = None,
        limit: int = 200,
    ) -> list[Case]:
        """Cases newest first; `units` keeps those assigned (now or before) to one of them."""
        query = select(cases.c.id).order_by(cases.c.id.desc()).limit(limit)
        if statuses:
            query = query.where(cases.c.status.in_(list(statuses)))
        if units is not None:
            query = query.where(
                cases.c.id.in_(select(case_units.c.case_id).where(case_units.c.unit_code.in_(list(units))))
            )
        if opened_since is not None:
            query = query.where(cases.c.opened_at >= opened_since)
        with self.store.engine.connect() as conn:
            return [self._case(conn, case_id) for case_id in conn.execute(query).scalars()]

    def overdue(self, at: datetime) -> list[Case]:
        """Open cases past a deadline (routing or answer) that were not escalated yet."""
        late_route = (cases.c.status == CaseStatus.NEW) & (cases.c.route_due_at < at)
        late_answer = cases.c.answer_due_at < at
        query = (
            select(cases.c.id)
            .where(cases.c.status.in_([str(s) for s in OPEN_STATUSES]))
            .where(late_route | late_answer)
            .where(cases.c.escalated_at.is_(None))
            .order_by(cases.c.id)
        )
        with self.store.engine.connect() as conn:
            return [self._case(conn, case_id) for case_id in conn.execute(query).scalars()]

    def update_case(self, case_id: int, values: dict[str, Any], event: CaseEvent | None = None) -> Case:
        """Change case columns and append `event`, in one transaction."""
        stamp = datetime.now(UTC)
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(update(cases).where(cases.c.id == case_id).values({**values, "updated_at": stamp}))
            if event is not None:
                conn.execute(insert(case_events).values(_event_row(event, case_id)))
            return self._case(conn, case_id)

    def change_units(
        self,
        case_id: int,
        add: Sequence[str],
        remove: Sequence[str],
        values: dict[str, Any],
        event: CaseEvent,
    ) -> Case:
        """Assign `add`, withdraw `remove` (kept as history), update columns and log `event`, atomically."""
        stamp = datetime.now(UTC)
        with self.store._write(), self.store.engine.begin() as conn:
            if remove:
                conn.execute(
                    update(case_units)
                    .where(case_units.c.case_id == case_id, case_units.c.unit_code.in_(list(remove)))
                    .values(active=False)
                )
            _add_units(conn, case_id, add, stamp)
            conn.execute(update(cases).where(cases.c.id == case_id).values({**values, "updated_at": stamp}))
            conn.execute(insert(case_events).values(_event_row(event, case_id)))
            return self._case(conn, case_id)

    def add_event(self, event: CaseEvent) -> None:
        with self.store._write(), self.store.engine.begin() as conn:
            conn.execute(insert(case_events).values(_event_row(event, event.case_id)))

    def events(self, case_id: int) -> list[CaseEvent]:
        query = select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.id)
        with self.store.engine.connect() as conn:
            return [CaseEvent(**{**dict(r._mapping), "at": aware(r.at)}) for r in conn.execute(query)]

    def past_units(self, case_id: int) -> list[str]:
        """Units a case was handed off from (no longer active on it)."""
        query = select(case_units.c.unit_code).where(
            case_units.c.case_id == case_id, case_units.c.active.is_(False)
        )
        with self.store.engine.connect() as conn:
            return sorted(conn.execute(query).scalars())

    # -- attachments ---------------------------------------------------------------------------------

    def add_attachment(self, attachment: Attachment, event: CaseEvent) -> Attachment:
        row = {k: v for k, v in attachment.__dict__.items() if k != "id"} | {"at": datetime.now(UTC)}
        with self.store._write(), self.store.engine.begin() as conn:
            new_id = conn.execute(
                insert(case_attachments).values(row).returning(case_attachments.c.id)
            ).scalar_one()
            conn.execute(insert(case_events).values(_event_row(event, attachment.case_id)))
        return Attachment(**{**row, "id": new_id})

    def attachments(self, case_id: int) -> list[Attachment]:
        query = select(case_attachments).where(case_attachments.c.case_id == case_id).order_by("id")
        with self.store.engine.connect() as conn:
            return [Attachment(**{**dict(r._mapping), "at": aware(r.at)}) for r in conn.execute(query)]

    def attachment(self, attachment_id: int) -> Attachment | None:
        query = select(case_attachments).where(case_attachments.c.id == attachment_id)
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Attachment(**{**dict(row._mapping), "at": aware(row.at)})

    # -- performance ---------------------------------------------------------------------------------

    def performance(self, at: datetime, since: datetime | None = None) -> list[UnitPerformance]:
        """Per unit: cases assigned, answered, answered on time, median hours to answer, open and overdue."""
        query = select(
            case_units.c.unit_code,
            cases.c.status,
            cases.c.opened_at,
            cases.c.answered_at,
            cases.c.answer_due_at,
        ).select_from(case_units.join(cases, cases.c.id == case_units.c.case_id))
        if since is not None:
            query = query.where(cases.c.opened_at >= since)
        per_unit: dict[str, list[Any]] = {}
        with self.store.engine.connect() as conn:
            for row in conn.execute(query):
                per_unit.setdefault(row.unit_code, []).append(row)
        return [_performance(unit, rows, at) for unit, rows in sorted(per_unit.items())]

    # -- reading -------------------------------------------------------------------------------------

    def _case(self, conn: Connection, case_id: int) -> Case:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()._mapping
        units = conn.execute(
            select(case_units.c.unit_code)
            .where(case_units.c.case_id == case_id, case_units.c.active.is_(True))
            .order_by(case_units.c.assigned_at, case_units.c.unit_code)
        ).scalars()
        return Case(
            id=row["id"],
            title=row["title"],
            summary=row["summary"],
            origin=row["origin"],
            origin_id=row["origin_id"],
            story_id=row["story_id"],
            severity=Severity(row["severity"]),
            status=CaseStatus(row["status"]),
            units=tuple(units),
            opened_by=row["opened_by"],
            opened_at=aware(row["opened_at"]),
            route_due_at=aware(row["route_due_at"]),
            answer_due_at=aware(row["answer_due_at"]),
            routed_at=aware(row["routed_at"]),
            answered_at=aware(row["answered_at"]),
            closed_at=aware(row["closed_at"]),
            escalated_at=aware(row["escalated_at"]),
        )


def _exists(conn: Connection, case_id: int) -> bool:
    return conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is not None


def _add_units(conn: Connection, case_id: int, units: Sequence[str], stamp: datetime) -> None:
    for code in units:
        found = conn.execute(
            select(case_units.c.active).where(case_units.c.case_id == case_id, case_units.c.unit_code == code)
        ).first()
        if found is None:
            conn.execute(
                insert(case_units).values(case_id=case_id, unit_code=code, active=True, assigned_at=stamp)
            )
        elif not found.active:
            conn.execute(
                update(case_units)
                .where(case_units.c.case_id == case_id, case_units.c.unit_code == code)
                .values(active=True, assigned_at=stamp)
            )


def _case_row(case: Case) -> dict[str, Any]:
    return {
        "title": case.title[:2000],
        "summary": case.summary,
        "origin": case.origin,
        "origin_id": case.origin_id,
        "story_id": case.story_id,
        "severity": str(case.severity),
        "status": str(case.status),
        "opened_by": case.opened_by,
        "opened_at": case.opened_at or datetime.now(UTC),
        "route_due_at": case.route_due_at,
        "answer_due_at": case.answer_due_at,
        "routed_at": case.routed_at,
    }


def _event_row(event: CaseEvent, case_id: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kind": event.kind,
        "actor": event.actor[:100],
        "body": event.body,
        "details": event.details,
        "at": event.at or datetime.now(UTC),
    }


def _responder_row(responder: Responder) -> dict[str, Any]:
    return {
        "code": responder.code,
        "name": responder.name,
        "name_en": responder.name_en,
        "kind": responder.kind,
        "contacts": list(responder.contacts),
        "units": list(responder.units),
        "updated_at": datetime.now(UTC),
    }


def story_links(store: Store, story_id: int, limit: int = 5) -> list[str]:
    """The web addresses of a story's first items (where it started), for a case opened about it."""
    query = (
        select(items.c.url)
        .join(enrichments, enrichments.c.item_id == items.c.id)
        .where(enrichments.c.story_id == story_id, items.c.url != "")
        .order_by(items.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [str(url) for url in conn.execute(query).scalars()]


def _responder(row: Any) -> Responder:
    return Responder(
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"],
        kind=row["kind"],
        contacts=tuple(row["contacts"] or ()),
        units=tuple(row["units"] or ()),
    )


def _performance(unit: str, rows: list[Any], at: datetime) -> UnitPerformance:
    answered = [
        (_when(r.opened_at), _when(r.answered_at), _when(r.answer_due_at)) for r in rows if r.answered_at
    ]
    hours = [(done - opened).total_seconds() / 3600 for opened, done, _ in answered]
    still_open = [r for r in rows if r.status in {str(s) for s in OPEN_STATUSES}]
    return UnitPerformance(
        unit=unit,
        assigned=len(rows),
        answered=len(answered),
        on_time=len([1 for _, done, due in answered if done <= due]),
        median_hours=round(statistics.median(hours), 2) if hours else None,
        open=len(still_open),
        overdue=len([1 for r in still_open if _when(r.answer_due_at) < at]),
    )


def _when(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
