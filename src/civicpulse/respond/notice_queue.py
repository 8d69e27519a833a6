"""The notice queue: response notices go out through the alerts' delivery log, retried and logged alike.

`send(contacts, notice)` only stores the notice and one `deliveries` row per contact point; the queue's
thread (or `run_once` in commands and tests) sends what is due, contact points in parallel, so one that
hangs or fails holds up nobody else. A failed attempt is retried with backoff and the delivery is `dead`
after `max_attempts` (at once when the contact can never work); `civicpulse notices list` shows them.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from civicpulse.respond.delivery import DeliveryWorker, RetryPolicy, attempt_log
from civicpulse.respond.notices import Notice
from civicpulse.respond.notify_senders import Outcome
from civicpulse.respond.sending import ContactSender, contact_kind
from civicpulse.store import Store
from civicpulse.store.notices import NoticeTables

log = logging.getLogger(__name__)


class NoticeQueue(DeliveryWorker):
    """A `Notifier` that queues each notice per contact point and delivers the due ones."""

    name = "civicpulse-notices"

    def __init__(
        self,
        store: Store,
        sender: ContactSender,
        *,
        policy: RetryPolicy | None = None,
        poll_s: float = 5.0,
        workers: int = 4,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(poll_s)
        self.tables = NoticeTables(store)
        self.sender = sender
        self.policy = policy or RetryPolicy()
        self.workers = workers
        self.clock = clock
        self._sending = threading.Lock()  # the thread and a scheduler tick never send the same row twice

    def send(self, contacts: Sequence[str], notice: Notice) -> None:
        """Queue `notice` for each contact point (duplicates once); the thread sends it shortly."""
        targets = [c.strip() for c in dict.fromkeys(contacts) if c.strip()]
        unusable = [t for t in targets if not contact_kind(t)]
        if unusable:
            log.warning("%s: %s not a mailto:, http(s):// or telegram: contact", notice.kind, unusable)
        if not targets:
            return
        row = {
            "kind": notice.kind,
            "subject": notice.subject[:300],
            "text": notice.text,
            "link": notice.link[:2000],
            "data": notice.data,
        }
        self.tables.queue(row, notice.attachments, targets, self.clock())
        self.wake()

    def run_once(self) -> int:
        """Send every due notice delivery, contact points in parallel; return how many attempts were made."""
        with self._sending:
            due = self.tables.claim_due(self.clock())
            if not due:
                return 0
            files = {n: self.tables.files(n) for n in {d["notice_id"] for d in due}}
            by_target: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for delivery in due:
                by_target[delivery["target"]].append(delivery)
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="civicpulse-notice") as pool:
                futures = [pool.submit(self._send, batch, files) for batch in by_target.values()]
                return sum(f.result() for f in futures)

    def _send(self, batch: list[dict[str, Any]], files: dict[int, list[tuple[str, str, bytes]]]) -> int:
        for delivery in batch:
            try:
                outcome = self.sender.send(delivery["target"], delivery, files[delivery["notice_id"]])
            except Exception as exc:  # a sender bug must not leave the row pending forever
                log.exception("sending notice delivery %s failed", delivery["id"])
                outcome = Outcome(False, None, f"{type(exc).__name__}: {exc}")
            attempt = int(delivery["attempts"]) + 1
            values = self.policy.after(attempt, outcome, self.clock())
            self.tables.record_attempt(delivery["id"], attempt, attempt_log(outcome), **values)
            if values.get("status") == "dead":
                log.warning(
                    "notice delivery %s to %s is dead: %s", delivery["id"], delivery["target"], outcome.error
                )
        return len(batch)
