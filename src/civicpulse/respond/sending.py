"""Deliver notices: e-mail over SMTP to `mailto:` contacts, JSON POST to webhook contacts.

A plain transport used until the detection stage's notifier (retries, delivery log) takes over; one bad
contact is logged and skipped, never raised, so one wrong address cannot stop the others.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

import httpx

from civicpulse.respond.notices import Notice

log = logging.getLogger(__name__)


class ContactSender:
    """Sends each notice to its contacts; needs an SMTP host for e-mail, an httpx client for webhooks."""

    def __init__(
        self, smtp_host: str, smtp_port: int, sender: str, client: httpx.Client | None = None
    ) -> None:
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.sender = sender
        self.client = client

    def send(self, contacts: Sequence[str], notice: Notice) -> None:
        mail = [c.removeprefix("mailto:") for c in contacts if c.startswith("mailto:")]
        hooks = [c for c in contacts if c.startswith(("https://", "http://"))]
        if mail:
            self._mail(mail, notice)
        for url in hooks:
            self._post(url, notice)

    def _mail(self, addresses: list[str], notice: Notice) -> None:
        if not self.smtp_host:
            log.warning("no SMTP host set (CIVICPULSE_SMTP_HOST); %s not e-mailed", notice.kind)
            return
        message = EmailMessage()
        message["Subject"] = notice.subject
        message["From"] = self.sender
        message["To"] = ", ".join(addresses)
        message.set_content(f"{notice.text}\n\n{notice.link}".strip())
        for name, content_type, data in notice.attachments:
            main, _, sub = content_type.partition("/")
            message.add_attachment(data, maintype=main, subtype=sub, filename=name)
        try:
            with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=30) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("e-mail of %s to %s failed: %s", notice.kind, addresses, exc)

    def _post(self, url: str, notice: Notice) -> None:
        if self.client is None:
            return
        payload = {"kind": notice.kind, "subject": notice.subject, "text": notice.text, "link": notice.link}
        try:
            self.client.post(url, json=payload | {"data": notice.data}).raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("webhook %s for %s failed: %s", url, notice.kind, exc)
