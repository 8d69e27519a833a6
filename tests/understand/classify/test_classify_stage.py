"""The classify stage labels items through `dataclasses.replace`, one batch at a time."""

from __future__ import annotations

import dataclasses

from civicpulse.models import Enrichment
from civicpulse.understand.classify.batch import ClassifierSet
from civicpulse.understand.classify.defaults import load_defaults
from civicpulse.understand.classify.stage import ClassifyStage, item_text
from tests.factories import item


def test_stage_sets_every_label_and_keeps_the_rest() -> None:
    before = item("Công an gọi điện yêu cầu chuyển tiền vào tài khoản an toàn, gọi ngay 0912 345 678")
    before = dataclasses.replace(before, enrichment=Enrichment(lang="vi", labels={"topic": "x"}))
    after = ClassifyStage().process(before)
    labels = after.enrichment.labels
    assert set(labels) == {"topic", "sentiment", "toxicity", "concern", "scam"}
    assert labels["scam"]["label"] == "scam"
    assert {e["signal"] for e in labels["scam"]["evidence"]} >= {"fake_official", "money_transfer"}
    assert after.enrichment.lang == "vi"
    assert before.enrichment.labels == {"topic": "x"}  # the input item is untouched
    assert after.text == before.text


def test_process_many_equals_process_one_by_one() -> None:
    stage = ClassifyStage()
    items = [item("Cho hỏi làm căn cước ở đâu ạ?"), item("Đồ ngu, im mồm đi"), item("ok")]
    assert stage.process_many(items) == [stage.process(i) for i in items]


def test_stage_reads_analysis_text_first() -> None:
    base = item("raw text", title="Title")
    assert item_text(base) == "Title. raw text"
    enriched = dataclasses.replace(base, enrichment=Enrichment(analysis_text="normalised"))
    assert item_text(enriched) == "normalised"


def test_classifier_set_matches_each_model_alone() -> None:
    models = load_defaults()
    texts = ["dịch vụ rất tốt", "đường ngập quá tệ", "tuyển ctv việc nhẹ lương cao", ""]
    together = ClassifierSet(models).predict_many(texts)
    for model in models:
        for joint, alone in zip(together, model.predict_many(texts), strict=True):
            assert joint[model.name].label == alone.label
            for label, p in alone.probs.items():
                assert abs(joint[model.name].probs[label] - p) < 1e-5
