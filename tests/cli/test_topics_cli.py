"""`civicpulse topics add|list|import|test`, end to end on a SQLite store in a temporary data dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.store import open_store
from tests import factories


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


def test_add_list_and_replace(run: CliRunner) -> None:
    assert (
        invoke(run, "topics", "add", "Ngập", '"ngập" AND "Thủ Đức"', "--category", "flooding").exit_code == 0
    )
    assert invoke(run, "topics", "add", "Ngập", "ngập OR lụt").exit_code == 0
    listed = json.loads(invoke(run, "topics", "list", "--json").output)
    assert [(t["name"], t["query"], t["matches"]) for t in listed] == [("Ngập", "ngập OR lụt", 0)]


def test_a_syntax_error_points_at_the_column(run: CliRunner) -> None:
    result = invoke(run, "topics", "add", "Bad", '"ngập" AND (mưa')
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "never closed at column 12" in str(result.exception)


def test_import_the_starter_taxonomy(run: CliRunner) -> None:
    result = invoke(run, "topics", "import", "--starter")
    assert result.exit_code == 0, result.output
    listed = json.loads(invoke(run, "topics", "list", "--json").output)
    categories = {t["category"] for t in listed}
    assert len(listed) >= 24
    assert {"flooding", "traffic", "land", "scams", "prices", "administration"} <= categories


def test_import_rejects_a_bad_file_before_storing_anything(run: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[topic]]\nname = "a"\nquery = "ngập"\n[[topic]]\nname = "b"\nquery = "("\n', encoding="utf-8"
    )
    result = invoke(run, "topics", "import", str(path))
    assert result.exit_code != 0
    assert "topic 'b'" in str(result.exception)
    assert json.loads(invoke(run, "topics", "list", "--json").output) == []


def test_test_counts_matching_recent_items(run: CliRunner, tmp_path: Path) -> None:
    store = open_store(get_settings().store_url)
    store.add_items(
        [
            factories.item("Mưa lớn gây ngập sâu ở Thủ Đức", url="https://e.vn/1"),
            factories.item("Kẹt xe kéo dài ở Hàng Xanh", url="https://e.vn/2"),
        ]
    )
    store.close()
    result = invoke(run, "topics", "test", "ngap AND thu duc")
    assert result.exit_code == 0, result.output
    assert "Matched 1 of the 2 most recent items." in result.output
