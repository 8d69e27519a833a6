"""The collaborators' Telegram bot: Bot API updates in, field reports out, replies through `sendMessage`.

`parse_update` is pure (an update's JSON to a `TelegramMessage`); `TelegramBot` does the I/O through an
injected httpx client whose base URL is a setting. A location shared on its own is remembered for the chat
and used by the next report sent within `LOCATION_TTL_S`. `set_webhook`, `delete_webhook` and
`webhook_info` register the webhook with the Bot API (`civicpulse telegram ...`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from civicpulse.collect.field import FieldReports, Submission
from civicpulse.errors import InputError
from civicpulse.models import FieldReport
from civicpulse.store import Store
from civicpulse.store.fieldreports import FieldReportTables

log = logging.getLogger(__name__)
LOCATION_TTL_S = 1800
WEBHOOK_PATH = "/telegram/webhook"
# The updates the webhook handles; Telegram then does not send the others at all.
ALLOWED_UPDATES = ("message", "edited_message")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
MAX_PHOTO_BYTES = 20 * 1024 * 1024  # the Bot API's own download limit

HELP = (
    "Gửi nội dung báo cáo (có thể kèm ảnh và vị trí). Hỏi tình trạng: /status BC-000123.\n"
    "Send your report as text (a photo and a location are welcome). Ask for its status: /status BC-000123."
)
EDITED = (
    "Báo cáo đã gửi không sửa được; hãy gửi báo cáo mới.\nA sent report cannot be edited; send a new one."
)
NOT_LINKED = (
    "Tài khoản Telegram này chưa được liên kết (mã {user}). Nhờ cán bộ đơn vị liên kết rồi gửi lại.\n"
    "This Telegram account is not linked yet (id {user}); ask your unit's officer to link it, then resend."
)


@dataclass(frozen=True)
class TelegramMessage:
    """The parts of a Bot API message a report needs."""

    update_id: int
    chat_id: str
    user_id: str
    message_id: int
    text: str = ""
    photo_file_id: str = ""
    lat: float | None = None
    lon: float | None = None
    edited: bool = False


def parse_update(update: dict[str, Any]) -> TelegramMessage | None:
    """Read a `message` or `edited_message` update; return None for every other kind (ignored)."""
    edited = "message" not in update and "edited_message" in update
    message = update.get("message") or update.get("edited_message")
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        return None
    sender = message.get("from") or {}
    photos = [p for p in message.get("photo") or [] if isinstance(p, dict) and p.get("file_id")]
    largest = max(
        photos, key=lambda p: (p.get("width", 0) * p.get("height", 0), p.get("file_size", 0)), default={}
    )
    location = message.get("location") or {}
    return TelegramMessage(
        update_id=int(update.get("update_id", 0)),
        chat_id=str(message["chat"].get("id", "")),
        user_id=str(sender.get("id", "")),
        message_id=int(message.get("message_id", 0)),
        text=str(message.get("text") or message.get("caption") or ""),
        photo_file_id=str(largest.get("file_id", "")),
        lat=_float(location.get("latitude")),
        lon=_float(location.get("longitude")),
        edited=edited,
    )


class TelegramBot:
    """Turns updates into field reports and answers in the chat."""

    def __init__(self, client: httpx.Client, token: str, reports: FieldReports, store: Store) -> None:
        self.client = client
        self.token = token
        self.reports = reports
        self.store = store
        self.tables = FieldReportTables(store)

    def handle(self, update: dict[str, Any]) -> FieldReport | None:
        """Handle one update; return the report it made, if any. Never raises for a bad message."""
        message = parse_update(update)
        if message is None or not message.chat_id:
            return None
        reply = self._command(message)
        if reply:
            self.send(message.chat_id, reply)
            return None
        link = self.tables.telegram_link(message.user_id)
        if link is None:
            self.send(message.chat_id, NOT_LINKED.format(user=message.user_id))
            return None
        if message.lat is not None and not message.text and not message.photo_file_id:
            self.store.save_checkpoint(self._location_key(message.chat_id), self._location(message))
            self.send(
                message.chat_id,
                "Đã nhận vị trí; hãy gửi nội dung báo cáo.\nLocation received; now send the report.",
            )
            return None
        return self._report(message, *link)

    def _command(self, message: TelegramMessage) -> str:
        """Answer edits and commands (they make no report); empty for an ordinary message."""
        if message.edited:
            return EDITED
        if message.text.startswith(("/start", "/help")):
            return HELP
        if message.text.startswith("/status"):
            return self.status(message.text.removeprefix("/status").strip())
        return ""

    def _report(self, message: TelegramMessage, username: str, unit: str) -> FieldReport | None:
        lat, lon = message.lat, message.lon
        remembered = self.store.checkpoint(self._location_key(message.chat_id))
        if lat is None and isinstance(remembered, dict) and _fresh(remembered):
            lat, lon = remembered["lat"], remembered["lon"]
        try:
            photo = self.download(message.photo_file_id) if message.photo_file_id else b""
            report, _created = self.reports.submit(
                Submission(
                    text=message.text or "(ảnh)",
                    reporter=username,
                    channel="telegram",
                    idempotency_key=f"tg:{message.chat_id}:{message.message_id}",
                    unit="" if lat is not None else unit,
                    lat=lat,
                    lon=lon,
                    photo=photo,
                    chat_id=message.chat_id,
                )
            )
        except (InputError, httpx.HTTPError) as exc:
            self.send(message.chat_id, f"Chưa nhận được báo cáo / Report not received: {exc}")
            return None
        self.send(
            message.chat_id,
            f"Đã nhận báo cáo số {report.receipt}. Cảm ơn!\nReport {report.receipt} received. Thank you!",
        )
        return report

    def status(self, receipt: str) -> str:
        """Say what happened to a report, by its receipt number."""
        digits = receipt.upper().removeprefix("BC-")
        report = self.tables.report(int(digits)) if digits.isdigit() else None
        if report is None:
            return "Không tìm thấy báo cáo này / No such report. Ví dụ / e.g.: /status BC-000123"
        if report.case_id is None:
            return f"{report.receipt}: đã nhận, đang xem xét / received, being reviewed."
        return f"{report.receipt}: thuộc vụ việc #{report.case_id} / part of case #{report.case_id}."

    def case_messages(self, case_id: int, status: str) -> list[tuple[str, str]]:
        """Return (chat, text) for each Telegram report that is part of a case whose status changed.

        The desk sends them through the notice queue, so a chat that cannot be reached now is retried.
        """
        return [
            (
                report.chat_id,
                f"{report.receipt}: vụ việc #{case_id} → {status}\n"
                f"{report.receipt}: case #{case_id} is now {status}",
            )
            for report in self.tables.reports(case_id=case_id)
            if report.channel == "telegram" and report.chat_id
        ]

    def send(self, chat_id: str, text: str) -> None:
        """Call `sendMessage`; a failure is logged, never raised (the webhook must still answer 200)."""
        try:
            response = self.client.post(
                f"/bot{self.token}/sendMessage", json={"chat_id": chat_id, "text": text}
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("telegram sendMessage to %s failed: %s", chat_id, exc)

    def download(self, file_id: str) -> bytes:
        """Fetch a photo by its file id (`getFile`, then the file path)."""
        answer = self.client.post(f"/bot{self.token}/getFile", json={"file_id": file_id})
        answer.raise_for_status()
        path = (answer.json().get("result") or {}).get("file_path", "")
        if not path:
            raise InputError("Telegram did not give the photo's file path; send the photo again")
        response = self.client.get(f"/file/bot{self.token}/{path}")
        response.raise_for_status()
        if len(response.content) > MAX_PHOTO_BYTES:
            raise InputError("the photo is too large")
        return response.content

    def _location_key(self, chat_id: str) -> str:
        return f"telegram:location:{chat_id}"

    def _location(self, message: TelegramMessage) -> dict[str, Any]:
        return {"lat": message.lat, "lon": message.lon, "at": datetime.now(UTC).timestamp()}


def _fresh(remembered: dict[str, Any]) -> bool:
    return datetime.now(UTC).timestamp() - float(remembered.get("at", 0)) <= LOCATION_TTL_S


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def call_bot_api(client: httpx.Client, token: str, method: str, payload: dict[str, Any]) -> Any:
    """Call a Bot API method and return its `result`; raise `InputError` with Telegram's own reason."""
    try:
        response = client.post(f"/bot{token}/{method}", json=payload)
    except httpx.HTTPError as exc:
        raise InputError(f"could not reach the Bot API for {method}: {exc}; check telegram_api_url") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("ok"):
        reason = body.get("description") if isinstance(body, dict) else None
        raise InputError(
            f"Telegram refused {method} ({response.status_code}: {reason or response.text[:200]}); "
            "check the bot token (CIVICPULSE_TELEGRAM_BOT_TOKEN) and the address"
        )
    return body.get("result")


