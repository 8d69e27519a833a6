"""The runner handles every named outcome; stages only process."""

from __future__ import annotations

from dataclasses import replace

from civicpulse.errors import Quarantine, Retry, Skip
from civicpulse.models import Item
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store
from tests import factories


class Scripted:
    """A stage whose outcome depends on the item's text."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def process(self, item: Item) -> Item:
        self.calls += 1
        if item.text == "skip":
            raise Skip("not interesting")
        if item.text == "bad":
            raise Quarantine("cannot read")
        if item.text == "flaky" and self.calls < 2:
            raise Retry("busy", after_s=0)
        if item.text == "down":
            raise Retry("still down", after_s=0)
        return replace(item, lang="vi")


def test_outcomes_are_counted_and_bad_items_quarantined(sqlite_store: Store) -> None:
    stage = Scripted()
    pipeline = Pipeline(sqlite_store, [stage])
    items = [factories.item(t) for t in ("ok", "skip", "bad", "flaky", "down")]
    assert pipeline.submit(items) == 2
    assert pipeline.counts["done"] == 2
    assert pipeline.counts["scripted.skipped"] == 1
    assert pipeline.counts["scripted.quarantined"] == 2
    reasons = sorted(e.reason for e in sqlite_store.quarantined())
    assert reasons == ["cannot read", "gave up after 3 attempts: still down"]


def test_an_empty_pipeline_passes_items_through(sqlite_store: Store) -> None:
    assert Pipeline(sqlite_store, []).submit([factories.item("x")]) == 1
