"""Cases: opening, routing by the story's units, SLA deadlines, transitions, hand-offs, escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicpulse.config import Settings
from civicpulse.models import CaseStatus, Severity
from civicpulse.respond.cases import TRANSITIONS, CaseError, Cases, short_title
from civicpulse.respond.notices import Outbox
from civicpulse.respond.units import import_file
from civicpulse.store import Store
from civicpulse.store.claims import Claim, ClaimTables
from civicpulse.store.detection import DetectionTables
from civicpulse.store.response import ResponseTables
from civicpulse.store.stories import StoryTables

from .conftest import THU_DUC

NOW = datetime(2025, 10, 5, 1, 0, tzinfo=UTC)


class Clock:
    """A clock tests move by hand (no wall-clock assertions)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def cases(settings: Settings, store: Store, outbox: Outbox, clock: Clock, tmp_path) -> Cases:  # type: ignore[no-untyped-def]
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(
        f'[[unit]]\ncode = "{THU_DUC}"\ncontacts = ["mailto:thuduc@example.vn"]\n'
        '[[organisation]]\ncode = "so-xay-dung"\nname = "Sở Xây dựng"\nkind = "department"\n'
        'contacts = ["mailto:soxd@example.vn"]\n',
        encoding="utf-8",
    )
    import_file(store, contacts)
    return Cases(store, settings, outbox, clock)


def test_a_story_case_is_routed_to_the_story_units_with_sla_deadlines(
    cases: Cases, flood_story: int, outbox: Outbox
) -> None:
    case, created = cases.open_from_story(flood_story, "analyst", severity=Severity.HIGH)
    assert created
    assert case.units == (THU_DUC,)
    assert case.status == CaseStatus.ASSIGNED
    assert case.route_due_at == NOW + timedelta(minutes=5)
    assert case.answer_due_at == NOW + timedelta(hours=72)
    assert [(c, n.kind) for c, n in outbox.sent] == [(("mailto:thuduc@example.vn",), "case.assigned")]


def test_one_open_case_per_story(cases: Cases, flood_story: int) -> None:
    first, _ = cases.open_from_story(flood_story, "analyst")
    again, created = cases.open_from_story(flood_story, "someone-else")
    assert not created and again.id == first.id
    assert ResponseTables(cases.store).open_case_for_story(flood_story) == first
    cases.transition(first.id or 0, "closed", "analyst")
    assert ResponseTables(cases.store).open_case_for_story(flood_story) is None
    second, created = cases.open_from_story(flood_story, "analyst")
    assert created and second.id != first.id
    with pytest.raises(CaseError, match="already has another open case"):
        cases.transition(first.id or 0, "in_progress", "analyst")


def test_the_life_of_a_case(cases: Cases, clock: Clock, flood_story: int) -> None:
    case, _ = cases.open(title="Ngập ở Thủ Đức", origin="manual", actor="analyst")
    assert case.status == CaseStatus.NEW
    case = cases.assign(case.id or 0, [THU_DUC], "analyst")
    assert case.status == CaseStatus.ASSIGNED and case.routed_at == NOW
    case = cases.transition(case.id or 0, "in_progress", "officer")
    cases.note(case.id or 0, "officer", "Đã cử cán bộ xuống hiện trường")
    clock.at = NOW + timedelta(hours=30)
    case = cases.transition(case.id or 0, "answered", "officer", "Đã trả lời người dân")
    assert case.answered_at == clock.at
    case = cases.transition(case.id or 0, "closed", "analyst")
    case = cases.transition(case.id or 0, "in_progress", "analyst", "reopened: new reports")
    assert case.answered_at is None and case.closed_at is None
    kinds = [e.kind for e in ResponseTables(cases.store).events(case.id or 0)]
    assert kinds == ["opened", "assign", "status", "note", "status", "status", "reopen"]


@pytest.mark.parametrize(("start", "to"), [("new", "answered"), ("assigned", "new"), ("closed", "answered")])
def test_invalid_transitions_are_refused_with_a_clear_message(cases: Cases, start: str, to: str) -> None:
    case, _ = cases.open(title="x", origin="manual", actor="a", units=[THU_DUC] if start != "new" else [])
    if start == "closed":
        cases.transition(case.id or 0, "closed", "a")
    with pytest.raises(CaseError, match=f"it can move to .*not to {to}"):
        cases.transition(case.id or 0, to, "a")


def test_the_transition_table_has_every_status_and_reopen() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    assert CaseStatus.IN_PROGRESS in TRANSITIONS[CaseStatus.CLOSED]


def test_handoff_moves_the_case_and_keeps_history(cases: Cases, outbox: Outbox) -> None:
    case, _ = cases.open(title="Đường hư hỏng", origin="manual", actor="a", units=[THU_DUC])
    case = cases.handoff(case.id or 0, THU_DUC, "so-xay-dung", "officer", "thuộc thẩm quyền Sở")
    assert case.units == ("so-xay-dung",)
    assert ResponseTables(cases.store).past_units(case.id or 0) == [THU_DUC]
    assert outbox.sent[-1][0] == ("mailto:soxd@example.vn",)
    with pytest.raises(CaseError, match="is not on case"):
        cases.handoff(case.id or 0, THU_DUC, "so-y-te", "officer")


def test_unknown_units_are_refused(cases: Cases) -> None:
    with pytest.raises(CaseError, match="unknown unit 99999"):
        cases.open(title="x", origin="manual", actor="a", units=["99999"])


