"""Analysts' labels: stored with their history, latest wins, and a retrain is scored on a holdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicpulse.errors import InputError
from civicpulse.store import Store
from civicpulse.store.labels import LabelCorrection, LabelTables
from civicpulse.understand.classify.city_labels import retrain_on_labels, split_holdout
from civicpulse.understand.classify.corpus import Labelled, read_labelled
from civicpulse.understand.classify.defaults import load_default
from tests.factories import item

GATE = Path(__file__).resolve().parents[2] / "fixtures" / "classify" / "sentiment_gate.jsonl"


def test_latest_correction_wins_and_history_is_kept(store: Store) -> None:
    stored = store.add_items([item("Đường ngập quá"), item("Cảm ơn phường")])
    labels = LabelTables(store)
    first, second = (i.id for i in stored)
    assert first is not None and second is not None
    labels.add(LabelCorrection(first, "sentiment", "neutral", previous="positive", analyst="an"))
    labels.add(LabelCorrection(first, "sentiment", "negative", previous="neutral", analyst="binh"))
    labels.add(LabelCorrection(second, "sentiment", "positive"))
    labels.add(LabelCorrection(second, "toxicity", "clean"))
    assert labels.count("sentiment") == 3
    assert sorted(label for _, _, label in labels.latest("sentiment")) == ["negative", "positive"]


def test_holdout_keeps_every_label() -> None:
    rows = [Labelled(str(i), "a" if i % 3 else "b") for i in range(30)]
    train, held = split_holdout(rows, 0.2, seed=1)
    assert len(train) + len(held) == 30
    assert {r.label for r in held} == {"a", "b"}


def test_retrain_scores_new_and_current_models_on_the_holdout(tmp_path: Path) -> None:
    rows = [("", r.text, r.label) for r in read_labelled(GATE)]
    done = retrain_on_labels("sentiment", rows, tmp_path / "m", load_default("sentiment"))
    assert set(done.card.metrics) == {"holdout", "current_model_on_holdout", "better_than_current"}
    assert json.loads((tmp_path / "m" / "card.json").read_text())["metrics"]["holdout"]["items"] == 6


def test_too_few_labels_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="label at least"):
        retrain_on_labels("sentiment", [("", "tốt", "positive")], tmp_path, load_default("sentiment"))
