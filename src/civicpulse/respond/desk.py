"""The response desk: cases, field reports, the Telegram bot and clarifications, wired once per process.

The web app receives a desk from the command that starts it (as it receives the pipeline), so routes stay
thin and `web` never imports a stage; the CLI builds one too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from civicpulse.collect.field import FieldReports, Submission
from civicpulse.collect.telegram_bot import TelegramBot
from civicpulse.config import Settings
from civicpulse.models import Case, CaseStatus, Clarification, FieldReport
from civicpulse.respond.cases import Cases
from civicpulse.respond.clarifications import Clarifications, parse_claims, parse_sources
from civicpulse.respond.impact import Impact, measure
from civicpulse.respond.notice_queue import NoticeQueue
from civicpulse.respond.notices import Notice, Notifier
from civicpulse.respond.notify import smtp_options
from civicpulse.respond.sending import ContactSender, TelegramSender
from civicpulse.respond.units import Directory
from civicpulse.store import Store


def notice_queue(settings: Settings, store: Store, telegram: httpx.Client | None = None) -> NoticeQueue:
    """Notices through the delivery log: e-mail via the alerts' SMTP server, webhooks, Telegram chats."""
    bot = TelegramSender(telegram, settings.telegram_bot_token) if telegram is not None else None
    return NoticeQueue(store, ContactSender(smtp_options(store), telegram=bot))


class ResponseDesk:
    """What people do in the response loop; each action says in its errors what to do instead."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Any = None,
        *,
        notifier: Notifier | None = None,
        telegram: httpx.Client | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        client = None
        if settings.telegram_bot_token:
            client = telegram or httpx.Client(base_url=settings.telegram_api_url, timeout=20.0)
        self.queue: NoticeQueue | None = None  # None when the caller brings its own notifier (tests)
        if notifier is None:
            self.queue = notifier = notice_queue(settings, store, client)
        self.notifier = notifier
        self.cases = Cases(store, settings, self.notifier, clock)
        self.field = FieldReports(store, settings, pipeline)
        self.clarifications = Clarifications(store, settings, self.notifier)
        self.bot: TelegramBot | None = None
        if client is not None:
            self.bot = TelegramBot(client, settings.telegram_bot_token, self.field, store)

    @property
    def directory(self) -> Directory:
        return self.cases.directory

    def field_submission(self, **fields: Any) -> Submission:
        """Build a submission from form or API fields (the web app does not import the collector)."""
        return Submission(**fields)

    def submit_report(self, submission: Submission) -> tuple[FieldReport, bool]:
        return self.field.submit(submission)

    def in_foreground(self) -> ResponseDesk:
        """Send no notices from a background thread: a command delivers them with `deliver_now` and exits."""
        if self.queue is not None:
            self.queue.autostart = False
        return self

    def deliver_now(self) -> int:
        """Send the notices that are due now (one round; failures wait for their retry); return attempts."""
        return self.queue.run_once() if self.queue is not None else 0

    def transition(self, case_id: int, to: CaseStatus | str, actor: str, note: str = "") -> Case:
        """Move a case, then tell the Telegram chats whose reports are part of it (through the queue)."""
        case = self.cases.transition(case_id, to, actor, note)
        if self.bot is not None:
            for chat_id, text in self.bot.case_messages(case_id, str(case.status)):
                notice = Notice(
                    kind="case.status",
                    subject=f"#{case_id} {case.status}",
                    text=text,
                    data={"case_id": case_id, "status": str(case.status)},
                )
                self.notifier.send([f"telegram:{chat_id}"], notice)
        return case

    def telegram_update(self, update: dict[str, Any]) -> FieldReport | None:
        """Handle one Bot API update (ignored when the bot is off)."""
        return None if self.bot is None else self.bot.handle(update)

    def clarification_from(self, clarification_id: int | None, **fields: Any) -> Clarification:
        """Build a clarification from the editor's fields (claims and sources as lines)."""
        return Clarification(
            id=clarification_id,
            title_vi=fields["title_vi"].strip(),
            body_vi=fields["body_vi"].strip(),
            title_en=fields["title_en"].strip(),
            body_en=fields["body_en"].strip(),
            claims=parse_claims(fields["claims"]),
            sources=parse_sources(fields["sources"]),
            story_ids=tuple(fields["story_ids"]),
            case_ids=tuple(fields["case_ids"]),
        )

    def impact(self, clarification: Clarification) -> Impact | None:
        return measure(self.store, clarification, self.clock())

    def claim_reviews(self, clarification: Clarification) -> list[dict[str, Any]]:
        return self.clarifications.claim_reviews(clarification)