def set_webhook(
    client: httpx.Client, token: str, url: str, secret: str, *, drop_pending: bool = False
) -> None:
    """Point the bot at `url`, with the secret Telegram will send in `X-Telegram-Bot-Api-Secret-Token`."""
    if not url.startswith("https://"):
        raise InputError(f"Telegram only calls https:// webhooks, not {url!r}; set CIVICPULSE_PUBLIC_URL")
    if not SECRET_TOKEN.fullmatch(secret):
        raise InputError(
            "set CIVICPULSE_TELEGRAM_WEBHOOK_SECRET first: 1-256 letters, digits, _ or - "
            "(the webhook refuses updates without it)"
        )
    payload = {
        "url": url,
        "secret_token": secret,
        "allowed_updates": list(ALLOWED_UPDATES),
        "drop_pending_updates": drop_pending,
    }
    call_bot_api(client, token, "setWebhook", payload)


def delete_webhook(client: httpx.Client, token: str, *, drop_pending: bool = False) -> None:
    """Stop Telegram calling the webhook (updates then wait on Telegram's side, unless dropped)."""
    call_bot_api(client, token, "deleteWebhook", {"drop_pending_updates": drop_pending})


def webhook_info(client: httpx.Client, token: str) -> dict[str, Any]:
    """Return Telegram's view of the webhook: url, pending_update_count, last_error_message, ..."""
    result = call_bot_api(client, token, "getWebhookInfo", {})
    return result if isinstance(result, dict) else {}
