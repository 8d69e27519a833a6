"""Two processes sending from one database (the CLI and a running server) never send one delivery twice.

Each "process" is its own store (its own engine and connections) on the same SQLite file or PostgreSQL
database. The second one runs while the first is in the middle of sending, when the rows are still pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civicpulse.respond.notice_queue import NoticeQueue
from civicpulse.respond.notices import Notice
from civicpulse.respond.notify import Notifier
from civicpulse.respond.notify_senders import Outcome, SmtpOptions
from civicpulse.respond.sending import ContactSender
from civicpulse.store import Store, open_store
from civicpulse.store.detection import CLAIM_S, DetectionTables
from civicpulse.store.notices import NoticeTables
from tests.respond.test_notify import make_alert

NOW = datetime(2025, 10, 5, 1, 0, tzinfo=UTC)
TARGETS = ["mailto:a@phuong.gov.vn", "mailto:b@phuong.gov.vn", "https://hooks.example/ward"]


@pytest.fixture
def other(store: Store) -> Iterator[Store]:
    """A second process's store on the same database."""
    second = open_store(store.engine.url.render_as_string(hide_password=False))
    yield second
    second.close()


class Recorder(ContactSender):
    """Records what it is asked to send (by whom) and runs `meanwhile` once, during its first send."""

    def __init__(self, who: str, sent: list[tuple[str, int]]) -> None:
        super().__init__(SmtpOptions())
        self.who, self.sent = who, sent
        self.meanwhile: Callable[[], object] | None = None

    def send(
        self, target: str, notice: dict[str, Any], files: Sequence[tuple[str, str, bytes]] = ()
    ) -> Outcome:
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        self.sent.append((self.who, int(notice["id"])))
        return Outcome(True, 250)


def notice_queue(store: Store, sender: ContactSender, at: datetime = NOW) -> NoticeQueue:
    made = NoticeQueue(store, sender, workers=1, clock=lambda: at)
    made.autostart = False
    return made


def test_a_due_notice_is_sent_by_one_process_only(store: Store, other: Store) -> None:
    sent: list[tuple[str, int]] = []
    cli, server = Recorder("cli", sent), Recorder("server", sent)
    first, second = notice_queue(store, cli), notice_queue(other, server)
    first.send(TARGETS, Notice("case_routed", "Vụ việc mới / New case", "Xem / See"))
    meanwhile: list[int] = []
    cli.meanwhile = lambda: meanwhile.append(second.run_once())  # the server's tick while the CLI sends
    assert first.run_once() == 3
    assert meanwhile == [0]  # every due row was the CLI's claim
    ids = [d["id"] for d in NoticeTables(store).deliveries()]
    assert sorted(sent) == sorted(("cli", i) for i in ids)  # each once, by the process that claimed it
    assert {d["status"] for d in NoticeTables(other).deliveries()} == {"sent"}
    assert second.run_once() == 0


def test_a_claim_of_a_process_that_died_is_taken_again(store: Store, other: Store) -> None:
    sent: list[tuple[str, int]] = []
    first = notice_queue(store, Recorder("dead", sent))
    first.send(TARGETS[:1], Notice("case_routed", "Vụ việc mới / New case", "Xem / See"))
    [claimed] = NoticeTables(store).claim_due(NOW)  # and then the process is killed before sending
    soon = notice_queue(other, Recorder("soon", sent), NOW + timedelta(seconds=CLAIM_S / 2))
    assert soon.run_once() == 0  # still held
    later = notice_queue(other, Recorder("later", sent), NOW + timedelta(seconds=CLAIM_S + 1))
    assert later.run_once() == 1
    assert sent == [("later", claimed["id"])]
    [delivery] = NoticeTables(store).deliveries()
    assert (delivery["status"], delivery["attempts"]) == ("sent", 1)


class AlertRecorder:
    """An alert sender that records what it sends and runs `meanwhile` once, during its first send."""

    def __init__(self, who: str, sent: list[tuple[str, int]]) -> None:
        self.who, self.sent = who, sent
        self.meanwhile: Callable[[], object] | None = None

    def send(self, recipient: dict[str, Any], payload: dict[str, Any]) -> Outcome:
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        self.sent.append((self.who, int(payload["delivery_id"])))
        return Outcome(True, 200)


def test_a_due_alert_delivery_is_sent_by_one_process_only(store: Store, other: Store) -> None:
    tables = DetectionTables(store)
    for n in range(3):
        tables.add_recipient(kind="webhook", target=f"https://hooks.example/{n}")
    sent: list[tuple[str, int]] = []
    first_sender, second_sender = AlertRecorder("detect-p0", sent), AlertRecorder("detect-p1", sent)
    first = Notifier(store, senders={"webhook": first_sender}, workers=1, clock=lambda: NOW)  # type: ignore[dict-item]
    second = Notifier(other, senders={"webhook": second_sender}, workers=1, clock=lambda: NOW)  # type: ignore[dict-item]
    first.autostart = second.autostart = False
    first.enqueue([(make_alert(store), "new", [])])
    meanwhile: list[int] = []
    first_sender.meanwhile = lambda: meanwhile.append(second.run_once())
    assert first.run_once() == 3
    assert meanwhile == [0]
    assert sorted(sent) == sorted(("detect-p0", d["id"]) for d in tables.deliveries())
    assert {d["status"] for d in tables.deliveries()} == {"sent"}
