"""Senders: a signed JSON webhook (httpx) and an email (smtplib); each returns an `Outcome`, never raises."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Civicpulse-Signature"
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: ok or not, a status code (HTTP or SMTP), the error, whether a retry helps."""

    ok: bool
    code: int | None = None
    error: str = ""
    duration_ms: int = 0
    permanent: bool = False


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """POSTs the payload as JSON with an HMAC-SHA256 signature of the exact body bytes."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self.client = client or httpx.Client(timeout=TIMEOUT_S)

    def send(self, recipient: dict[str, Any], payload: dict[str, Any]) -> Outcome:
        """Deliver `payload` to the recipient's URL; a 2xx answer is success."""
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "civicpulse-alerts"}
        if recipient.get("secret"):
            headers[SIGNATURE_HEADER] = sign(recipient["secret"], body)
        started = time.perf_counter()
        try:
            response = self.client.post(recipient["target"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}", _ms(started))
        ok = 200 <= response.status_code < 300
        return Outcome(ok, response.status_code, "" if ok else response.text[:500], _ms(started))


@dataclass(frozen=True)
class SmtpOptions:
    """Where email goes out: an SMTP server on the city's network."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "civicpulse@localhost"


class EmailSender:
    """Sends a plain-text email through SMTP."""

    def __init__(self, options: SmtpOptions | None = None) -> None:
        self.options = options or SmtpOptions()

    def send(self, recipient: dict[str, Any], payload: dict[str, Any]) -> Outcome:
        """Deliver `payload` as an email to the recipient's address."""
        message = EmailMessage()
        message["From"] = self.options.sender
        message["To"] = recipient["target"]
        message["Subject"] = str(payload.get("subject", "civicpulse alert"))[:200]
        message.set_content(str(payload.get("text", "")))
        started = time.perf_counter()
        try:
            with smtplib.SMTP(self.options.host, self.options.port, timeout=TIMEOUT_S) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            return Outcome(False, exc.smtp_code, str(exc.smtp_error)[:500], _ms(started))
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome(False, None, f"{type(exc).__name__}: {exc}", _ms(started))
        return Outcome(True, 250, "", _ms(started))


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
