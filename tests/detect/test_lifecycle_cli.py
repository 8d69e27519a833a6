"""Alert lifecycle, feedback that tunes sensitivity, and the alerts / recipients commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.detect.lifecycle import MAX_ADJUSTMENT, give_feedback, move, multiplier, set_preset
from civicpulse.errors import InputError
from civicpulse.store import Store, open_store
from civicpulse.store.detection import DetectionTables

NOW = datetime(2025, 9, 1, 3, 0, tzinfo=UTC)


def make_alert(tables: DetectionTables, scope: str = "topic:3") -> int:
    row = {
        "subject_kind": "topic",
        "subject_id": "3",
        "scope": scope,
        "status": "new",
        "level": 1,
        "score": 0.5,
        "headline": "topic 3: 12 items in the last hour",
        "explanation": {},
        "opened_at": NOW,
        "escalated_at": None,
        "feedback": "",
    }
    return tables.save([], [row], [], None)[0]


def test_lifecycle_moves_and_refuses_the_rest(store: Store) -> None:
    tables = DetectionTables(store)
    alert_id = make_alert(tables)
    move(tables, alert_id, "acknowledged", "lan")
    move(tables, alert_id, "case_opened", "lan")
    with pytest.raises(InputError, match="can move to: none"):
        move(tables, alert_id, "dismissed")
    assert [h["action"] for h in tables.history(alert_id)] == ["new", "acknowledged", "case_opened"]
    assert tables.history(alert_id)[1]["actor"] == "lan"


def test_noise_raises_the_threshold_and_useful_lowers_it(store: Store) -> None:
    tables = DetectionTables(store)
    first, second = make_alert(tables), make_alert(tables)
    assert give_feedback(tables, first, "noise") == pytest.approx(1.15)
    assert give_feedback(tables, first, "noise") == pytest.approx(1.15), "the same verdict twice counts once"
    assert give_feedback(tables, second, "useful") == pytest.approx(1.15 * 0.95)
    row = tables.sensitivities()["topic:3"]
    assert (row["noise"], row["useful"]) == (1, 1)
    set_preset(tables, "topic:3", "high")
    assert multiplier(tables.sensitivities()["topic:3"]) == pytest.approx(0.75 * 1.15 * 0.95)
    for _ in range(30):
        give_feedback(tables, make_alert(tables), "noise")
    assert tables.sensitivities()["topic:3"]["adjustment"] == pytest.approx(MAX_ADJUSTMENT)


def test_cli_lists_moves_and_configures_recipients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    get_settings.cache_clear()
    env: dict[str, str] = {}
    store = open_store(get_settings().store_url, upgrade=True)
    alert_id = make_alert(DetectionTables(store))
    store.close()
    runner = CliRunner()
    listed = runner.invoke(cli, ["alerts", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)[0]["id"] == alert_id
    assert runner.invoke(cli, ["alerts", "move", str(alert_id), "acknowledged"], env=env).exit_code == 0
    assert runner.invoke(cli, ["alerts", "feedback", str(alert_id), "useful"], env=env).exit_code == 0
    assert runner.invoke(cli, ["alerts", "sensitivity", "topic:3", "low"], env=env).exit_code == 0
    added = runner.invoke(
        cli,
        [
            "recipients",
            "add",
            "--webhook",
            "https://chat.example.org/h",
            "--topic",
            "3",
            "--quiet-hours",
            "22-06",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert (
        runner.invoke(cli, ["recipients", "add", "--email", "a@b.vn", "--digest", "daily"], env=env).exit_code
        == 0
    )
    bad = runner.invoke(cli, ["recipients", "add", "--email", "a@b.vn", "--quiet-hours", "25-3"], env=env)
    assert bad.exit_code != 0
    shown = json.loads(runner.invoke(cli, ["recipients", "list", "--json"], env=env).output)
    assert [(r["kind"], r["topics"], r["digest"]) for r in shown] == [
        ("webhook", [3], ""),
        ("email", [], "daily"),
    ]
    assert "secret" not in shown[0]
    stats = json.loads(runner.invoke(cli, ["stats", "--json"], env=env).output)
    assert stats["alerts"] == 1
    assert stats["stories"] == 0
    get_settings.cache_clear()
