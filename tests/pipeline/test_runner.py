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


class Batched(Scripted):
    """A scripted stage with a batch path that fails when the chunk holds an item needing an outcome."""

    name = "batched"

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def process_many(self, items: list[Item]) -> list[Item]:
        if any(item.text != "ok" for item in items):
            raise Retry("one of them is special")
        self.batches.append(len(items))
        return [replace(item, lang="vi") for item in items]


def test_a_batch_stage_gets_the_chunk_at_once(sqlite_store: Store) -> None:
    stage = Batched()
    pipeline = Pipeline(sqlite_store, [stage])
    assert pipeline.submit([factories.item("ok") for _ in range(5)]) == 5
    assert (stage.batches, stage.calls) == ([5], 0)


def test_a_failing_batch_falls_back_to_one_outcome_per_item(sqlite_store: Store) -> None:
    stage = Batched()
    pipeline = Pipeline(sqlite_store, [stage])
    items = [factories.item(t) for t in ("ok", "skip", "bad", "ok")]
    assert pipeline.submit(items) == 2
    assert pipeline.counts["batched.unbatched"] == 1
    assert pipeline.counts["batched.skipped"] == 1
    assert pipeline.counts["batched.quarantined"] == 1
    assert stage.batches == []
