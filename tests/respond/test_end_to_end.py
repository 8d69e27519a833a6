"""The response loop end to end, on a replayed real stream, every notice through the delivery log.

The bundled Dân Trí stream (real headlines and ledes) is replayed, then a flood in Phường Thủ Đức builds up
and bursts → the pipeline raises a hotspot → a case is opened from the alert and routed to Thủ Đức → a
collaborator's Telegram report (secret-checked webhook) is attached and the chat hears of the case's status
→ a clarification is published → the portal page, its ClaimReview JSON-LD and the Atom feed parse back →
impact figures exist → the e-mails reach a real SMTP server on loopback → the morning briefings (city and
unit) are made on schedule, e-mailed, and the unit's PDF renders to PNG.
"""

from __future__ import annotations

import json
import random
import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from civicpulse.collect.ingest import Ingestor, RawEntry
from civicpulse.config import Settings
from civicpulse.demo import demo_entries, demo_rows
from civicpulse.models import ClaimAnswer, Clarification, Source, SourceKind
from civicpulse.pipeline.runner import Pipeline
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.reports.briefing import CITY_ZONE
from civicpulse.reports.schedule import DailyJobs
from civicpulse.respond.desk import ResponseDesk
from civicpulse.respond.notify import SMTP_CHECKPOINT
from civicpulse.respond.units import import_file
from civicpulse.store import Store
from civicpulse.store.detection import DetectionTables
from civicpulse.store.fieldreports import FieldReportTables
from civicpulse.store.notices import NoticeTables
from civicpulse.web.app import create_app
from tests.collect.test_field import TOKEN, BotApi, bot_api, update
from tests.pdf import assert_renders

from .conftest import THU_DUC
from .loopback import Hook, Inbox, attachments, subject

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["bot_api"]  # the Bot API stand-in's fixture, used here too
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SECRET = "s3cret-token"
STREETS = ("Võ Văn Ngân", "Kha Vạn Cân", "Đặng Văn Bi", "Lê Văn Việt", "Hoàng Diệu 2", "Tô Ngọc Vân")
SCENES = (
    "xe máy chết máy giữa đường",
    "nước tràn vào nhà dân",
    "học sinh phải nghỉ học",
    "cây xanh ngã đổ",
    "cống thoát nước quá tải",
    "người dân kê đồ lên cao",
)
WHEN = ("Sáng nay", "Chiều qua", "Đêm qua", "Từ 5 giờ sáng", "Gần trưa", "Rạng sáng")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def flood_post(n: int, at: datetime) -> RawEntry:
    """One of many differently worded reports of the same flood (copies would not count as a burst)."""
    pick = random.Random(n)
    first, second = pick.sample(STREETS, 2)
    scene, other = pick.sample(SCENES, 2)
    title = f"{pick.choice(WHEN)}, {first} (phường Thủ Đức) ngập {20 + n * 7 % 50} cm, {scene}"
    return RawEntry(
        title=title,
        text=f"{title}. Ở {second}, {other}; người dân {pick.choice(['bức xúc', 'lo lắng', 'phàn nàn'])}.",
        url=f"https://bao.example.vn/ngap-thu-duc-{n}",
        published_at=at,
        lang="vi",
    )


def replay(settings: Settings, store: Store, pipeline: Pipeline, end: datetime) -> None:
    """The real Dân Trí stream, then 30 hours of a quiet flood story and a burst in its last half hour."""
    demo = store.add_source(Source(name="Dân Trí", kind=SourceKind.IMPORT, url="demo:dantri"))
    flood = store.add_source(Source(name="Báo mẫu", kind=SourceKind.FEED, url="https://bao.example.vn/rss"))
    start = end - timedelta(hours=31)
    for source, entries in (
        (demo, list(demo_entries(demo_rows(), end=start - timedelta(hours=1)))),
        (flood, [flood_post(i, start + timedelta(minutes=30 * i)) for i in range(60)]),
        (
            flood,
            [flood_post(100 + i, end - timedelta(minutes=30) + timedelta(seconds=30 * i)) for i in range(30)],
        ),
    ):
        ingestor = Ingestor(store, origin="replay", source_id=source.id)
        ingestor.ingest(entries, pseudonym_key=settings.pseudonym_key)
        pipeline.submit(ingestor.new_items)


def test_the_response_loop_end_to_end(
    settings: Settings,
    sqlite_store: Store,
    smtp_server: tuple[Controller, Inbox],
    bot_api: str,
    tmp_path: Path,
) -> None:
    controller, inbox = smtp_server
    store, now = sqlite_store, datetime.now(UTC).replace(microsecond=0)
    press = Hook([200])
    try:
        settings = settings.model_copy(
            update={
                "portal_subscribers": ["mailto:press@example.vn", press.url],
                "briefing_subscribers": ["mailto:leaders@example.vn"],
                "portal_min_count": 5,
                "telegram_bot_token": TOKEN,
                "telegram_api_url": bot_api,
                "telegram_webhook_secret": SECRET,
            }
        )
        # The SMTP server, as `civicpulse recipients smtp` sets it; the ward's contact point, as imported.
        store.save_checkpoint(SMTP_CHECKPOINT, {"host": "127.0.0.1", "port": controller.port})
        contacts = tmp_path / "contacts.toml"
        contacts.write_text(f'[[unit]]\ncode = "{THU_DUC}"\ncontacts = ["mailto:ubnd@thuduc.example.vn"]\n')
        import_file(store, contacts)
        FieldReportTables(store).link_telegram("111", "ctv-lan", THU_DUC)
        pipeline = lay_pipe(settings, store)
        clock = Clock(now)
        with httpx.Client(base_url=bot_api) as telegram:
            desk = ResponseDesk(settings, store, pipeline, telegram=telegram, clock=clock).in_foreground()
            run_the_loop(settings, store, pipeline, desk, clock, inbox, press, tmp_path)
    finally:
        press.close()


