"""`civicpulse claims add|list|import|match`, end to end on a SQLite store in a temporary data dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicpulse.cli import cli
from civicpulse.config import get_settings


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


def test_add_import_list_and_match(run: CliRunner, tmp_path: Path) -> None:
    added = invoke(run, "claims", "add", "Hưng Yên đã phong tỏa thôn Hoàng Xá, nơi có 2 ca mắc Covid-19.")
    assert added.exit_code == 0, added.output
    page = tmp_path / "review.html"
    review = {"@type": "ClaimReview", "claimReviewed": "Vũng Tàu cấm tắm biển", "url": "https://c.example/1"}
    review |= {"reviewRating": {"alternateName": "Sai sự thật"}}
    page.write_text(f'<script type="application/ld+json">{json.dumps(review)}</script>', encoding="utf-8")
    assert "1 new claims" in invoke(run, "claims", "import", str(page)).output
    assert "0 new claims" in invoke(run, "claims", "import", str(page)).output
    listed = json.loads(invoke(run, "claims", "list", "--json").output)
    assert [(c["verdict"], c["review_url"]) for c in listed] == [
        ("false", ""),
        ("false", "https://c.example/1"),
    ]
    matched = json.loads(
        invoke(
            run, "claims", "match", "--json", "Thôn Hoàng Xá Hưng Yên bị phong tỏa vì 2 ca mắc Covid-19"
        ).output
    )
    assert [(m["claim_id"], m["status"]) for m in matched] == [(1, "linked")]


def test_a_file_without_reviews_is_refused(run: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}", encoding="utf-8")
    assert invoke(run, "claims", "import", str(empty)).exit_code != 0
