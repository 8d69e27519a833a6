"""What alert and notice deliveries share: the retry policy and the background thread that sends what is due.

A failed attempt is retried after `backoff_s * 2**(attempt-1)` seconds (at most `max_backoff_s`); the delivery
is `dead` after `max_attempts`, or at once when the failure is permanent (no retry can help). Every attempt
is one `delivery_log` row.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from civicpulse.respond.notify_senders import Outcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a failing delivery is tried again."""

    max_attempts: int = 5
    backoff_s: float = 2.0
    max_backoff_s: float = 600.0

    def after(self, attempt: int, outcome: Outcome, now: datetime) -> dict[str, Any]:
        """Return the delivery's new values after attempt number `attempt` ended with `outcome`."""
        values: dict[str, Any] = {"last_error": outcome.error}
        if outcome.ok:
            values.update(status="sent", sent_at=now)
        elif outcome.permanent or attempt >= self.max_attempts:
            values.update(status="dead")
        else:
            wait = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
            values.update(next_attempt_at=now + timedelta(seconds=wait))
        return values


def attempt_log(outcome: Outcome) -> dict[str, Any]:
    """Return the `delivery_log` row of one attempt (without its delivery, number and time)."""
    return {
        "outcome": "sent" if outcome.ok else "failed",
        "code": outcome.code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }


class DeliveryWorker:
    """A thread that calls `run_once` every `poll_s` seconds, or at once when woken, until stopped."""

    name = "civicpulse-deliver"

    def __init__(self, poll_s: float = 1.0) -> None:
        self.poll_s = poll_s
        self.autostart = True
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run_once(self) -> int:
        """Send every due delivery; return how many attempts were made."""
        raise NotImplementedError

    def start(self) -> None:
        """Start the delivery thread (idempotent, unless `autostart` is off); it stops with `stop`."""
        with self._lock:
            if not self.autostart:
                return
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """Start the thread if needed and make it look for due deliveries now."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the delivery thread to finish its round and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread, then send what is due once more, so a command that ends leaves nothing unsent.

        What still fails stays in the store and is retried by the next process that delivers.
        """
        started = self._thread is not None
        self.stop(timeout)
        if started:
            self.run_once()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("%s: delivering failed; retrying in %.0f s", self.name, self.poll_s)
            self._wake.wait(self.poll_s)
            self._wake.clear()
