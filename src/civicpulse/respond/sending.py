"""Deliver response notices: e-mail to `mailto:` contacts, JSON to webhook contacts.

The SMTP server is the one alerts use (`civicpulse recipients smtp`, `notify.smtp_options`) and webhooks go
through the alerts' `WebhookSender`. E-mail is sent here rather than by `EmailSender` because briefings
carry a PDF attachment. One bad contact is logged and skipped, never raised.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from civicpulse.respond.notices import Notice
from civicpulse.respond.notify_senders import TIMEOUT_S, SmtpOptions, WebhookSender

log = logging.getLogger(__name__)


class ContactSender:
    """Sends each notice to its contact points through the alerts' SMTP server and webhook sender."""

    def __init__(self, smtp: SmtpOptions, webhooks: WebhookSender | None = None) -> None:
        self.smtp = smtp
        self.webhooks = webhooks or WebhookSender()

    def send(self, contacts: Sequence[str], notice: Notice) -> None:
        mail = [c.removeprefix("mailto:") for c in contacts if c.startswith("mailto:")]
        if mail:
            self._mail(mail, notice)
        payload = {"kind": notice.kind, "subject": notice.subject, "text": notice.text, "link": notice.link}
        for url in (c for c in contacts if c.startswith(("https://", "http://"))):
            outcome = self.webhooks.send({"target": url}, payload | {"data": notice.data})
            if not outcome.ok:
                log.warning("webhook %s for %s failed: %s %s", url, notice.kind, outcome.code, outcome.error)

    def _mail(self, addresses: list[str], notice: Notice) -> None:
        message = EmailMessage()
        message["Subject"] = notice.subject
        message["From"] = self.smtp.sender
        message["To"] = ", ".join(addresses)
        message.set_content(f"{notice.text}\n\n{notice.link}".strip())
        for name, content_type, data in notice.attachments:
            main, _, sub = content_type.partition("/")
            message.add_attachment(data, maintype=main, subtype=sub, filename=name)
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=TIMEOUT_S) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail of %s to %s failed: %s", notice.kind, addresses, exc)
