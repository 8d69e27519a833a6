"""`civicpulse sources ...` and `civicpulse collect --once`, end to end against a loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from civicpulse.cli import cli
from civicpulse.config import get_settings
from civicpulse.errors import InputError
from tests.collect.conftest import FixtureServer, server  # noqa: F401 - the loopback server fixture

NESTED = """<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="HCM">
<outline type="rss" text="Phường" xmlUrl="https://ward.example.vn/rss"/></outline></body></opml>"""


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CIVICPULSE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CIVICPULSE_PER_HOST_DELAY_S", "0")
    monkeypatch.setenv("CIVICPULSE_FETCH_TIMEOUT_S", "5")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=True)


def test_add_list_and_export(run: CliRunner, tmp_path: Path) -> None:
    added = invoke(
        run, "sources", "add", "https://vnexpress.net/rss/thoi-su.rss", "--name", "VnExpress Thời sự"
    )
    assert added.exit_code == 0, added.output
    assert "VnExpress Thời sự (feed)" in added.output
    page = invoke(run, "sources", "add", "https://ward.example.vn/thong-bao/", "--kind", "page")
    assert "ward.example.vn (page)" in page.output
    listed = json.loads(invoke(run, "sources", "list", "--json").stdout)
    assert [(s["name"], s["kind"]) for s in listed] == [
        ("VnExpress Thời sự", "feed"),
        ("ward.example.vn", "page"),
    ]
    exported = invoke(run, "sources", "export").stdout
    assert exported.startswith('<?xml version="1.0" encoding="UTF-8"?>') and 'version="2.0"' in exported
    out = tmp_path / "sources.opml"
    assert invoke(run, "sources", "export", "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").count("<outline") == 2


def test_a_bad_url_is_refused_with_what_to_do(run: CliRunner) -> None:
    result = invoke(run, "sources", "add", "vnexpress.net/rss")
    assert isinstance(result.exception, InputError)
    assert "give the full address" in str(result.exception)


def test_import_a_file_and_the_default_list(run: CliRunner, tmp_path: Path) -> None:
    opml = tmp_path / "mine.opml"
    opml.write_text(NESTED, encoding="utf-8")
    assert "Imported 1 new sources" in invoke(run, "sources", "import", str(opml)).output
    assert "(1 were already registered)" in invoke(run, "sources", "import", str(opml)).output
    default = invoke(run, "sources", "import", "--default")
    assert default.exit_code == 0 and "from the bundled default.opml" in default.output
    listed = json.loads(invoke(run, "sources", "list", "--json").stdout)
    assert listed[0]["category"] == "HCM"
    assert len(listed) > 10
    assert invoke(run, "sources", "import").exit_code == 2  # neither a file nor --default


def test_collect_once_prints_a_line_per_source_and_health_after(
    run: CliRunner,
    server: FixtureServer,  # noqa: F811 - the fixture imported above
) -> None:
    invoke(run, "sources", "add", server.url("/feeds/rss10.rdf"), "--name", "Thủ Đức")
    invoke(run, "sources", "add", server.url("/feeds/not-a-feed.html"), "--name", "Trang chủ")
    result = invoke(run, "collect", "--once")
    assert result.exit_code == 0, result.output
    assert "✓ Thủ Đức: 2 new of 2" in result.stdout
    assert "✗ Trang chủ: the URL returned an HTML page, not a feed" in result.stdout
    assert "— add the page's RSS link instead" in result.stdout
    assert "1/2 sources fetched, 2 new items." in result.stdout
    assert "No source is due" in invoke(run, "collect", "--once").stdout
    forced = json.loads(invoke(run, "collect", "--once", "--force", "--json").stdout)
    assert [(r["name"], r["status"], r["new"]) for r in forced] == [
        ("Thủ Đức", "not_modified", 0),
        ("Trang chủ", "failed", 0),
    ]
    health = json.loads(invoke(run, "sources", "health", "--json").stdout)
    # the fixture's newest entry is from 2025, long past its usual gap: silent is right
    assert [(h["name"], h["status"]) for h in health] == [("Thủ Đức", "silent"), ("Trang chủ", "failing")]
    assert invoke(run, "sources", "health").exit_code == 0


def test_collect_exits_1_when_every_source_failed(
    run: CliRunner,
    server: FixtureServer,  # noqa: F811 - the fixture imported above
) -> None:
    invoke(run, "sources", "add", server.url("/feeds/bomb.xml"))
    result = invoke(run, "collect", "--once")
    assert result.exit_code == 1
    assert "declares XML entities" in result.stdout
