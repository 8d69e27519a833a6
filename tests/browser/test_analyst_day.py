"""An analyst's morning in a real Chromium: sign in, hotspots, a story, an alert, a topic, language, out."""

from __future__ import annotations

from typing import Any

import pytest

from civicpulse.store.access import AccessTables
from civicpulse.store.detection import DetectionTables
from tests.browser.conftest import Served, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_and_see_hotspots_with_their_reasons(page: Any) -> None:
    sign_in(page)
    hotspots = page.locator("#hotspots .hotspot")
    assert hotspots.count() >= 3  # the showcase's three, and any the detect stage raised on the demo
    assert "gấp 10.5 lần mức thường" in hotspots.first.inner_text()
    assert page.locator("svg.map path.cell").count() == 168


def test_open_a_story_from_the_stories_list(page: Any, served: Served) -> None:
    sign_in(page)
    page.click("nav.menu >> text=Câu chuyện")
    page.click(f"a.story-title[href='/stories/{served.ids['story']}']")
    assert page.locator("h1.story-heading").is_visible()
    assert page.locator("svg.chart rect.bar").count() > 0
    assert page.locator("#claims").inner_text().count("Uống nước chanh") == 1


def test_acknowledge_an_alert(page: Any, served: Served) -> None:
    sign_in(page)
    page.click("#hotspots .hotspot-link >> nth=0")
    page.click("button[name=action][value=acknowledged]")
    assert page.locator("p.notice[role=status]").inner_text() == "Đã ghi nhận cảnh báo."
    assert DetectionTables(served.store).alert(served.ids["alert"])["status"] == "acknowledged"


def test_a_topic_with_a_syntax_error_shows_where(page: Any) -> None:
    sign_in(page)
    page.goto("/topics/new")
    page.fill("input[name=name]", "Ngập Thủ Đức")
    page.locator("#topic-query").press_sequentially('ngập AND ("Thủ Đức"', delay=5)
    error = page.locator("#query-status .query-error")
    error.wait_for()
    assert error.locator("p").inner_text() == "Lỗi cú pháp: dấu '(' này chưa được đóng (cột 10)"
    assert error.locator("pre.caret").inner_text().endswith("\n" + " " * 9 + "^")  # under the "("
    page.click("button[name=action][value=save]")  # the server refuses it too, with the same caret
    assert page.locator(".query-error pre.caret").is_visible()
    assert "dấu '(' này chưa được đóng" in page.locator(".query-error p").inner_text()
    page.locator("#topic-query").fill('ngập AND "Thủ Đức"')
    page.locator("#query-status .ok-text").wait_for()


def test_switch_language_and_sign_out(page: Any, browser: Any, served: Served) -> None:
    sign_in(page)
    page.click(".langs button[value=en]")
    assert page.locator("#hotspots h2").inner_text().startswith("Hotspots now")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/alerts")
    assert page.locator("h1").inner_text().startswith("Alerts")  # the choice is remembered
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login**")
    page.goto("/")
    assert "/login" in page.url
    # Another browser, no cookies: signing in again brings the account's language back.
    elsewhere = browser.new_context(base_url=served.url, locale="vi-VN").new_page()
    try:
        sign_in(elsewhere)
        assert elsewhere.locator("html").get_attribute("lang") == "en"
        assert elsewhere.locator("#hotspots h2").inner_text().startswith("Hotspots now")
        elsewhere.click(".langs button[value=vi]")
        assert elsewhere.locator("html").get_attribute("lang") == "vi"
    finally:
        elsewhere.context.close()
        tables = AccessTables(served.store)  # the other tests read Vietnamese, whatever happened here
        ana = tables.user_by_name("ana")
        assert ana is not None
        tables.update_user(ana.id, ana.updated_at, language="")
