"""Labelling by keyboard in a real Chromium: the most uncertain item is in focus, a digit labels it."""

from __future__ import annotations

from typing import Any

import pytest

from civicpulse.store.labels import LabelTables
from tests.browser.conftest import Served, sign_in

pytestmark = pytest.mark.browser


def test_label_the_most_uncertain_items_with_the_keyboard(page: Any, served: Served) -> None:
    sign_in(page)
    page.click("nav.menu >> text=Gán nhãn")
    first = page.locator(".label-item").first
    first_id = int(first.get_attribute("data-item"))
    assert page.evaluate("document.activeElement.dataset.item") == str(first_id)
    page.keyboard.press("1")  # negative
    notice = page.locator("p.notice[role=status]")
    notice.wait_for()
    assert notice.inner_text() == f"Đã lưu nhãn cho tin #{first_id}."
    assert LabelTables(served.store).current([first_id], "sentiment") == {first_id: "negative"}
    assert page.locator(f".label-item[data-item='{first_id}']").count() == 0  # labelled, so off the queue
    page.keyboard.press("j")
    second_id = int(page.evaluate("document.activeElement.dataset.item"))
    assert second_id == int(page.locator(".label-item").nth(1).get_attribute("data-item"))
    page.keyboard.press("3")  # positive
    page.wait_for_url(f"**done={second_id}")
    assert LabelTables(served.store).current([second_id], "sentiment") == {second_id: "positive"}


def test_correct_another_label_of_an_item(page: Any, served: Served) -> None:
    sign_in(page)
    page.goto("/labels?task=toxicity")
    item_id = int(page.locator(".label-item").first.get_attribute("data-item"))
    page.click(f".label-item[data-item='{item_id}'] >> text=mọi nhãn của tin này")
    row = page.locator("tr[data-task=concern]")
    row.locator("select").select_option("help_request")
    row.locator("button").click()
    assert page.locator("tr[data-task=concern] .analyst-label").inner_text() == "Cần giúp đỡ"
    assert LabelTables(served.store).current([item_id], "concern") == {item_id: "help_request"}
