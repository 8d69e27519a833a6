"""Margin sampling picks the items the model is least sure about."""

from __future__ import annotations

from civicpulse.understand.classify.stage import ClassifyStage
from civicpulse.understand.classify.uncertainty import margin_uncertainty, most_uncertain
from tests.factories import item


def test_margin_uncertainty() -> None:
    assert margin_uncertainty({"a": 0.5, "b": 0.5}) == 1.0
    assert margin_uncertainty({"a": 1.0, "b": 0.0}) == 0.0
    assert margin_uncertainty({"a": 1.0}) == 0.0


def test_most_uncertain_orders_and_skips_unlabelled() -> None:
    labelled = ClassifyStage().process_many(
        [item("Dịch vụ rất tốt, cảm ơn"), item("ờ thì cũng được"), item("Đường ngập quá tệ")]
    )
    picked = most_uncertain([*labelled, item("chưa phân loại")], "sentiment", limit=2)
    assert len(picked) == 2
    assert picked[0][1] >= picked[1][1]
    assert all(i.enrichment.labels for i, _ in picked)
