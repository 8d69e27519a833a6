"""Notices the response loop sends (case routed, case overdue, clarification published, daily briefing).

Delivery is not done here: a `Notifier` takes the contact points (`mailto:` addresses, webhook URLs,
`telegram:<chat>`) and a notice. `notice_queue.NoticeQueue` sends them through the alerts' delivery log
(retries, dead letters); `Outbox` keeps notices in memory (tests, and commands that must not send).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Notice:
    """One message: a short subject, a plain-text body, a link, and optional files (name, type, bytes)."""

    kind: str
    subject: str
    text: str
    link: str = ""
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    data: dict[str, object] = field(default_factory=dict)


class Notifier(Protocol):
    """Delivers a notice to contact points; must not raise for one bad contact (log it and go on)."""

    def send(self, contacts: Sequence[str], notice: Notice) -> None: ...

    def start(self) -> None:
        """Begin delivering in the background (what was queued before a restart, too)."""


class Outbox:
    """A notifier that only remembers what it was asked to send (no transport configured, and tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[tuple[str, ...], Notice]] = []

    def send(self, contacts: Sequence[str], notice: Notice) -> None:
        self.sent.append((tuple(contacts), notice))

    def start(self) -> None:
        """Nothing to deliver in the background."""