def test_overdue_cases_are_escalated_once(cases: Cases, clock: Clock, outbox: Outbox) -> None:
    case, _ = cases.open(title="x", origin="manual", actor="a", units=[THU_DUC], severity=Severity.CRITICAL)
    assert cases.escalate_overdue() == []
    clock.at = NOW + timedelta(hours=25)
    assert [c.id for c in cases.escalate_overdue()] == [case.id]
    assert outbox.sent[-1][1].kind == "case.overdue"
    assert cases.escalate_overdue() == []


def test_attachments_are_checked_and_kept(cases: Cases, settings: Settings) -> None:
    case, _ = cases.open(title="x", origin="manual", actor="a", units=[THU_DUC])
    kept = cases.attach(case.id or 0, "../../etc/statement.pdf", b"%PDF-1.4 statement", "officer")
    assert kept.filename == "statement.pdf" and kept.content_type == "application/pdf"
    assert (settings.data_dir / kept.path).read_bytes() == b"%PDF-1.4 statement"
    with pytest.raises(CaseError.__mro__[1], match="not accepted"):
        cases.attach(case.id or 0, "x.exe", b"MZ\x90\x00\x03\x00\xff\xfe", "officer")


def test_performance_counts_on_time_and_median(cases: Cases, clock: Clock) -> None:
    late, _ = cases.open(
        title="late", origin="manual", actor="a", units=[THU_DUC], severity=Severity.CRITICAL
    )
    quick, _ = cases.open(
        title="quick", origin="manual", actor="a", units=[THU_DUC], severity=Severity.CRITICAL
    )
    clock.at = NOW + timedelta(hours=10)
    cases.transition(quick.id or 0, "answered", "o")
    clock.at = NOW + timedelta(hours=30)
    cases.transition(late.id or 0, "answered", "o")
    (row,) = cases.performance()
    assert (row.unit, row.assigned, row.answered, row.on_time, row.median_hours) == (THU_DUC, 2, 2, 1, 20.0)
    assert row.on_time_rate == 0.5


def make_alert(store: Store, story_id: int, level: int) -> int:
    headline = f"story {story_id}: 24 items in the last hour"
    row = {
        "subject_kind": "story",
        "subject_id": str(story_id),
        "scope": "default",
        "status": "new",
        "level": level,
        "score": 0.9,
        "headline": headline,
        "explanation": {"headline": headline, "places": [THU_DUC]},
        "opened_at": NOW,
        "escalated_at": None,
        "feedback": "",
    }
    alert_id: int = DetectionTables(store).save([], [row], [], None)[0]
    return alert_id


def test_a_case_from_an_alert_copies_the_story_title_units_and_links(
    cases: Cases, store: Store, flood_story: int
) -> None:
    alert_id = make_alert(store, flood_story, level=3)
    case, created = cases.open_from_alert(alert_id, "analyst")
    story = StoryTables(store).story(flood_story)
    assert created and story is not None
    assert (case.origin, case.origin_id, case.story_id) == ("alert", alert_id, flood_story)
    assert case.title == short_title(story.label) and case.title
    assert case.units == (THU_DUC,) and case.severity == Severity.CRITICAL  # level 3
    assert "https://bao.example.vn/ngap-thu-duc-0" in case.summary
    # The story already has this case: a second alert about it finds the case instead of doubling it.
    again, created = cases.open_from_alert(make_alert(store, flood_story, level=1), "analyst2")
    assert not created and again.id == case.id
    with pytest.raises(CaseError, match="no alert 999"):
        cases.open_from_alert(999, "analyst")


def test_a_case_from_a_claim_goes_to_the_units_of_the_stories_repeating_it(
    cases: Cases, store: Store, flood_story: int
) -> None:
    claims = ClaimTables(store)
    claim, _ = claims.add(
        Claim(
            text="Đê bao ở phường Thủ Đức đã vỡ, nước sẽ ngập cả khu trong đêm nay " * 4,
            verdict="false",
            review_url="https://factcheck.example.vn/de-bao-thu-duc",
            appearances=("https://mxh.example.vn/p/1",),
        )
    )
    for item in store.search("Ngập sâu ở phường Thủ Đức")[:2]:
        claims.decide(item.id or 0, claim.id or 0, "linked", "analyst")
    case, _ = cases.open_from_claim(claim.id or 0, "analyst")
    assert (case.origin, case.origin_id, case.story_id) == ("claim", claim.id, None)
    assert case.title.startswith("Đê bao ở phường Thủ Đức đã vỡ") and case.title.endswith("…")
    assert len(case.title) <= 200
    assert case.units == (THU_DUC,)
    assert "https://factcheck.example.vn/de-bao-thu-duc" in case.summary
    assert "https://mxh.example.vn/p/1" in case.summary
    lonely, _ = claims.add(Claim(text="Giá điện tăng gấp đôi từ tháng sau", verdict="false"))
    unrouted, _ = cases.open_from_claim(lonely.id or 0, "analyst")
    assert unrouted.units == () and unrouted.status == CaseStatus.NEW


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Ngập  sâu\nchi tiết", "Ngập sâu"), ("a " * 150, ("a " * 99).strip() + "…"), ("", "")],
)
def test_short_titles_are_one_line_cut_at_a_word(text: str, expected: str) -> None:
    assert short_title(text) == expected
