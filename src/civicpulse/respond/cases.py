"""Cases: open from an alert, story, claim or field report; route to units with SLA deadlines; answer; close.

The life of a case, in one table (`TRANSITIONS`)::

    new ──assign──> assigned ──> in_progress ──> answered ──> closed
     │                 │              │              │          │
     └───── close ─────┴──────────────┘              └─reopen─> in_progress <─reopen─┘

Assigning units to a new case routes it (`assigned`); a hand-off moves it from one unit to another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from civicpulse.config import Settings
from civicpulse.errors import InputError
from civicpulse.models import Attachment, Case, CaseEvent, CaseStatus, Severity
from civicpulse.respond.files import keep_file
from civicpulse.respond.notices import Notice, Notifier, Outbox
from civicpulse.respond.units import Directory, directory
from civicpulse.store import Store
from civicpulse.store.activity import story_unit_counts
from civicpulse.store.claims import ClaimTables
from civicpulse.store.detection import DetectionTables
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.store.response import ResponseTables, UnitPerformance, story_links
from civicpulse.store.stories import StoryTables
from civicpulse.understand.places import unit_codes

S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.ASSIGNED, S.CLOSED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ANSWERED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.ANSWERED, S.CLOSED}),
    S.ANSWERED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}
OPEN = (S.NEW, S.ASSIGNED, S.IN_PROGRESS)
# A unit named by at least this share of the most-named unit's items is routed the case too.
STORY_UNIT_SHARE = 0.5
ORIGINS = ("alert", "story", "claim", "field_report", "manual")
# An alert that escalated further is more urgent: its level (1-4) sets the case's default severity.
ALERT_SEVERITY = {1: Severity.NORMAL, 2: Severity.HIGH, 3: Severity.CRITICAL, 4: Severity.CRITICAL}
TITLE_CHARS = 200


class CaseError(InputError):
    """A case action that is not allowed now; the message says why and what is allowed."""


def check_transition(case: Case, to: CaseStatus) -> None:
    """Raise `CaseError` unless `case` may move to `to`."""
    allowed = TRANSITIONS[case.status]
    if to in allowed:
        return
    names = ", ".join(sorted(str(s) for s in allowed)) or "nothing"
    raise CaseError(f"case {case.id} is {case.status}; it can move to {names}, not to {to}")


class Cases:
    """Opens, routes and moves cases; notifies the units concerned; escalates overdue ones once."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.settings = settings
        self.tables = ResponseTables(store)
        self.notifier: Notifier = notifier or Outbox()
        self.clock = clock
        self._directory: Directory | None = None

    @property
    def directory(self) -> Directory:
        if self._directory is None:
            self._directory = directory(self.store)
        return self._directory

    # -- opening -------------------------------------------------------------------------------------

    def deadlines(self, severity: Severity, opened_at: datetime) -> tuple[datetime, datetime]:
        """Return (route by, answer by) for a case of `severity` opened at `opened_at`."""
        route = self.settings.sla_route_minutes.get(str(severity), 5)
        answer = self.settings.sla_answer_hours.get(str(severity), 120)
        return opened_at + timedelta(minutes=route), opened_at + timedelta(hours=answer)

    def open(
        self,
        *,
        title: str,
        origin: str,
        actor: str,
        origin_id: int | None = None,
        story_id: int | None = None,
        units: Sequence[str] = (),
        severity: Severity = Severity.NORMAL,
        summary: str = "",
    ) -> tuple[Case, bool]:
        """Open a case (routed at once when units are given); a story's open case is returned, not doubled."""
        if origin not in ORIGINS:
            raise CaseError(f"a case comes from one of {', '.join(ORIGINS)}, not {origin!r}")
        if not title.strip():
            raise CaseError("a case needs a title; say in a few words what it is about")
        codes = self._known(units)
        opened = self.clock()
        route_due, answer_due = self.deadlines(severity, opened)
        case = Case(
            title=title.strip(),
            summary=summary.strip(),
            origin=origin,
            origin_id=origin_id,
            story_id=story_id,
            severity=severity,
            status=S.ASSIGNED if codes else S.NEW,
            units=codes,
            opened_by=actor,
            opened_at=opened,
            route_due_at=route_due,
            answer_due_at=answer_due,
            routed_at=opened if codes else None,
        )
        event = CaseEvent(
            case_id=0, kind="opened", actor=actor, details={"origin": origin, "units": list(codes)}
        )
        stored, created = self.tables.open_case(case, event)
        if created and codes:
            self._notify_assigned(stored, codes)
        return stored, created

    def open_from_story(
        self,
        story_id: int,
        actor: str,
        *,
        severity: Severity = Severity.NORMAL,
        units: Sequence[str] | None = None,
    ) -> tuple[Case, bool]:
        """Open a case about a story, routed by default to the units the story is about, with its links."""
        story = StoryTables(self.store).story(story_id)
        if story is None:
            raise CaseError(f"there is no story {story_id}; pick one from the stories list")
        chosen = list(units) if units is not None else self.story_units(story_id, story.units)
        return self.open(
            title=short_title(story.label) or f"Story {story_id}",
            origin="story",
            origin_id=story_id,
            story_id=story_id,
            units=chosen,
            severity=severity,
            actor=actor,
            summary=with_links(", ".join(story.key_phrases), story_links(self.store, story_id)),
        )

    def open_from_alert(
        self,
        alert_id: int,
        actor: str,
        *,
        severity: Severity | None = None,
        units: Sequence[str] | None = None,
    ) -> tuple[Case, bool]:
        """Open a case from an alert: about its story when it has one, routed to the units it is about.

        The title is the story's label (else the alert's headline); the severity follows the alert's level.
        """
        alert = DetectionTables(self.store).alert(alert_id)
        if alert is None:
            raise CaseError(f"there is no alert {alert_id}; see `civicpulse alerts list`")
        subject = str(alert["subject_id"])
        story_id = int(subject) if alert["subject_kind"] == "story" and subject.isdigit() else None
        story = StoryTables(self.store).story(story_id) if story_id is not None else None
        if units is None:
            named = self.story_units(story_id, story.units) if story_id is not None and story else []
            units = named or [c for c in alert_unit_codes(alert) if self.directory.get(c)][:3]
        headline = str(alert.get("headline") or "")
        return self.open(
            title=short_title(story.label if story else "") or short_title(headline) or f"Alert {alert_id}",
            origin="alert",
            origin_id=alert_id,
            story_id=story_id if story else None,
            units=units,
            severity=severity or ALERT_SEVERITY.get(int(alert["level"]), Severity.HIGH),
            actor=actor,
            summary=with_links(headline, story_links(self.store, story.id or 0) if story else []),
        )

    def open_from_claim(
        self,
        claim_id: int,
        actor: str,
        *,
        severity: Severity = Severity.NORMAL,
        units: Sequence[str] | None = None,
    ) -> tuple[Case, bool]:
        """Open a case to answer a claim, routed to the units of the stories that repeat it, with its links.

        The claim's own case is separate from its stories' cases: a false claim is answered once, city-wide.
        """
        claims = ClaimTables(self.store)
        claim = claims.get(claim_id)
        if claim is None:
            raise CaseError(f"there is no claim {claim_id}; see `civicpulse claims list`")
        if units is None:
            linked = claims.stories(claim_id)
            ranked = sorted(linked, key=lambda sid: (-linked[sid], sid))[:3]
            units = list(dict.fromkeys(code for sid in ranked for code in self.story_units(sid)))[:3]
        links = [claim.review_url, *claim.appearances]
        return self.open(
            title=short_title(claim.text),
            origin="claim",
            origin_id=claim_id,
            units=units,
            severity=severity,
            actor=actor,
            summary=with_links(claim.summary or claim.text, [u for u in links if u]),
        )

    def story_units(self, story_id: int, named: tuple[str, ...] = ()) -> list[str]:
        """The units a story is about: its own, else those most of its items name (at most three)."""
        if named:
            return sorted(unit_codes(named))
        counts = story_unit_counts(self.store, story_id)
        total = max(counts.values(), default=0)
        ranked = sorted(counts, key=lambda code: (-counts[code], code))
        return [code for code in ranked if counts[code] >= STORY_UNIT_SHARE * total][:3]

    def open_from_field_report(
        self, report_id: int, actor: str, *, severity: Severity = Severity.NORMAL, story_id: int | None = None
    ) -> tuple[Case, bool]:
        """Open a case from a collaborator's report, routed to the report's unit; the report is attached."""
        reports = FieldReportTables(self.store)
        report = reports.report(report_id)
        if report is None:
            raise CaseError(f"there is no field report {report_id}")
        case, created = self.open(
            title=short_title(report.text.split("\n", 1)[0]) or f"Field report {report_id}",
            origin="field_report",
            origin_id=report_id,
            story_id=story_id,
            units=[report.unit] if report.unit else [],
            severity=severity,
            actor=actor,
            summary=report.text,
        )
        self.attach_report(case.id or 0, report_id, actor)
        return case, created

    def attach_report(self, case_id: int, report_id: int, actor: str) -> None:
        """Link a field report to a case (the case shows it to the case's units)."""
        self._case(case_id)
        FieldReportTables(self.store).update(report_id, case_id=case_id)
        self.tables.add_event(
            CaseEvent(case_id=case_id, kind="report", actor=actor, details={"field_report": report_id})
        )

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


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    """The first line of `text`, cut at a word boundary with an ellipsis when longer than `limit`."""
    line = " ".join(text.strip().split("\n", 1)[0].split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] or line[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def with_links(summary: str, links: Sequence[str]) -> str:
    """A case summary followed by its source links, one per line (the case page shows them)."""
    unique = list(dict.fromkeys(links))
    if not unique:
        return summary.strip()
    return (summary.strip() + "\n\nLiên kết / Links:\n" + "\n".join(unique)).strip()


def alert_unit_codes(alert: dict[str, object]) -> list[str]:
    """Unit codes an alert touches: its subject if a unit, then the places its items name."""
    codes: list[str] = []
    if alert["subject_kind"] == "unit":
        codes += str(alert["subject_id"]).split("|")
    explanation = alert.get("explanation")
    places = explanation.get("places") if isinstance(explanation, dict) else None
    for place in places or []:
        codes += [c for c in str(place).split("|") if c and c not in codes]
    return codes
