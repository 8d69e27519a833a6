"""Send one notice to one contact point: e-mail (`mailto:`), a signed JSON webhook, or a Telegram chat.

The SMTP server is the one alerts use (`civicpulse recipients smtp`, `notify.smtp_options`) and webhooks go
through the alerts' `WebhookSender`. E-mail is built here rather than by `EmailSender` because briefings
carry a PDF attachment. Every send returns an `Outcome` and never raises; the notice queue retries and logs.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

import httpx

from civicpulse.respond.notify_senders import TIMEOUT_S, Outcome, SmtpOptions, WebhookSender


def contact_kind(target: str) -> str:
    """Return "email", "webhook" or "telegram" for a contact point, or "" when it is none of them."""
    if target.startswith("mailto:") and "@" in target:
        return "email"
    if target.startswith(("https://", "http://")):
        return "webhook"
    if target.startswith("telegram:") and target.removeprefix("telegram:").lstrip("-").isdigit():
        return "telegram"
    return ""


class TelegramSender:
    """Sends a text to a chat with the Bot API's `sendMessage` (client base URL: `telegram_api_url`)."""

    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client = client
        self.token = token

    def send(self, chat_id: str, text: str) -> Outcome:
        started = time.perf_counter()
        try:
            response = self.client.post(
                f"/bot{self.token}/sendMessage", json={"chat_id": chat_id, "text": text[:4096]}
            )
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}", _ms(started))
        ok = response.status_code == 200 and bool(_json(response).get("ok"))
        # 400/403 mean the chat is gone or blocked the bot: retrying cannot help.
        permanent = response.status_code in (400, 403)
        error = "" if ok else str(_json(response).get("description") or response.text)[:500]
        return Outcome(ok, response.status_code, error, _ms(started), permanent=permanent)


class ContactSender:
    """Delivers a notice to one contact point through the alerts' SMTP server and webhook sender."""

    def __init__(
        self,
        smtp: SmtpOptions,
        webhooks: WebhookSender | None = None,
        telegram: TelegramSender | None = None,
    ) -> None:
        self.smtp = smtp
        self.webhooks = webhooks or WebhookSender()
        self.telegram = telegram

    def send(
        self, target: str, notice: dict[str, Any], files: Sequence[tuple[str, str, bytes]] = ()
    ) -> Outcome:
        """Send `notice` (kind, subject, text, link, data) to `target`; the outcome says how it went."""
        kind = contact_kind(target)
        if kind == "email":
            return self._mail(target.removeprefix("mailto:"), notice, files)
        if kind == "webhook":
            payload = {k: notice.get(k) for k in ("kind", "subject", "text", "link", "data")}
            return self.webhooks.send({"target": target}, payload)
        if kind == "telegram" and self.telegram is not None:
            return self.telegram.send(target.removeprefix("telegram:"), str(notice["text"]))
        if kind == "telegram":
            return Outcome(False, None, "no Telegram bot token is set (CIVICPULSE_TELEGRAM_BOT_TOKEN)")
        return Outcome(
            False, None, f"{target!r} is not a mailto:, http(s):// or telegram: contact", permanent=True
        )

    def _mail(self, address: str, notice: dict[str, Any], files: Sequence[tuple[str, str, bytes]]) -> Outcome:
        message = EmailMessage()
        message["Subject"] = str(notice["subject"])[:300]
        message["From"] = self.smtp.sender
        message["To"] = address
        message.set_content(f"{notice['text']}\n\n{notice.get('link') or ''}".strip())
        for name, content_type, data in files:
            main, _, sub = content_type.partition("/")
            message.add_attachment(data, maintype=main, subtype=sub, filename=name)
        started = time.perf_counter()
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=TIMEOUT_S) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()), (None, b""))
            permanent = code is not None and 500 <= code < 600
            return Outcome(False, code, str(reason)[:500], _ms(started), permanent=permanent)
        except smtplib.SMTPResponseException as exc:
            return Outcome(False, exc.smtp_code, str(exc.smtp_error)[:500], _ms(started))
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}", _ms(started))
        return Outcome(True, 250, "", _ms(started))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
