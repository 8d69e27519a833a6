"""Every classifier keeps the same contract: labels, probabilities summing to one, save and load."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.card import ModelCard, read_card
from civicpulse.understand.classify.estimators import RECIPES, EstimatorOptions
from civicpulse.understand.classify.features import FeatureSpec
from civicpulse.understand.classify.linear import LinearTextClassifier
from civicpulse.understand.classify.scam import ScamSignals
from civicpulse.understand.classify.storage import load_model, save_model

TEXTS = [
    "dịch vụ rất tốt, cảm ơn phường",
    "nhân viên nhiệt tình, hài lòng lắm",
    "tuyệt vời, rất hài lòng",
    "đường ngập quá, tệ hại",
    "rác bốc mùi, rất tệ",
    "chán quá, làm ăn tệ hại",
    "hôm nay phường họp lúc 8 giờ",
    "thông báo lịch cắt điện ngày mai",
    "lịch tiêm chủng tuần sau",
]
LABELS = ["positive"] * 3 + ["negative"] * 3 + ["neutral"] * 3
SMALL = FeatureSpec(buckets=2**12)


def linear(recipe: str = "svm") -> LinearTextClassifier:
    model = LinearTextClassifier("sentiment", spec=SMALL, options=EstimatorOptions(recipe=recipe))  # type: ignore[arg-type]
    model.learn_many(TEXTS, LABELS)
    return model


def scam() -> ScamSignals:
    return ScamSignals()


@pytest.mark.parametrize("make", [linear, scam], ids=["linear", "scam"])
def test_contract(make: object, tmp_path: Path) -> None:
    model: Classifier = make()  # type: ignore[operator]
    predictions = model.predict_many(TEXTS)
    assert len(predictions) == len(TEXTS)
    for prediction in predictions:
        assert prediction.label in model.labels
        assert set(prediction.probs) == set(model.labels)
        assert sum(prediction.probs.values()) == pytest.approx(1.0, abs=1e-6)
        assert prediction.confidence == max(prediction.probs.values())
    assert model.predict_one(TEXTS[0]) == predictions[0]
    assert model.predict_many([]) == []

    save_model(model, tmp_path / "m")
    again = load_model(tmp_path / "m")
    for before, after in zip(predictions, again.predict_many(TEXTS), strict=True):
        assert after.label == before.label
        for label, p in before.probs.items():
            assert after.probs[label] == pytest.approx(p, abs=2e-3)


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_recipe_learns_the_training_texts(recipe: str) -> None:
    model = linear(recipe)
    assert [p.label for p in model.predict_many(TEXTS)] == LABELS


def test_binary_labels_give_two_probabilities() -> None:
    model = LinearTextClassifier("toxicity", spec=SMALL)
    model.learn_many(["đồ ngu", "thằng chó", "cảm ơn bạn", "chúc mừng"], ["toxic", "toxic", "clean", "clean"])
    prediction = model.predict_one("đồ chó ngu")
    assert prediction.label == "toxic"
    assert set(prediction.probs) == {"clean", "toxic"}


def test_learn_many_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="as many labels"):
        LinearTextClassifier("x", spec=SMALL).learn_many(["a", "b"], ["c"])


def test_card_is_written_and_read(tmp_path: Path) -> None:
    card = ModelCard(name="sentiment", task="sentiment", labels=("negative",), created="2026-01-01", seed=13)
    save_model(linear(), tmp_path, card)
    assert read_card(tmp_path) == card
    assert (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8").startswith("# Model card: sentiment")


def test_loading_a_directory_without_a_model_says_what_to_do(tmp_path: Path) -> None:
    from civicpulse.errors import InputError

    with pytest.raises(InputError, match="civicpulse train"):
        load_model(tmp_path)


def test_char_grams_equal_scikit_learn_char_wb() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    from civicpulse.understand.classify.features import CharGrams, prepare

    text = prepare("Đường  ngập quá, a  bc xyzw trời ơi!!! https://x.vn/a 0912 345 678")
    ours = CharGrams(2, 5)(text)
    theirs = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).build_analyzer()(text)
    assert ours == theirs
