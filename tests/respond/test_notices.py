"""Response notices through the delivery log, against real servers on loopback (SMTP and HTTP).

Case routed, case overdue and clarification published: each contact point gets its own delivery, sent in
parallel, retried with backoff, dead after the last try (or at once when it can never work), every attempt
logged; one failing contact holds up nobody else.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller

from civicpulse.config import Settings
from civicpulse.models import ClaimAnswer, Clarification, Severity
from civicpulse.respond.cases import Cases
from civicpulse.respond.clarifications import Clarifications
from civicpulse.respond.delivery import RetryPolicy
from civicpulse.respond.notice_queue import NoticeQueue
from civicpulse.respond.notices import Notice
from civicpulse.respond.notify_senders import SmtpOptions
from civicpulse.respond.sending import ContactSender
from civicpulse.respond.units import import_file
from civicpulse.store import Store
from civicpulse.store.notices import NoticeTables

from .conftest import THU_DUC
from .loopback import Hook, Inbox, body, subject

NOW = datetime(2025, 10, 5, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


def queue(store: Store, controller: Controller, clock: Clock, attempts: int = 3) -> NoticeQueue:
    smtp = SmtpOptions(host=controller.hostname, port=controller.port, sender="civicpulse@tphcm.gov.vn")
    made = NoticeQueue(store, ContactSender(smtp), policy=RetryPolicy(attempts, 10.0, 600.0), clock=clock)
    made.autostart = False  # the test drives `run_once`
    return made


def contacts(store: Store, tmp_path: Path, *points: str) -> None:
    path = tmp_path / "contacts.toml"
    path.write_text(
        f'[[unit]]\ncode = "{THU_DUC}"\ncontacts = {json.dumps(list(points))}\n', encoding="utf-8"
    )
    import_file(store, path)


def by_target(store: Store, kind: str) -> dict[str, dict[str, object]]:
    return {str(r["target"]): r for r in NoticeTables(store).deliveries(kind=kind)}


def test_a_routed_case_reaches_every_contact_and_failing_ones_retry_then_die(
    settings: Settings, store: Store, smtp_server: tuple[Controller, Inbox], hooks: list[Hook], tmp_path: Path
) -> None:
    controller, inbox = smtp_server
    inbox.refused = {"nobody@thuduc.example.vn"}
    good, broken = Hook([200]), Hook([500])
    hooks += [good, broken]
    contacts(
        store,
        tmp_path,
        "mailto:ubnd@thuduc.example.vn",
        "mailto:nobody@thuduc.example.vn",
        good.url,
        broken.url,
    )
    clock = Clock()
    notices = queue(store, controller, clock)
    case, _ = Cases(store, settings, notices, clock).open(
        title="Ngập sâu ở phường Thủ Đức", origin="manual", actor="analyst", units=[THU_DUC]
    )
    assert inbox.messages == [] and good.received == [], "sending waits for the queue"
    assert notices.run_once() == 4
    [mail] = inbox.to("ubnd@thuduc.example.vn")
    assert f"#{case.id}" in subject(mail) and "Thủ Đức" in body(mail)
    assert json.loads(good.received[0][1])["data"]["case_id"] == case.id
    rows = by_target(store, "case.assigned")
    assert rows["mailto:ubnd@thuduc.example.vn"]["status"] == "sent"
    assert rows[good.url]["status"] == "sent"
    # A mailbox the server refuses for good (550) is dead at once; a webhook answering 500 is retried.
    assert rows["mailto:nobody@thuduc.example.vn"]["status"] == "dead"
    assert "No such mailbox" in str(rows["mailto:nobody@thuduc.example.vn"]["last_error"])
    assert rows[broken.url]["status"] == "pending"
    assert notices.run_once() == 0, "the retry waits for its backoff"
    clock.at += timedelta(seconds=10)
    assert notices.run_once() == 1
    clock.at += timedelta(seconds=20)
    assert notices.run_once() == 1
    dead = by_target(store, "case.assigned")[broken.url]
    assert dead["status"] == "dead" and dead["attempts"] == 3
    log = NoticeTables(store).log(int(str(dead["id"])))
    assert [(a["attempt"], a["outcome"], a["code"]) for a in log] == [(i, "failed", 500) for i in (1, 2, 3)]
    assert len(broken.received) == 3 and len(good.received) == 1 and len(inbox.to("ubnd@")) == 1


def test_overdue_escalations_go_through_the_delivery_log(
    settings: Settings, store: Store, smtp_server: tuple[Controller, Inbox], tmp_path: Path
) -> None:
    controller, inbox = smtp_server
    contacts(store, tmp_path, "mailto:ubnd@thuduc.example.vn")
    configured = settings.model_copy(update={"escalation_contacts": ["mailto:vanphong@tphcm.example.vn"]})
    clock = Clock()
    notices = queue(store, controller, clock)
    cases = Cases(store, configured, notices, clock)
    case, _ = cases.open(
        title="Sạt lở bờ sông", origin="manual", actor="analyst", units=[THU_DUC], severity=Severity.CRITICAL
    )
    clock.at += timedelta(hours=25)
    assert [c.id for c in cases.escalate_overdue()] == [case.id]
    notices.run_once()
    rows = by_target(store, "case.overdue")
    assert set(rows) == {"mailto:ubnd@thuduc.example.vn", "mailto:vanphong@tphcm.example.vn"}
    assert {r["status"] for r in rows.values()} == {"sent"}
    assert "quá hạn" in subject(inbox.to("vanphong@tphcm.example.vn")[0])


def test_portal_subscribers_get_the_published_clarification(
    settings: Settings, store: Store, smtp_server: tuple[Controller, Inbox], hooks: list[Hook]
) -> None:
    controller, inbox = smtp_server
    hook = Hook([200])
    hooks.append(hook)
    subscribers = ["mailto:bao@press.example.vn", hook.url, "fax:0283829"]
    configured = settings.model_copy(update={"portal_subscribers": subscribers})
    notices = queue(store, controller, Clock())
    desk = Clarifications(store, configured, notices)
    draft = desk.save(
        Clarification(
            title_vi="Không có chuyện vỡ đê ở Thủ Đức",
            body_vi="UBND phường Thủ Đức khẳng định đê bao vẫn an toàn.",
            claims=(ClaimAnswer(text="Đê bao Thủ Đức đã vỡ", verdict="false"),),
        ),
        "press-office",
    )
    desk.publish(draft.id or 0, "press-office")
    notices.run_once()
    rows = by_target(store, "clarification.published")
    assert rows["mailto:bao@press.example.vn"]["status"] == "sent"
    assert rows[hook.url]["status"] == "sent"
    assert json.loads(hook.received[0][1])["link"].endswith(f"/portal/{draft.id}")
    assert "vỡ đê" in subject(inbox.to("bao@press.example.vn")[0])
    # A contact that is no address at all is kept, dead at once, with what is wrong.
    assert rows["fax:0283829"]["status"] == "dead" and "not a mailto:" in str(
        rows["fax:0283829"]["last_error"]
    )


def test_the_queue_thread_delivers_without_being_asked(
    store: Store, smtp_server: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp_server
    smtp = SmtpOptions(host=controller.hostname, port=controller.port)
    notices = NoticeQueue(store, ContactSender(smtp), poll_s=0.2)
    try:
        notices.send(
            ["mailto:a@example.vn", "mailto:a@example.vn"], Notice(kind="test", subject="Xin chào", text="x")
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not inbox.messages:
            time.sleep(0.05)
    finally:
        notices.stop()
    assert len(inbox.to("a@example.vn")) == 1, "a duplicate contact is sent to once"
    assert [r["status"] for r in NoticeTables(store).deliveries(kind="test")] == ["sent"]
