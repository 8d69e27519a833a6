"""Alert delivery to real servers on loopback: signed webhooks, retries, dead letters, email, digests."""

from __future__ import annotations

import email.header
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller

from civicpulse.config import Settings
from civicpulse.detect.stage import DetectStage
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.respond.notify import Notifier
from civicpulse.respond.notify_senders import SIGNATURE_HEADER, EmailSender, SmtpOptions, WebhookSender
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables
from tests.respond.loopback import Hook, Inbox

NOW = datetime(2025, 9, 1, 3, 0, tzinfo=UTC)  # 10:00 in Ho Chi Minh City


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def make_alert(store: Store, headline: str = "story 7: 25 items in the last hour") -> int:
    tables = DetectionTables(store)
    row = {
        "subject_kind": "story",
        "subject_id": "7",
        "scope": "default",
        "status": "new",
        "level": 1,
        "score": 0.5,
        "headline": headline,
        "explanation": {"headline": headline, "series": [{"hour": 0}]},
        "opened_at": NOW,
        "escalated_at": None,
        "feedback": "",
    }
    return tables.save([], [row], [], None)[0]


def notifier(store: Store, clock: Clock, smtp: SmtpOptions | None = None, **options: Any) -> Notifier:
    senders = {"webhook": WebhookSender(), "email": EmailSender(smtp or SmtpOptions())}
    n = Notifier(store, senders=senders, clock=clock, **options)  # type: ignore[arg-type]
    n.autostart = False  # tests drive `run_once` themselves
    return n


def test_webhook_is_signed_json(store: Store, hooks: list[Hook]) -> None:
    hook = Hook([200])
    hooks.append(hook)
    tables = DetectionTables(store)
    tables.add_recipient(kind="webhook", target=hook.url, secret="s3cret")
    clock = Clock()
    n = notifier(store, clock)
    alert_id = make_alert(store)
    n.enqueue([(alert_id, "new", [])])
    assert n.run_once() == 1
    headers, body = hook.received[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == expected
    payload = json.loads(body)
    assert payload["alert_id"] == alert_id
    assert payload["type"] == "alert.new"
    assert payload["series"] == [{"hour": 0}]
    [delivery] = tables.deliveries(alert_id)
    assert delivery["status"] == "sent"
    assert [row["outcome"] for row in tables.delivery_log(delivery["id"])] == ["sent"]


def test_failures_are_retried_with_backoff_then_dead(store: Store, hooks: list[Hook]) -> None:
    hook = Hook([500])
    hooks.append(hook)
    tables = DetectionTables(store)
    tables.add_recipient(kind="webhook", target=hook.url)
    clock = Clock()
    n = notifier(store, clock, max_attempts=3, backoff_s=10.0)
    alert_id = make_alert(store)
    n.enqueue([(alert_id, "new", [])])
    n.run_once()
    assert n.run_once() == 0, "the retry waits for its backoff"
    clock.now += timedelta(seconds=10)
    n.run_once()
    clock.now += timedelta(seconds=19)
    assert n.run_once() == 0, "the second wait is twice as long"
    clock.now += timedelta(seconds=1)
    n.run_once()
    [delivery] = tables.deliveries(alert_id)
    assert delivery["status"] == "dead"
    assert delivery["attempts"] == 3
    log = tables.delivery_log(delivery["id"])
    assert [(r["attempt"], r["outcome"], r["code"]) for r in log] == [(i, "failed", 500) for i in (1, 2, 3)]
    assert len(hook.received) == 3


def test_a_failing_recipient_does_not_hold_up_the_others(store: Store, hooks: list[Hook]) -> None:
    good = Hook([200])
    hooks.append(good)
    tables = DetectionTables(store)
    tables.add_recipient(kind="webhook", target="http://127.0.0.1:9/refused")
    tables.add_recipient(kind="webhook", target=good.url)
    clock = Clock()
    n = notifier(store, clock)
    alert_id = make_alert(store)
    n.enqueue([(alert_id, "new", [])])
    n.run_once()
    statuses = sorted((d["recipient_id"], d["status"]) for d in tables.deliveries(alert_id))
    assert statuses == [(1, "pending"), (2, "sent")] or [s for _, s in statuses] == ["pending", "sent"]
    assert len(good.received) == 1


def test_email_goes_through_a_real_smtp_server(store: Store, smtp_server: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp_server
    tables = DetectionTables(store)
    tables.add_recipient(kind="email", target="analyst@example.org")
    clock = Clock()
    n = notifier(store, clock, SmtpOptions(host="127.0.0.1", port=controller.port, sender="alerts@city.test"))
    alert_id = make_alert(store, "story 7: ngập sâu ở Thủ Đức")
    n.enqueue([(alert_id, "new", [])])
    n.run_once()
    [message] = inbox.messages
    assert message["To"] == "analyst@example.org"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert "Thủ Đức" in subject
    assert tables.deliveries(alert_id)[0]["status"] == "sent"


def test_topics_quiet_hours_and_digests(store: Store, hooks: list[Hook]) -> None:
    hook = Hook([200])
    hooks.append(hook)
    tables = DetectionTables(store)
    tables.add_recipient(kind="webhook", target=hook.url, topics=[3])
    tables.add_recipient(kind="webhook", target=hook.url, digest="hourly")
    tables.add_recipient(kind="webhook", target=hook.url, quiet_hours="09-12")
    clock = Clock()
    n = notifier(store, clock)
    first, second = make_alert(store), make_alert(store)
    n.enqueue([(first, "new", ["3"]), (second, "new", [])])
    n.run_once()
    assert [json.loads(b)["alert_id"] for _, b in hook.received] == [first]  # the topic subscriber only
    clock.now = NOW + timedelta(hours=1)
    n.run_once()
    digest = json.loads(hook.received[1][1])
    assert digest["type"] == "alert.digest"
    assert sorted(a["alert_id"] for a in digest["alerts"]) == [first, second]
    clock.now = NOW + timedelta(hours=2)  # 12:00 local: the quiet hours are over
    n.run_once()
    assert len(hook.received) == 4


def test_closing_the_pipeline_sends_what_is_due_and_stops_the_thread(
    settings: Settings, store: Store, hooks: list[Hook]
) -> None:
    hook = Hook([200])
    hooks.append(hook)
    tables = DetectionTables(store)
    recipient = tables.add_recipient(kind="webhook", target=hook.url, secret="s3cret")
    pipeline = lay_pipe(settings, store)
    [sink] = [s.sink for s in pipeline.stages if isinstance(s, DetectStage)]
    assert isinstance(sink, Notifier)
    sink.poll_s = 3600  # after its first (empty) round the thread sleeps for an hour
    sink.start()
    time.sleep(0.2)
    alert_id = make_alert(store)
    tables.enqueue(
        [{"alert_id": alert_id, "recipient_id": recipient, "event": "new", "next_attempt_at": NOW}]
    )
    pipeline.close()  # a command that ends: the due delivery goes out now, not in an hour
    assert [json.loads(body)["alert_id"] for _, body in hook.received] == [alert_id]
    assert not any(t.name == Notifier.name for t in threading.enumerate())
