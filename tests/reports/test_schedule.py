"""The morning briefings on schedule: the city's and each unit's PDF, e-mailed through the delivery log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from civicpulse.config import Settings
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.reports.schedule import DailyJobs
from civicpulse.respond.cases import Cases
from civicpulse.respond.delivery import RetryPolicy
from civicpulse.respond.notice_queue import NoticeQueue
from civicpulse.respond.notify_senders import SmtpOptions
from civicpulse.respond.sending import ContactSender
from civicpulse.respond.units import import_file
from civicpulse.store import Store
from civicpulse.store.notices import NoticeTables
from tests.respond.conftest import THU_DUC, replay_flood
from tests.respond.loopback import Inbox, attachments, smtp_on_loopback, subject

STREAM_START = datetime(2025, 10, 1, 17, tzinfo=UTC)  # 00:00 on 2 October, city time
MORNING = datetime(2025, 10, 3, 1, 30, tzinfo=UTC)  # 08:30 on 3 October, city time


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    with smtp_on_loopback() as running:
        yield running


def test_the_tick_makes_the_unit_briefings_and_mails_them(
    settings: Settings, store: Store, smtp_server: tuple[Controller, Inbox], tmp_path: Path
) -> None:
    controller, inbox = smtp_server
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(
        f'[[unit]]\ncode = "{THU_DUC}"\ncontacts = ["mailto:ubnd@thuduc.example.vn"]\n'
        '[[unit]]\ncode = "26734"\ncontacts = ["mailto:ubnd@saigon.example.vn"]\n',
        encoding="utf-8",
    )
    import_file(store, contacts)
    configured = settings.model_copy(
        update={"briefing_subscribers": ["mailto:vanphong@tphcm.example.vn"], "briefing_hour": 7}
    )
    story = replay_flood(configured, store, lay_pipe(configured, store), start=STREAM_START)
    smtp = SmtpOptions(host=controller.hostname, port=controller.port)
    notices = NoticeQueue(store, ContactSender(smtp), policy=RetryPolicy(3), clock=lambda: MORNING)
    notices.autostart = False
    cases = Cases(store, configured, notices, clock=lambda: datetime(2025, 10, 2, 3, tzinfo=UTC))
    cases.open_from_story(story, "analyst")
    jobs = DailyJobs(configured, store, cases, notices)

    assert "briefing 2025-10-02" not in jobs.tick(MORNING - timedelta(hours=2)), "06:30: too early"
    done = jobs.tick(MORNING)
    assert {"briefing 2025-10-02", f"briefing 2025-10-02 {THU_DUC}", "briefing 2025-10-02 26734"} <= set(done)
    assert not any(d.startswith("briefing") for d in jobs.tick(MORNING + timedelta(minutes=5))), "once a day"

    unit_pdf = configured.data_dir / "briefings" / f"2025-10-02-{THU_DUC}.pdf"
    text = PdfReader(unit_pdf).pages[0].extract_text()
    assert "Bản tin sáng 02/10/2025 — Phường Thủ Đức" in text and "Ngập sâu" in text
    notices.run_once()
    [assigned, mail] = inbox.to("ubnd@thuduc.example.vn")  # the case routed to the unit, then its briefing
    assert "Vụ việc mới được giao" in subject(assigned)
    assert subject(mail) == "[civicpulse] Bản tin sáng 02/10/2025 — Phường Thủ Đức"
    attached = attachments(mail)[unit_pdf.name]
    assert attached == unit_pdf.read_bytes()
    assert "Phường Thủ Đức" in PdfReader(BytesIO(attached)).pages[0].extract_text()
    # Another unit gets its own briefing, without the Thủ Đức story; the city's goes to its subscribers.
    [other] = inbox.to("ubnd@saigon.example.vn")
    other_pdf = PdfReader(BytesIO(attachments(other)["2025-10-02-26734.pdf"])).pages[0].extract_text()
    assert "Ngập sâu" not in other_pdf
    [city] = inbox.to("vanphong@tphcm.example.vn")
    assert subject(city) == "[civicpulse] Bản tin sáng 02/10/2025"
    rows = NoticeTables(store).deliveries(kind="briefing.unit")
    assert sorted(str(r["target"]) for r in rows if r["status"] == "sent") == [
        "mailto:ubnd@saigon.example.vn",
        "mailto:ubnd@thuduc.example.vn",
    ]
