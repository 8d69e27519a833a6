"""Cases: open one from an alert, story, claim or field report (titled, linked and routed to its units).

What happens to a case after that (routing, status moves, deadlines) is `respond.case_lifecycle`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from civicpulse.config import Settings
from civicpulse.models import Case, CaseEvent, CaseStatus, Severity
from civicpulse.respond.case_lifecycle import OPEN, TRANSITIONS, CaseError, CaseLifecycle, check_transition
from civicpulse.respond.notices import Notifier, Outbox
from civicpulse.store import Store
from civicpulse.store.activity import story_unit_counts
from civicpulse.store.claims import ClaimTables
from civicpulse.store.detection import DetectionTables
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.store.response import ResponseTables, story_links
from civicpulse.store.stories import StoryTables
from civicpulse.understand.places import unit_codes

__all__ = ["OPEN", "TRANSITIONS", "CaseError", "Cases", "check_transition", "short_title", "with_links"]

S = CaseStatus
# A unit named by at least this share of the most-named unit's items is routed the case too.
STORY_UNIT_SHARE = 0.5
ORIGINS = ("alert", "story", "claim", "field_report", "manual")
# An alert that escalated further is more urgent: its level (1-4) sets the case's default severity.
ALERT_SEVERITY = {1: Severity.NORMAL, 2: Severity.HIGH, 3: Severity.CRITICAL, 4: Severity.CRITICAL}
TITLE_CHARS = 200


class Cases(CaseLifecycle):
    """Opens cases from what the city saw; routing and status moves are inherited (`CaseLifecycle`)."""

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
        self._directory = None

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
