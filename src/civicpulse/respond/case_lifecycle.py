"""The life of a case after it is opened: routing to units, hand-offs, status moves, notes, files, deadlines.

The moves, in one table (`TRANSITIONS`)::

    new ──assign──> assigned ──> in_progress ──> answered ──> closed
     │                 │              │              │          │
     └───── close ─────┴──────────────┘              └─reopen─> in_progress <─reopen─┘

Assigning units to a new case routes it (`assigned`); a hand-off moves it from one unit to another. Opening a
case (from an alert, story, claim or field report) is `respond.cases.Cases`, which builds on `CaseLifecycle`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from civicpulse.config import Settings
from civicpulse.errors import InputError
from civicpulse.models import Attachment, Case, CaseEvent, CaseStatus
from civicpulse.respond.files import keep_file
from civicpulse.respond.notices import Notice, Notifier
from civicpulse.respond.units import Directory, directory
from civicpulse.store import Store
from civicpulse.store.response import ResponseTables, UnitPerformance

S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.ASSIGNED, S.CLOSED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ANSWERED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.ANSWERED, S.CLOSED}),
    S.ANSWERED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}
OPEN = (S.NEW, S.ASSIGNED, S.IN_PROGRESS)


class CaseError(InputError):
    """A case action that is not allowed now; the message says why and what is allowed."""


def check_transition(case: Case, to: CaseStatus) -> None:
    """Raise `CaseError` unless `case` may move to `to`."""
    allowed = TRANSITIONS[case.status]
    if to in allowed:
        return
    names = ", ".join(sorted(str(s) for s in allowed)) or "nothing"
    raise CaseError(f"case {case.id} is {case.status}; it can move to {names}, not to {to}")


class CaseLifecycle:
    """Routes and moves opened cases; notifies the units concerned; escalates overdue ones once.

    The state is set by `Cases.__init__` (the one class callers make).
    """

    store: Store
    settings: Settings
    tables: ResponseTables
    notifier: Notifier
    clock: Callable[[], datetime]
    _directory: Directory | None

    @property
    def directory(self) -> Directory:
        if self._directory is None:
            self._directory = directory(self.store)
        return self._directory

    # -- routing and status --------------------------------------------------------------------------

    def assign(self, case_id: int, units: Sequence[str], actor: str) -> Case:
        """Add units to a case; a new case becomes `assigned` (routed)."""
        case = self._case(case_id)
        if case.status == S.CLOSED:
            raise CaseError(f"case {case_id} is closed; reopen it before assigning units")
        codes = tuple(c for c in self._known(units) if c not in case.units)
        if not codes:
            raise CaseError("choose at least one unit that is not already on the case")
        values: dict[str, object] = {}
        if case.status == S.NEW:
            values = {"status": str(S.ASSIGNED), "routed_at": self.clock()}
        event = CaseEvent(case_id=case_id, kind="assign", actor=actor, details={"units": list(codes)})
        updated = self.tables.change_units(case_id, codes, (), values, event)
        self._notify_assigned(updated, codes)
        return updated

    def handoff(self, case_id: int, from_unit: str, to_unit: str, actor: str, note: str = "") -> Case:
        """Move a case from one unit to another (the first keeps it in its history, not its list)."""
        case = self._case(case_id)
        if from_unit not in case.units:
            raise CaseError(
                f"unit {from_unit} is not on case {case_id}; it holds {', '.join(case.units) or 'none'}"
            )
        (target,) = self._known([to_unit])
        if target in case.units:
            raise CaseError(f"unit {target} already holds case {case_id}")
        details = {"from": from_unit, "to": target}
        event = CaseEvent(case_id=case_id, kind="handoff", actor=actor, body=note.strip(), details=details)
        updated = self.tables.change_units(case_id, (target,), (from_unit,), {}, event)
        self._notify_assigned(updated, (target,))
        return updated

    def transition(self, case_id: int, to: CaseStatus | str, actor: str, note: str = "") -> Case:
        """Move a case to `to` if the transition table allows it; answering and closing stamp the time."""
        case = self._case(case_id)
        try:
            target = CaseStatus(to)
        except ValueError:
            raise CaseError(f"{to!r} is not a status; use one of {', '.join(s.value for s in S)}") from None
        check_transition(case, target)
        if target == S.ASSIGNED and not case.units:
            raise CaseError(f"case {case_id} has no unit yet; assign one to route it")
        now = self.clock()
        values: dict[str, object] = {"status": str(target)}
        if target == S.ANSWERED:
            values["answered_at"] = now
        elif target == S.CLOSED:
            values |= {"closed_at": now, "open_story_id": None}
        elif case.status in (S.ANSWERED, S.CLOSED):  # reopen
            values |= {"answered_at": None, "closed_at": None, "open_story_id": case.story_id}
            if case.story_id is not None and self._other_open(case):
                raise CaseError(f"story {case.story_id} already has another open case; work on that one")
        kind = "reopen" if case.status in (S.ANSWERED, S.CLOSED) and target == S.IN_PROGRESS else "status"
        event = CaseEvent(
            case_id=case_id,
            kind=kind,
            actor=actor,
            body=note.strip(),
            details={"from": case.status, "to": target},
        )
        return self.tables.update_case(case_id, values, event)

    def note(self, case_id: int, actor: str, body: str) -> None:
        """Add a note to a case's history."""
        self._case(case_id)
        if not body.strip():
            raise CaseError("the note is empty; write what happened or what you found")
        self.tables.add_event(CaseEvent(case_id=case_id, kind="note", actor=actor, body=body.strip()))

    def attach(self, case_id: int, filename: str, data: bytes, actor: str) -> Attachment:
        """Keep a file with a case (size and real type checked) and log it."""
        self._case(case_id)
        kept = keep_file(
            data,
            root=self.settings.data_dir,
            folder=f"attachments/case-{case_id}",
            allowed=set(self.settings.attachment_types),
            max_bytes=int(self.settings.attachment_max_mb * 1024 * 1024),
        )
        name = Path(filename or "file").name[:300]
        attachment = Attachment(
            case_id=case_id,
            filename=name,
            content_type=kept.content_type,
            size=kept.size,
            path=kept.path,
            sha256=kept.sha256,
            uploaded_by=actor,
        )
        event = CaseEvent(
            case_id=case_id, kind="attachment", actor=actor, body=name, details={"sha256": kept.sha256}
        )
        return self.tables.add_attachment(attachment, event)

    # -- deadlines -----------------------------------------------------------------------------------

    def escalate_overdue(self) -> list[Case]:
        """Notify the units (and the escalation contacts) of every newly overdue case, once each."""
        now = self.clock()
        escalated = []
        for case in self.tables.overdue(now):
            late = (
                "route"
                if case.status == S.NEW and case.route_due_at and case.route_due_at < now
                else "answer"
            )
            event = CaseEvent(
                case_id=case.id or 0, kind="escalation", actor="civicpulse", details={"late": late}
            )
            updated = self.tables.update_case(case.id or 0, {"escalated_at": now}, event)
            contacts = self.directory.contacts(list(case.units)) + list(self.settings.escalation_contacts)
            if contacts:
                self.notifier.send(list(dict.fromkeys(contacts)), self._notice("case.overdue", updated))
            escalated.append(updated)
        return escalated

    def performance(self, since: datetime | None = None) -> list[UnitPerformance]:
        return self.tables.performance(self.clock(), since)

    # -- helpers -------------------------------------------------------------------------------------

    def _case(self, case_id: int) -> Case:
        case = self.tables.case(case_id)
        if case is None:
            raise CaseError(f"there is no case {case_id}; see the list of cases")
        return case

    def _other_open(self, case: Case) -> bool:
        other = self.tables.open_case_for_story(case.story_id or 0)
        return other is not None and other.id != case.id

    def _known(self, units: Sequence[str]) -> tuple[str, ...]:
        codes = tuple(dict.fromkeys(u.strip() for u in units if u.strip()))
        unknown = [c for c in codes if self.directory.get(c) is None]
        if unknown:
            raise CaseError(f"unknown unit {', '.join(unknown)}; see `civicpulse units list` for the codes")
        return codes

    def _notify_assigned(self, case: Case, codes: Sequence[str]) -> None:
        contacts = self.directory.contacts(list(codes))
        if contacts:
            self.notifier.send(contacts, self._notice("case.assigned", case))

    def _notice(self, kind: str, case: Case) -> Notice:
        units = ", ".join(self.directory.name(c) for c in case.units)
        due = case.answer_due_at.isoformat(timespec="minutes") if case.answer_due_at else ""
        head = {"case.assigned": "Vụ việc mới được giao", "case.overdue": "Vụ việc quá hạn"}[kind]
        return Notice(
            kind=kind,
            subject=f"[civicpulse] {head} #{case.id}: {case.title[:120]}",
            text=f"{case.title}\n\nĐơn vị / Units: {units}\nHạn trả lời / Answer by: {due}\n"
            f"Mức độ / Severity: {case.severity}\n\n{case.summary[:1000]}",
            link=f"{self.settings.public_url.rstrip('/')}/cases/{case.id}",
            data={"case_id": case.id, "status": str(case.status), "units": list(case.units)},
        )
