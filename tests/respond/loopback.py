"""Real servers on loopback for delivery tests: an HTTP webhook receiver and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import email.header
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message


class Hook:
    """A loopback HTTP server that records POSTs and answers with the statuses it is given, in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((dict(self.headers), body))
                status = hook.statuses.pop(0) if len(hook.statuses) > 1 else hook.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Inbox(Message):
    """Keeps every message received; refuses the addresses in `refused` with 550, as a real server does."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def handle_message(self, message: EmailMessage) -> None:
        self.messages.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to `address`."""
        return [m for m in self.messages if address in str(m["To"])]


@contextmanager
def smtp_on_loopback() -> Iterator[tuple[Controller, Inbox]]:
    """Run an SMTP server on a free loopback port for the duration of the block."""
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check that it is up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def subject(message: EmailMessage) -> str:
    """A message's subject, decoded (aiosmtpd hands the raw, RFC 2047 encoded header)."""
    return str(email.header.make_header(email.header.decode_header(str(message["Subject"]))))


def body(message: EmailMessage) -> str:
    """The text of a message's first text part, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
    return ""


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """A message's attachments by file name."""
    found = {}
    for part in message.walk():
        name = part.get_filename()
        payload = part.get_payload(decode=True)
        if name and isinstance(payload, bytes):
            found[name] = payload
    return found