def run_the_loop(
    settings: Settings,
    store: Store,
    pipeline: Pipeline,
    desk: ResponseDesk,
    clock: Clock,
    inbox: Inbox,
    press: Hook,
    tmp_path: Path,
) -> None:
    now = clock.at
    # → a hotspot appears on the replayed stream
    replay(settings, store, pipeline, end=now)
    hot = [
        a
        for a in DetectionTables(store).alerts()
        if a["subject_kind"] == "story" and THU_DUC in (a["explanation"] or {}).get("places", [])
    ]
    assert hot, "the flood burst raises a story alert placed in Thủ Đức"
    alert = hot[0]

    # → a case is opened from the alert and routed to the unit the story is about
    case, created = desk.cases.open_from_alert(int(alert["id"]), "analyst")
    assert created and case.units == (THU_DUC,) and str(case.status) == "assigned"
    assert "Thủ Đức" in case.title and "https://bao.example.vn/ngap-thu-duc-" in case.summary

    app = create_app(settings, store, pipeline, desk=desk)
    with TestClient(app, base_url="https://testserver") as public:
        # → a collaborator's Telegram report arrives through the secret-checked webhook and is attached
        message = update(message_id=41, text="Hẻm 12 Võ Văn Ngân nước vẫn chưa rút, 3 nhà có người già")
        assert public.post("/telegram/webhook", json=message).status_code == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        answer = public.post("/telegram/webhook", json=message, headers=headers).json()
        receipt = answer["report"]
        assert receipt and any(receipt in b["text"] for m, b in BotApi.calls if m == "sendMessage")
        [report] = FieldReportTables(store).reports()
        desk.cases.attach_report(case.id or 0, report.id or 0, "officer-thuduc")
        desk.transition(case.id or 0, "in_progress", "officer-thuduc")

        # → a clarification is published
        draft = desk.clarifications.save(
            Clarification(
                title_vi="Thông tin chính thức về ngập ở phường Thủ Đức",
                body_vi="Nước đã rút ở phần lớn các tuyến đường; trường học vẫn mở cửa.",
                claims=(ClaimAnswer(text="Trường học ở phường Thủ Đức đóng cửa vì ngập", verdict="false"),),
                sources=(("UBND phường Thủ Đức", "https://thuduc.example.gov.vn/thong-bao"),),
                story_ids=(case.story_id or 0,),
                case_ids=(case.id or 0,),
            ),
            "press-office",
        )
        published = desk.clarifications.publish(draft.id or 0, "press-office")

        # → the portal page, its ClaimReview JSON-LD and the Atom feed parse back
        page = public.get(f"/portal/{published.id}")
        assert page.status_code == 200 and "ctv-lan" not in page.text
        (review,) = json.loads(JSON_LD.search(page.text).group(1))  # type: ignore[union-attr]
        assert review["@type"] == "ClaimReview" and review["reviewRating"]["ratingValue"] == 1
        feed = feedparser.parse(public.get("/portal/feed.atom").content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.entries[0].title == published.title_vi

    # → impact figures exist a day after publication
    clock.at = now + timedelta(hours=25)
    impact = desk.impact(published)
    assert impact is not None and [h.hours for h in impact.horizons] == [24, 72, 168]

    # → the e-mails reach the SMTP server on loopback; the chat hears of the case; all in the delivery log
    assert desk.deliver_now() >= 4
    assert "Vụ việc mới được giao" in subject(inbox.to("ubnd@thuduc.example.vn")[0])
    assert "Thông tin chính thức" in subject(inbox.to("press@example.vn")[0])
    assert json.loads(press.received[0][1])["kind"] == "clarification.published"
    status = [b for m, b in BotApi.calls if m == "sendMessage" and "in_progress" in b["text"]]
    assert [str(b["chat_id"]) for b in status] == ["111"] and receipt in status[0]["text"]
    log = NoticeTables(store).deliveries()
    assert {r["kind"] for r in log} == {"case.assigned", "case.status", "clarification.published"}
    assert {r["status"] for r in log} == {"sent"}

    # → the morning briefings are made on schedule and e-mailed; the unit's PDF renders
    day = now.astimezone(CITY_ZONE).date()
    morning = datetime.combine(day + timedelta(days=1), datetime.min.time(), CITY_ZONE) + timedelta(hours=8)
    done = DailyJobs(settings, store, desk.cases, desk.notifier).tick(morning)
    assert f"briefing {day.isoformat()} {THU_DUC}" in done
    desk.deliver_now()
    [unit_mail] = [m for m in inbox.to("ubnd@thuduc.example.vn") if "Bản tin" in subject(m)]
    pdf = tmp_path / "unit.pdf"
    pdf.write_bytes(attachments(unit_mail)[f"{day.isoformat()}-{THU_DUC}.pdf"])
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Phường Thủ Đức" in text and "ngập" in text
    assert inbox.to("leaders@example.vn"), "the city's briefing goes to its subscribers"
    assert_renders(pdf, tmp_path)
