"""The response loop end to end on a replayed stream: a story appears → a case is routed to the right unit →
a collaborator's report is attached → a clarification is published → portal, Atom feed and ClaimReview parse
→ impact figures exist → the e-mail reaches a real SMTP server on loopback → the briefing PDF renders."""

from __future__ import annotations

import json
import re
import socket
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import feedparser
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from civicpulse.config import Settings
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.reports.briefing import CITY_ZONE
from civicpulse.reports.schedule import DailyJobs, write_briefing
from civicpulse.respond.desk import ResponseDesk
from civicpulse.respond.notify import SMTP_CHECKPOINT
from civicpulse.store import Store
from civicpulse.web.app import create_app
from tests.pdf import assert_renders
from tests.respond.conftest import THU_DUC, replay_flood
from tests.web.conftest import BASE_URL, make_user, sign_in

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks its own server, so it cannot take port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_the_response_loop(
    settings: Settings, sqlite_store: Store, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    settings = settings.model_copy(
        update={
            "portal_subscribers": ["mailto:press@example.vn"],
            "briefing_subscribers": ["mailto:leaders@example.vn"],
            "portal_min_count": 5,
        }
    )
    store, now = sqlite_store, datetime.now(UTC).replace(microsecond=0)
    store.save_checkpoint(
        SMTP_CHECKPOINT, {"host": "127.0.0.1", "port": port, "sender": "civicpulse@example.vn"}
    )
    pipeline = lay_pipe(settings, store)
    clock = Clock(now)
    desk = ResponseDesk(settings, store, pipeline, clock=clock)
    # A story appears: 24 posts over the 48 hours before now.
    story_id = replay_flood(settings, store, pipeline, start=now - timedelta(hours=48))

    with (
        TestClient(create_app(settings, store, pipeline, desk=desk), base_url=BASE_URL) as analyst,
        TestClient(create_app(settings, store, pipeline, desk=desk), base_url=BASE_URL) as collaborator,
        TestClient(create_app(settings, store, pipeline, desk=desk), base_url=BASE_URL) as public,
    ):
        make_user(analyst, "analyst", "analyst")
        make_user(analyst, "lan", "collaborator", (THU_DUC,))
        sign_in(analyst, "analyst")
        sign_in(collaborator, "lan")

        # → a case is opened and routed to the unit the story is about
        opened = analyst.post(
            "/api/cases", json={"origin": "story", "story_id": story_id, "severity": "high"}
        )
        assert opened.status_code == 201, opened.text
        case = opened.json()
        assert case["units"] == [THU_DUC] and case["status"] == "assigned"
        assert analyst.get(f"/api/stories/{story_id}/case").json()["id"] == case["id"]

        # → a collaborator's field report (retried once on a flaky connection) is attached
        report = {"text": "Người dân hẻm 12 hỏi bao giờ hút nước", "idempotency_key": "k-1", "unit": THU_DUC}
        receipt = collaborator.post("/api/field-reports", json=report).json()
        assert collaborator.post("/api/field-reports", json=report).json() == receipt | {"duplicate": True}
        attached = analyst.post(f"/api/cases/{case['id']}", json={"report_id": receipt["id"]})
        assert attached.status_code == 200, attached.text
        detail = analyst.get(f"/api/cases/{case['id']}").json()
        assert [r["receipt"] for r in detail["reports"]] == [receipt["receipt"]]
        assert detail["reports"][0]["reporter"] != "lan"  # the analyst is outside the unit: no name

        # → a clarification is published
        form = {
            "title_vi": "Thông tin chính thức về ngập ở phường Thủ Đức",
            "body_vi": "Nước đã rút; trường học vẫn mở cửa. Tin trường học đóng cửa là sai sự thật.",
            "title_en": "",
            "body_en": "",
            "claims": "false | Trường học ở phường Thủ Đức đóng cửa vì ngập | https://social.example/p/1",
            "sources": "UBND phường Thủ Đức | https://thuduc.example.gov.vn/thong-bao",
            "story_ids": str(story_id),
            "case_ids": str(case["id"]),
            "publish": "1",
        }
        saved = analyst.post("/clarifications", data=form, follow_redirects=False)
        assert saved.status_code == 303, saved.text
        clarification_id = int(saved.headers["location"].rsplit("/", 1)[-1])

        # → the portal page, its ClaimReview JSON-LD and the Atom feed parse back
        page = public.get(f"/portal/{clarification_id}")
        assert page.status_code == 200
        assert not re.search(r"a_[0-9a-f]{20}", page.text)  # no author pseudonym on the public page
        (review,) = json.loads(JSON_LD.search(page.text).group(1))  # type: ignore[union-attr]
        assert review["@type"] == "ClaimReview" and review["reviewRating"]["ratingValue"] == 1
        assert review["claimReviewed"].startswith("Trường học")
        feed = feedparser.parse(public.get("/portal/feed.atom").content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.entries[0].title == form["title_vi"]
        assert feed.entries[0].link.endswith(f"/portal/{clarification_id}")
        found = public.get("/api/portal/clarifications", params={"q": "thu duc"}).json()
        assert [c["id"] for c in found["clarifications"]] == [clarification_id]
        assert found["clarifications"][0]["case_ids"] == []  # internal links stay inside
        assert public.get("/api/cases").status_code == 401

        # → impact figures exist (a day after publication)
        clock.at = now + timedelta(hours=25)
        impact = analyst.get(f"/api/clarifications/{clarification_id}").json()["impact"]
        assert [h["hours"] for h in impact] == [24, 72, 168]
        assert impact[0]["complete"] and impact[0]["expected"] is not None
        assert impact[0]["velocity_before"] > 0 and impact[0]["repeating_before"] is not None
        assert "<svg" in analyst.get(f"/clarifications/{clarification_id}").text

    # → the e-mail reached the SMTP server on loopback (through the delivery log: send what is due now)
    desk.deliver_now()
    (mail,) = [m for m in inbox.messages if "press@example.vn" in m["To"]]
    assert "Thông tin chính thức" in mail["Subject"]

    # → the briefing PDF renders, and the scheduled job e-mails it
    day = now.astimezone(CITY_ZONE).date()
    pdf = write_briefing(store, day, tmp_path / "briefing.pdf", now=now + timedelta(hours=1))
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Bản tin sáng" in text and "Thủ Đức" in text
    assert_renders(pdf, tmp_path)
    jobs = DailyJobs(settings, store, desk.cases, desk.notifier)
    tomorrow_morning = datetime.combine(day + timedelta(days=1), datetime.min.time(), CITY_ZONE) + timedelta(
        hours=8
    )
    assert f"briefing {day.isoformat()}" in jobs.tick(tomorrow_morning)
    assert jobs.tick(tomorrow_morning + timedelta(minutes=1)) == []
    desk.deliver_now()
    (briefing,) = [m for m in inbox.messages if "leaders@example.vn" in m["To"]]
    assert [p.get_content_type() for p in briefing.walk()][-1] == "application/pdf"
