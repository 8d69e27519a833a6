"""Analysts' labels: stored with their history, latest wins, a stable holdout, and the replacement rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicpulse.errors import InputError
from civicpulse.store import Store
from civicpulse.store.labels import LabelCorrection, LabelTables, latest_labelled_items
from civicpulse.understand.classify.city_labels import (
    MIN_HOLDOUT,
    CityLabel,
    decide,
    retrain_on_labels,
    split_holdout,
)
from civicpulse.understand.classify.corpus import read_labelled
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
    with_ids = latest_labelled_items(store, "sentiment")
    assert [(i, label) for i, _, _, label in with_ids] == [(first, "negative"), (second, "positive")]


def _rows(n: int) -> list[CityLabel]:
    return [CityLabel(i, str(i), "a" if i % 3 else "b") for i in range(1, n + 1)]


def test_holdout_is_seeded_stable_and_keeps_every_label() -> None:
    train, held = split_holdout(_rows(60), 0.2, seed=1)
    assert len(train) + len(held) == 60
    assert {r.label for r in held} == {"a", "b"}
    assert split_holdout(_rows(60), 0.2, seed=1) == (train, held)
    assert split_holdout(_rows(60), 0.2, seed=2)[1] != held
    # More labels later: every item held out before stays held out.
    assert {r.item_id for r in held} <= {r.item_id for r in split_holdout(_rows(200), 0.2, seed=1)[1]}


def test_a_label_seen_once_always_trains() -> None:
    rows = [*_rows(30), CityLabel(999, "x", "c")]
    train, held = split_holdout(rows, 0.99, seed=1)
    assert CityLabel(999, "x", "c") in train
    assert {r.label for r in held} == {"a", "b"}


def test_rule_refuses_a_small_holdout_and_a_worse_candidate_and_accepts_a_tie() -> None:
    good, bad = {"macro_f1": 0.8}, {"macro_f1": 0.7}
    assert not decide(good, bad, MIN_HOLDOUT - 1).accepted
    assert "label more items" in decide(good, bad, MIN_HOLDOUT - 1).reason
    worse = decide(bad, good, 50)
    assert not worse.accepted
    assert "0.700 is below the current 0.800" in worse.reason
    assert decide(good, good, 50).accepted
    assert decide(good, bad, 50).accepted


def test_retrain_scores_new_and_current_models_on_the_holdout(tmp_path: Path) -> None:
    rows = [CityLabel(i, r.text, r.label) for i, r in enumerate(read_labelled(GATE), start=1)]
    done = retrain_on_labels("sentiment", rows, tmp_path / "m", load_default("sentiment"))
    assert set(done.card.metrics) == {"holdout", "current_model_on_holdout"}
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["metrics"]["holdout"]["items"] == done.holdout_items
    assert card["metrics"]["current_model_on_holdout"]["items"] == done.holdout_items
    assert done.holdout_items < MIN_HOLDOUT
    assert not done.decision.accepted


def test_too_few_labels_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="label at least"):
        retrain_on_labels("sentiment", [CityLabel(1, "tốt", "positive")], tmp_path, load_default("sentiment"))
