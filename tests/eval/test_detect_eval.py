"""`civicpulse eval detect`: the EVAL.md contract, the scorer's rules, bad input, and the quality gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.errors import InputError
from civicpulse.eval.detect import Recorder, check_rows, evaluate_detect, score_alerts
from civicpulse.eval.streams import write_gate_stream

KEYS = {
    "items",
    "events",
    "events_detected",
    "recall",
    "median_delay_s",
    "p90_delay_s",
    "alerts",
    "true_alerts",
    "alert_precision",
    "false_alerts_per_day",
    "items_per_s",
}
# Pinned floors on the synthetic stream (measured with term bursts: recall 1.0, precision 0.833,
# 0.33 false/day, median 277 s; before them precision 0.8, median 318 s).
FLOORS = {"recall": 1.0, "alert_precision": 0.8}
CEILINGS = {"false_alerts_per_day": 0.5, "median_delay_s": 450.0}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return evaluate_detect(write_gate_stream(tmp_path_factory.mktemp("detect") / "synthetic.jsonl"))


def test_output_has_the_contract_keys_and_the_baseline(result: dict[str, Any]) -> None:
    assert set(result) >= KEYS
    assert KEYS - {"items_per_s"} <= set(result["baseline_emm"])


def test_quality_gate(result: dict[str, float]) -> None:
    for key, floor in FLOORS.items():
        assert result[key] >= floor, f"{key} fell below its floor"
    for key, ceiling in CEILINGS.items():
        assert result[key] <= ceiling, f"{key} rose above its ceiling"


def test_scoring_follows_eval_md() -> None:
    recorder = Recorder()
    story, mixed = ("story", "1"), ("story", "2")
    times = [float(t) for t in range(10)]
    for t in times:
        recorder.event_times["e"].append(t)
        recorder.members[story].append((t, "e"))
        recorder.members[mixed].append((t, None if t < 6 else "e"))
    recorder.items, recorder.days = 10, {0}
    scored = score_alerts([(mixed, 9.0), (story, 3.0), (story, 8.0)], recorder)
    assert scored["events_detected"] == 1
    assert scored["median_delay_s"] == -1.0, "detected at 3, onset at the 5th row (t=4)"
    assert scored["true_alerts"] == 2, "the mixed story is mostly background at alert time"
    assert scored["alert_precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert scored["false_alerts_per_day"] == 1.0


def test_bad_input_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "a", "event": null}\n{"id": "2", "text": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: `event` is missing"):
        check_rows(bad)
    bad.write_text('{"id": "1", "text": "a", "event": null}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["eval", "detect", str(bad)], standalone_mode=False, catch_exceptions=True
    )
    assert isinstance(result.exception, InputError)


def test_a_repeated_id_is_one_post_delivered_twice(tmp_path: Path) -> None:
    rows = tmp_path / "repeat.jsonl"
    line = json.dumps({"id": "1", "text": "a", "event": None})
    rows.write_text(f"{line}\n{line}\n", encoding="utf-8")
    assert check_rows(rows) == 1
