"""Alert delivery: in-app (the alerts table itself), webhooks and email, off the pipeline's hot path.

The detect stage only writes `deliveries` rows (`enqueue`); a worker thread inside `civicpulse run` (or
`run_once` in tests and benchmarks) sends what is due. Recipients are sent to in parallel, so one that hangs
or fails holds up nobody else; a failed attempt is retried with exponential backoff and the delivery is
`dead` after `max_attempts`. Every attempt is written to `delivery_log`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Protocol

from civicpulse.respond.delivery import DeliveryWorker, RetryPolicy, attempt_log
from civicpulse.respond.notify_schedule import send_at
from civicpulse.respond.notify_senders import EmailSender, Outcome, SmtpOptions, WebhookSender
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables

log = logging.getLogger(__name__)
SMTP_CHECKPOINT = "notify:smtp"


class Sender(Protocol):
    """Delivers one payload to one recipient."""

    def send(self, recipient: dict[str, Any], payload: dict[str, Any]) -> Outcome: ...


def smtp_options(store: Store) -> SmtpOptions:
    """Return the SMTP server set with `civicpulse recipients smtp` (defaults: 127.0.0.1:25)."""
    saved = store.checkpoint(SMTP_CHECKPOINT) or {}
    return SmtpOptions(**{k: v for k, v in saved.items() if k in ("host", "port", "sender")})


class Notifier(DeliveryWorker):
    """Queues deliveries of alerts to recipients and sends the due ones, each recipient on its own."""

    name = "civicpulse-notify"

    def __init__(
        self,
        store: Store,
        *,
        senders: dict[str, Sender] | None = None,
        max_attempts: int = 5,
        backoff_s: float = 2.0,
        max_backoff_s: float = 600.0,
        poll_s: float = 1.0,
        workers: int = 4,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(poll_s)
        self.tables = DetectionTables(store)
        self.senders: dict[str, Sender] = (
            senders
            if senders is not None
            else {"webhook": WebhookSender(), "email": EmailSender(smtp_options(store))}
        )
        self.policy = RetryPolicy(max_attempts, backoff_s, max_backoff_s)
        self.workers = workers
        self.clock = clock

    # -- the sink the detect stage writes to ---------------------------------------------------------

    def enqueue(self, alerts: Sequence[tuple[int, str, list[str]]]) -> None:
        """Queue one delivery per (alert, matching recipient), timed by quiet hours and digests."""
        recipients = self.tables.recipients(enabled_only=True)
        now = self.clock()
        rows = [
            {
                "alert_id": alert_id,
                "recipient_id": r["id"],
                "event": event,
                "next_attempt_at": send_at(now, r["quiet_hours"], r["digest"]),
            }
            for alert_id, event, topics in alerts
            for r in recipients
            if not r["topics"] or set(map(str, r["topics"])) & set(topics)
        ]
        self.tables.enqueue(rows)
        if rows:
            self.wake()  # the thread starts with the first delivery, so idle pipelines run none

    # -- the worker ---------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Send every due delivery, recipients in parallel; return how many attempts were made."""
        due = self.tables.claim_due(self.clock())
        if not due:
            return 0
        recipients = {r["id"]: r for r in self.tables.recipients()}
        batches: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for delivery in due:
            batches[delivery["recipient_id"]].append(delivery)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="civicpulse-send") as pool:
            futures = [pool.submit(self._send, recipients[rid], batch) for rid, batch in batches.items()]
            return sum(f.result() for f in futures)

    def _send(self, recipient: dict[str, Any], batch: list[dict[str, Any]]) -> int:
        """Send one recipient's due deliveries: one message each, or one digest for all of them."""
        sender = self.senders.get(recipient["kind"])
        groups = [batch] if recipient["digest"] else [[d] for d in batch]
        for group in groups:
            payload = digest_payload(group) if recipient["digest"] else alert_payload(group[0])
            outcome = sender.send(recipient, payload) if sender else Outcome(False, None, "no sender")
            for delivery in group:
                self._record(delivery, outcome)
        return len(groups)

    def _record(self, delivery: dict[str, Any], outcome: Outcome) -> None:
        attempt = int(delivery["attempts"]) + 1
        values = self.policy.after(attempt, outcome, self.clock())
        self.tables.record_attempt(delivery["id"], attempt, attempt_log(outcome), **values)


def alert_payload(delivery: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON body of one alert delivery (also the email's subject and text)."""
    explanation = delivery["explanation"] or {}
    return {
        "type": f"alert.{delivery['event']}",
        "alert_id": delivery["alert_id"],
        "delivery_id": delivery["id"],
        "level": delivery["level"],
        "score": delivery["score"],
        "headline": delivery["headline"],
        "explanation": {k: v for k, v in explanation.items() if k != "series"},
        "series": explanation.get("series", []),
        "subject": f"[civicpulse] {delivery['headline'][:150]}",
        "text": delivery["headline"],
    }


def digest_payload(group: list[dict[str, Any]]) -> dict[str, Any]:
    """Return one message that lists several alerts (a recipient's digest)."""
    lines = [f"- #{d['alert_id']} ({d['event']}): {d['headline']}" for d in group]
    return {
        "type": "alert.digest",
        "alerts": [alert_payload(d) for d in group],
        "subject": f"[civicpulse] {len(group)} alerts",
        "text": "\n".join(lines),
    }
