"""`civicpulse import`, `replay` and `export items` end to end on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicpulse.cli import cli
from civicpulse.config import get_settings
from tests.conftest import FIXTURES

IMPORTS = FIXTURES / "imports"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    yield runner
    get_settings.cache_clear()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args))


def test_import_prints_counts_and_a_second_run_adds_nothing(runner: CliRunner) -> None:
    first = invoke(runner, "import", str(IMPORTS / "broken.jsonl"), "--json")
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)
    assert {k: counts[k] for k in ("seen", "new", "skipped", "quarantined")} == {
        "seen": 8,
        "new": 2,
        "skipped": 1,
        "quarantined": 5,
    }
    again = invoke(runner, "import", str(IMPORTS / "broken.jsonl"), "--again", "--json")
    assert json.loads(again.stdout)["new"] == 0
    done = invoke(runner, "import", str(IMPORTS / "broken.jsonl"))
    assert "already imported" in done.stdout


def test_import_says_what_it_did_in_words(runner: CliRunner) -> None:
    result = invoke(runner, "import", str(IMPORTS / "crowdtangle.csv"), "--format", "facebook-csv")
    assert result.exit_code == 0, result.output
    assert "4 seen, 3 new, 0 skipped, 1 quarantined" in result.stdout
    assert "civicpulse quarantine list" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "nope.jsonl"], "does not exist"),
        (["import", str(IMPORTS / "telegram_account.json")], "Export chat history"),
        (["replay", "nope.jsonl", "--speed", "max"], "does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and message in line


def test_replay_at_max_speed_reports_json(runner: CliRunner) -> None:
    result = invoke(runner, "replay", str(IMPORTS / "eval.jsonl"), "--speed", "max", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["speed"], report["new"], report["processed"]) == ("max", 4, 4)
    assert invoke(runner, "replay", str(IMPORTS / "eval.jsonl"), "--speed", "fast").exit_code == 2


def test_export_items_writes_the_file(runner: CliRunner, tmp_path: Path) -> None:
    invoke(runner, "import", str(IMPORTS / "items.jsonl"))
    out = tmp_path / "items.jsonl"
    result = invoke(
        runner, "export", "items", "--format", "jsonl", "--out", str(out), "--since", "2025-09-02"
    )
    assert result.exit_code == 0, result.output
    assert "Exported 2 items" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["platform_id"] for r in rows} == {"items:a5", ""}


def test_imported_items_are_understood_unless_store_only(runner: CliRunner) -> None:
    processed = invoke(runner, "import", str(IMPORTS / "items.jsonl"), "--json")
    assert processed.exit_code == 0, processed.output
    stored_only = invoke(runner, "import", str(IMPORTS / "eval.jsonl"), "--no-process", "--json")
    assert stored_only.exit_code == 0, stored_only.output
    stats = json.loads(invoke(runner, "stats", "--json").stdout)
    assert stats["stories"] > 0
    new = json.loads(processed.stdout)["new"] + json.loads(stored_only.stdout)["new"]
    assert stats["items"] == new
    assert invoke(runner, "reprocess", "--yes").exit_code == 0
    assert json.loads(invoke(runner, "stats", "--json").stdout)["stories"] >= stats["stories"]
