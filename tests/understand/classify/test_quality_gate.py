"""Quality gates (STYLE.md 21): the shipped models on small labelled sets written for civicpulse.

The sets (tests/fixtures/classify/*_gate.jsonl, 20-30 rows each) are not in the training seed lists;
the floors sit a little under what the shipped models scored when they were built (decision 0030).
Full evaluations run through `civicpulse eval`, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from civicpulse.understand.classify.corpus import read_labelled
from civicpulse.understand.classify.defaults import load_default
from civicpulse.understand.classify.scoring import score_predictions

GATES = Path(__file__).resolve().parents[2] / "fixtures" / "classify"
FLOORS = {"sentiment": 0.78, "toxicity": 0.88, "concern": 0.82, "scam": 0.90}


@pytest.mark.parametrize("task", sorted(FLOORS))
def test_shipped_model_stays_above_its_floor(task: str) -> None:
    rows = read_labelled(GATES / f"{task}_gate.jsonl")
    model = load_default(task)
    predicted = [p.label for p in model.predict_many([r.text for r in rows])]
    scores = score_predictions([r.label for r in rows], predicted, model.labels)
    assert scores["macro_f1"] >= FLOORS[task], scores


def test_shipped_models_were_trained_on_open_data_only() -> None:
    from civicpulse.understand.classify.card import read_card
    from civicpulse.understand.classify.defaults import SHIPPED, shipped_dir

    research_only = ("uit", "vsfc", "vihsd", "vlsp")
    for name in SHIPPED:
        card = read_card(shipped_dir(name))
        assert card is not None, name
        assert card.data, name
        for source in card.data:
            assert not any(r in source.name.lower() for r in research_only), (name, source)
            assert source.licence, (name, source)


def test_shipped_models_are_small() -> None:
    from civicpulse.understand.classify.defaults import SHIPPED, shipped_dir

    for name in SHIPPED:
        size = sum(f.stat().st_size for f in shipped_dir(name).iterdir())
        assert size < 4_000_000, (name, size)
