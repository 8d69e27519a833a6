"""Quality gates on labelled passages (the full numbers come from `civicpulse eval places`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.errors import InputError
from civicpulse.eval.places import PlaceScores, run_places_eval
from tests.understand.places.conftest import OWN_SET, shared


@pytest.mark.parametrize("fold_text", [False, True])
def test_own_labelled_passages(fold_text: bool) -> None:
    scores = run_places_eval(OWN_SET, fold_text=fold_text)
    assert scores["items"] == 47
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.95


@pytest.mark.parametrize("fold_text", [False, True])
def test_shared_dev_set(fold_text: bool) -> None:
    scores = run_places_eval(shared("hcmc_places_dev.jsonl"), fold_text=fold_text)
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.90


def test_scores_follow_the_contract() -> None:
    scores = PlaceScores()
    scores.add({"1", "2"}, [{"1", "3"}])  # one right code, one wrong; the place is found
    scores.add(set(), [{"4"}])  # a place missed
    scores.add(set(), [])  # a negative kept empty
    out = scores.as_dict()
    assert (out["precision"], out["recall"], out["exact_rows"]) == (0.5, 0.5, 1)


def test_bad_input_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "x", "units": []}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2"):
        run_places_eval(path)
    path.write_text(json.dumps({"id": "1", "text": "x", "units": ["27142"]}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="list of lists"):
        run_places_eval(path)


def test_the_cli_finds_lists_and_scores() -> None:
    runner = CliRunner()
    found = runner.invoke(cli, ["places", "find", "P.14, Q3, TP.HCM"])
    assert found.exit_code == 0 and "27142" in found.output and "Nhiêu Lộc" in found.output
    units = runner.invoke(cli, ["places", "units", "--json"])
    assert units.exit_code == 0 and len(units.output.splitlines()) == 168
    scored = runner.invoke(cli, ["places", "eval", str(OWN_SET)])
    assert scored.exit_code == 0 and json.loads(scored.output)["items"] == 47


def test_eval_places_prints_the_contract_keys() -> None:
    result = CliRunner().invoke(cli, ["eval", "places", str(OWN_SET)])
    assert result.exit_code == 0
    scores = json.loads(result.output)
    assert {"items", "precision", "recall", "f1", "exact_rows", "items_per_s"} <= set(scores)
