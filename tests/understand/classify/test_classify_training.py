"""Training and evaluation through the CLI, exactly as EVAL.md specifies, on small files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.understand.classify.calibration import fit_temperature, softmax
from civicpulse.understand.classify.card import read_card
from civicpulse.understand.classify.weak_labels import split_toxic

GATES = Path(__file__).resolve().parents[2] / "fixtures" / "classify"
EVAL_KEYS = {"items", "accuracy", "macro_f1", "weighted_f1", "per_class", "items_per_s", "model"}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_train_then_eval_round_trip(tmp_path: Path) -> None:
    data = GATES / "sentiment_gate.jsonl"
    code, out = invoke(
        "train", "sentiment", "--data", str(data), "--dev", str(data), "--out", str(tmp_path / "m")
    )
    assert code == 0, out
    assert json.loads(out)["dev"]["items"] == 30
    card = read_card(tmp_path / "m")
    assert card is not None and card.seed == 13 and card.data[0].rows == 30
    assert (tmp_path / "m" / "MODEL_CARD.md").exists()

    code, out = invoke("eval", "sentiment", str(data), "--model", str(tmp_path / "m"))
    assert code == 0, out
    scores = json.loads(out)
    assert set(scores) == EVAL_KEYS
    assert scores["accuracy"] == 1.0  # it was trained on these very rows
    assert set(scores["per_class"]["neutral"]) == {"precision", "recall", "f1", "support"}


def test_eval_uses_the_shipped_model_by_default() -> None:
    code, out = invoke("eval", "toxicity", str(GATES / "toxicity_gate.jsonl"))
    assert code == 0
    assert json.loads(out)["model"] == "shipped:toxicity"


def test_bad_label_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "1", "text": "a", "label": "positive"}\n{"id": "2", "text": "b", "label": "meh"}\n'
    )
    result = CliRunner().invoke(cli, ["eval", "sentiment", str(bad)])
    assert result.exit_code != 0
    assert "bad.jsonl:2" in str(result.exception)


def test_train_needs_data_or_shipped(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["train", "toxicity", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--data" in result.output


def test_vihos_toxic_labels_are_split_by_target() -> None:
    assert split_toxic("đường gì mà ngập vl", "toxic") == "offensive"
    assert split_toxic("thằng kia ngu vl", "toxic") == "hate"
    assert split_toxic("bọn bắc kỳ", "toxic") == "hate"
    assert split_toxic("hôm nay trời đẹp", "clean") == "clean"


def test_temperature_recovers_a_known_scale() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 3)) * 3.0
    gold = np.array([rng.choice(3, p=p) for p in softmax(logits)])
    # Scores twice too sharp need a temperature of about 2 to be calibrated again.
    assert abs(fit_temperature(logits * 2.0, gold) - 2.0) < 0.2
