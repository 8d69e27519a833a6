"""`civicpulse train --from-store` and `civicpulse models history|active`, end to end on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.store import open_store
from tests.understand.classify.test_model_swaps import BLAME, PRAISE, _label, _phrases


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    get_settings.cache_clear()
    runner = CliRunner()
    assert invoke(runner, "db", "upgrade").exit_code == 0
    yield runner
    get_settings.cache_clear()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=True)


def test_retrain_from_store_swaps_and_history_shows_it(run: CliRunner, tmp_path: Path) -> None:
    assert "No retrained model" in invoke(run, "models", "history").output
    store = open_store(get_settings().store_url)
    _label(store, _phrases(PRAISE, BLAME))
    out = tmp_path / "candidate"
    result = invoke(run, "train", "sentiment", "--from-store", "--out", str(out), "--by", "an")
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert decision["accepted"] is True
    assert decision["previous"] == "shipped:sentiment"
    assert decision["decided_by"] == "an"
    assert decision["command"] == f"civicpulse train sentiment --from-store --seed 13 --out {out} --by an"

    history = json.loads(invoke(run, "models", "history", "--json").output)
    assert [h["id"] for h in history] == [decision["id"]]
    assert "accepted" in invoke(run, "models", "history", "--task", "sentiment").output
    active = {row["task"]: row for row in json.loads(invoke(run, "models", "active").output)}
    assert active["sentiment"]["model"] == str(tmp_path / "data" / "classifiers" / "sentiment")
    assert active["sentiment"]["last_swap"]["id"] == decision["id"]
    assert active["toxicity"] == {"task": "toxicity", "model": "shipped:toxicity", "last_swap": None}


def test_retrain_with_no_labels_says_what_to_do(run: CliRunner, tmp_path: Path) -> None:
    result = invoke(run, "train", "sentiment", "--from-store", "--out", str(tmp_path / "m"))
    assert result.exit_code != 0
    assert "label at least" in str(result.exception)
