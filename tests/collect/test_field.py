"""Field reports: retry-safe intake, places from coordinates, photos without GPS, items in the pipeline,
and the Telegram bot against a local stand-in of the Bot API server, with update payloads as documented."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from click.testing import CliRunner
from PIL import Image

from civicpulse.cli import cli
from civicpulse.collect.field import FieldReports, Submission
from civicpulse.collect.telegram_bot import (
    TelegramBot,
    delete_webhook,
    parse_update,
    set_webhook,
    webhook_info,
)
from civicpulse.config import Settings, get_settings
from civicpulse.errors import InputError
from civicpulse.models import ItemKind, SourceKind
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.respond.cases import Cases
from civicpulse.respond.desk import ResponseDesk
from civicpulse.store import Store
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.store.notices import NoticeTables

THU_DUC = "26824"
TOKEN = "123456:TEST-token"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (10.0, 51.0, 0.0), "E", (106.0, 45.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def submission(**fields: Any) -> Submission:
    base: dict[str, Any] = {
        "text": "Bà con hỏi khi nào khơi thông cống ở đường Võ Văn Ngân",
        "reporter": "ctv-thuduc",
        "channel": "web",
        "idempotency_key": "key-1",
        "unit": THU_DUC,
    }
    return Submission(**(base | fields))


def test_a_retry_with_the_same_key_returns_the_first_receipt(settings: Settings, store: Store) -> None:
    field = FieldReports(store, settings, lay_pipe(settings, store))
    first, created = field.submit(submission())
    again, created_again = field.submit(submission(text="changed on retry"))
    assert created and not created_again
    assert again.id == first.id and again.receipt == first.receipt == f"BC-{first.id:06d}"
    assert len(FieldReportTables(store).reports()) == 1


def test_a_report_becomes_a_pseudonymous_field_item(settings: Settings, store: Store) -> None:
    report, _ = FieldReports(store, settings).submit(submission())
    item = store.item(report.item_id or 0)
    assert item is not None and item.kind == ItemKind.FIELD_REPORT
    assert item.author.startswith("a_") and "ctv" not in item.author
    (source,) = store.sources()
    assert source.kind == SourceKind.FIELD


def test_coordinates_pick_the_unit(settings: Settings, store: Store) -> None:
    field = FieldReports(store, settings)
    unit = field.gazetteer.unit(THU_DUC)
    assert unit is not None
    report, _ = field.submit(submission(unit="", lat=unit.lat, lon=unit.lon))
    assert report.unit == THU_DUC
    with pytest.raises(InputError, match="outside the city"):
        field.submit(submission(unit="", lat=21.03, lon=105.85, idempotency_key="hanoi"))
    with pytest.raises(InputError, match="say where"):
        field.submit(submission(unit="", idempotency_key="nowhere"))


def test_photos_lose_their_gps_and_non_images_are_refused(settings: Settings, store: Store) -> None:
    field = FieldReports(store, settings)
    report, _ = field.submit(submission(photo=jpeg_with_gps()))
    kept = settings.data_dir / report.photo_path
    with Image.open(kept) as image:
        assert 0x8825 not in image.getexif() and not image.getexif()
    with pytest.raises(InputError, match="not accepted"):
        field.submit(submission(photo=b"%PDF-1.4 not a photo", idempotency_key="pdf"))


# -- Telegram -----------------------------------------------------------------------------------------


class BotApi(BaseHTTPRequestHandler):
    """A stand-in of api.telegram.org: records calls, keeps the webhook, answers getFile, serves one photo.

    Chats in `blocked` answer 403 as Telegram does when a user has blocked the bot; a wrong token, 401.
    """

    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    photo = b""
    webhook: ClassVar[dict[str, Any]] = {}
    blocked: ClassVar[set[str]] = set()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        token, method = self.path.removeprefix("/bot").rsplit("/", 1)
        self.calls.append((method, body))
        if token != TOKEN:
            self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        elif method == "sendMessage" and str(body.get("chat_id")) in self.blocked:
            description = "Forbidden: bot was blocked by the user"
            self._answer(403, {"ok": False, "error_code": 403, "description": description})
        else:
            self._answer(200, {"ok": True, "result": self._result(method, body)})

    def _result(self, method: str, body: dict[str, Any]) -> Any:
        if method == "getFile":
            return {"file_id": body.get("file_id"), "file_path": "photos/file_1.jpg"}
        if method == "setWebhook":
            BotApi.webhook = {"url": body["url"], "secret_token": body.get("secret_token")}
        elif method == "deleteWebhook":
            BotApi.webhook = {}
        elif method == "getWebhookInfo":
            return {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        return True

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(self.photo, "image/jpeg")

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def bot_api() -> Iterator[str]:
    BotApi.calls = []
    BotApi.photo = jpeg_with_gps()
    BotApi.webhook = {}
    BotApi.blocked = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), BotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def bot(settings: Settings, store: Store, bot_api: str) -> Iterator[TelegramBot]:
    FieldReportTables(store).link_telegram("111", "ctv-thuduc", THU_DUC)
    with httpx.Client(base_url=bot_api) as client:
        yield TelegramBot(client, TOKEN, FieldReports(store, settings), store)


def update(kind: str = "message", **message: Any) -> dict[str, Any]:
    """An update shaped as the Bot API documents it (Update → Message with chat, from, date)."""
    body = {
        "message_id": 7,
        "from": {"id": 111, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
        "chat": {"id": 111, "first_name": "Lan", "type": "private"},
        "date": 1759300000,
    } | message
    return {"update_id": 900001, kind: body}


def replies() -> list[str]:
    return [body["text"] for method, body in BotApi.calls if method == "sendMessage"]


def test_a_text_message_becomes_a_report_and_gets_its_number(bot: TelegramBot) -> None:
    report = bot.handle(update(text="Nước ngập tới đầu gối ở hẻm 12"))
    assert report is not None and report.channel == "telegram" and report.unit == THU_DUC
    assert report.receipt in replies()[-1]
    assert bot.handle(update(text="Nước ngập tới đầu gối ở hẻm 12")) is not None  # a redelivery
    assert len(FieldReportTables(bot.store).reports()) == 1


def test_a_photo_with_caption_is_downloaded_without_gps(bot: TelegramBot, settings: Settings) -> None:
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 67, "file_size": 1200},
        {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 960, "file_size": 98000},
    ]
    report = bot.handle(update(message_id=8, photo=photo, caption="Cây đổ chắn đường"))
    assert report is not None and report.text == "Cây đổ chắn đường" and report.photo_path
    assert ("getFile", {"file_id": "large"}) in BotApi.calls
    with Image.open(Path(settings.data_dir) / report.photo_path) as image:
        assert not image.getexif()


def test_a_shared_location_places_the_next_report(bot: TelegramBot) -> None:
    unit = bot.reports.gazetteer.unit("26734") or bot.reports.gazetteer.units[0]
    assert bot.handle(update(message_id=9, location={"latitude": unit.lat, "longitude": unit.lon})) is None
    report = bot.handle(update(message_id=10, text="Mất điện cả khu phố"))
    assert report is not None and report.unit == unit.code and report.lat == unit.lat


def test_edits_unknown_updates_and_strangers_make_no_report(bot: TelegramBot) -> None:
    assert bot.handle(update("edited_message", text="sửa", edit_date=1759300100)) is None
    assert bot.handle({"update_id": 5, "callback_query": {"id": "1", "data": "x"}}) is None
    assert bot.handle({"update_id": 6, "my_chat_member": {}}) is None
    stranger = update(text="xin chào") | {"message": update(text="x")["message"] | {"from": {"id": 999}}}
    assert bot.handle(stranger) is None
    assert "999" in replies()[-1]
    assert FieldReportTables(bot.store).reports() == []


def test_status_tells_the_case(bot: TelegramBot, settings: Settings) -> None:
    report = bot.handle(update(text="Rác thải ùn ứ"))
    assert report is not None
    bot.handle(update(message_id=11, text=f"/status {report.receipt}"))
    assert "received" in replies()[-1]
    case, _ = Cases(bot.store, settings).open_from_field_report(report.id or 0, "analyst")
    assert case.units == (THU_DUC,)
    bot.handle(update(message_id=12, text=f"/status {report.receipt}"))
    assert f"case #{case.id}" in replies()[-1]


def test_parse_update_reads_the_documented_shapes() -> None:
    parsed = parse_update(update(text="hi", location={"latitude": 10.8, "longitude": 106.7}))
    assert parsed is not None and (parsed.chat_id, parsed.user_id, parsed.lat) == ("111", "111", 10.8)
    assert parse_update({"update_id": 1, "inline_query": {}}) is None


def test_case_status_changes_reach_the_chats_through_the_delivery_log(
    settings: Settings, store: Store, bot_api: str
) -> None:
    FieldReportTables(store).link_telegram("111", "ctv-thuduc", THU_DUC)
    FieldReportTables(store).link_telegram("222", "ctv-blocked", THU_DUC)
    BotApi.blocked = {"222"}
    configured = settings.model_copy(update={"telegram_bot_token": TOKEN, "telegram_api_url": bot_api})
    with httpx.Client(base_url=bot_api) as client:
        desk = ResponseDesk(configured, store, telegram=client).in_foreground()
        first = desk.telegram_update(update(text="Rác thải ùn ứ ở chợ"))
        blocked = update(message_id=30, text="Cống bị tắc") | {
            "message": update(message_id=30, text="Cống bị tắc")["message"]
            | {"from": {"id": 222}, "chat": {"id": 222, "type": "private"}}
        }
        second = desk.telegram_update(blocked)
        assert first is not None and second is not None
        case, _ = desk.cases.open_from_field_report(first.id or 0, "analyst")
        desk.cases.attach_report(case.id or 0, second.id or 0, "analyst")
        desk.transition(case.id or 0, "in_progress", "officer")
        assert replies()[-1].startswith(f"Đã nhận báo cáo số {second.receipt}")  # nothing sent yet
        assert desk.deliver_now() == 2
    sent = [b for m, b in BotApi.calls if m == "sendMessage" and "is now in_progress" in b["text"]]
    assert {(str(b["chat_id"]), b["text"].split(":")[0]) for b in sent} == {
        ("111", first.receipt),
        ("222", second.receipt),
    }
    rows = {r["target"]: r for r in NoticeTables(store).deliveries(kind="case.status")}
    assert rows["telegram:111"]["status"] == "sent"
    # A chat that blocked the bot can never be reached: dead at once, with Telegram's reason, not retried.
    assert rows["telegram:222"]["status"] == "dead" and "blocked" in rows["telegram:222"]["last_error"]
    assert [a["code"] for a in NoticeTables(store).log(rows["telegram:222"]["id"])] == [403]


def test_the_webhook_is_registered_with_its_secret_and_removed(bot_api: str) -> None:
    url = "https://civicpulse.example.vn/telegram/webhook"
    with httpx.Client(base_url=bot_api) as client:
        set_webhook(client, TOKEN, url, "s3cret-token_1")
        assert BotApi.webhook == {"url": url, "secret_token": "s3cret-token_1"}
        sent = dict(BotApi.calls)["setWebhook"]
        assert sent["allowed_updates"] == ["message", "edited_message"]
        assert webhook_info(client, TOKEN)["url"] == url
        delete_webhook(client, TOKEN)
        assert webhook_info(client, TOKEN)["url"] == ""
        with pytest.raises(InputError, match="Unauthorized"):
            set_webhook(client, "999:wrong", url, "s3cret-token_1")
        with pytest.raises(InputError, match="https://"):
            set_webhook(client, TOKEN, "http://civicpulse.example.vn/telegram/webhook", "s3cret")
        with pytest.raises(InputError, match="WEBHOOK_SECRET"):
            set_webhook(client, TOKEN, url, "")
        with pytest.raises(InputError, match="WEBHOOK_SECRET"):
            set_webhook(client, TOKEN, url, "not allowed: spaces")


def test_the_telegram_cli_talks_to_the_bot_api(
    bot_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVICPULSE_TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("CIVICPULSE_TELEGRAM_API_URL", bot_api)
    monkeypatch.setenv("CIVICPULSE_PUBLIC_URL", "https://civicpulse.example.vn/")
    get_settings.cache_clear()
    runner = CliRunner()
    refused = runner.invoke(cli, ["telegram", "set-webhook"])
    assert refused.exit_code != 0 and "WEBHOOK_SECRET" in str(refused.exception)
    monkeypatch.setenv("CIVICPULSE_TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    get_settings.cache_clear()
    done = runner.invoke(cli, ["telegram", "set-webhook"])
    assert done.exit_code == 0, done.output
    assert BotApi.webhook == {
        "url": "https://civicpulse.example.vn/telegram/webhook",
        "secret_token": "s3cret-token",
    }
    info = runner.invoke(cli, ["telegram", "webhook-info", "--json"])
    assert json.loads(info.output)["url"] == BotApi.webhook["url"]
    assert runner.invoke(cli, ["telegram", "delete-webhook", "--drop-pending"]).exit_code == 0
    assert BotApi.webhook == {} and dict(BotApi.calls)["deleteWebhook"] == {"drop_pending_updates": True}
    get_settings.cache_clear()
