"""Briefings: the city's and a unit's, as HTML and as PDF (Vietnamese text survives), and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from civicpulse.cli import cli
from civicpulse.config import Settings
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.reports.briefing import build, day_window
from civicpulse.reports.pdf import to_pdf
from civicpulse.reports.render import to_html
from civicpulse.respond.cases import Cases
from civicpulse.store import Store, open_store
from tests.respond.conftest import THU_DUC, replay_flood

DAY = date(2025, 10, 2)


def test_the_day_is_the_city_day() -> None:
    start, end = day_window(DAY)
    assert start == datetime(2025, 10, 1, 17, tzinfo=UTC) and end - start == timedelta(days=1)


def test_city_and_unit_briefings(settings: Settings, store: Store) -> None:
    story = replay_flood(
        settings, store, lay_pipe(settings, store), start=datetime(2025, 10, 1, 17, tzinfo=UTC)
    )
    cases = Cases(store, settings, clock=lambda: datetime(2025, 10, 2, 3, tzinfo=UTC))
    cases.open_from_story(story, "analyst")
    city = build(store, DAY, now=datetime(2025, 10, 3, 1, tzinfo=UTC))
    assert [s.story_id for s in city.stories] == [story] and city.stories[0].items == 12
    assert len(city.new_cases) == 1 and city.overdue_cases == ()
    assert sum(c for _, c in city.hours) == 12
    unit = build(store, DAY, THU_DUC, now=datetime(2025, 10, 3, 1, tzinfo=UTC))
    assert unit.unit_name == "Phường Thủ Đức" and len(unit.new_cases) == 1
    elsewhere = build(store, DAY, "26734", now=datetime(2025, 10, 3, 1, tzinfo=UTC))
    assert elsewhere.new_cases == () and elsewhere.stories == ()
    html = to_html(city)
    assert "<svg" in html and "Ngập sâu ở phường Thủ Đức" in html
    pdf = to_pdf(unit)
    assert pdf.startswith(b"%PDF")


def test_the_pdf_keeps_vietnamese_text(settings: Settings, sqlite_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "b.pdf"
    path.write_bytes(to_pdf(build(sqlite_store, DAY, THU_DUC)))
    text = PdfReader(path).pages[0].extract_text()
    assert "Bản tin sáng 02/10/2025 — Phường Thủ Đức" in text


def test_cli_briefing_and_units(settings: Settings, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", settings.pseudonym_key)
    monkeypatch.setenv("CIVICPULSE_SESSION_SECRET", settings.session_secret)
    from civicpulse.config import get_settings

    get_settings.cache_clear()
    open_store(settings.store_url, upgrade=True).close()
    runner = CliRunner()
    out = tmp_path / "b.html"
    result = runner.invoke(cli, ["briefing", "--date", "2025-10-02", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Bản tin sáng 02/10/2025" in out.read_text(encoding="utf-8")
    listed = runner.invoke(cli, ["units", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert sum(1 for r in rows if r["kind"] in ("phuong", "xa", "dac khu")) == 168
    bad = runner.invoke(cli, ["briefing", "--date", "yesterday", "--out", str(out)])
    assert bad.exit_code != 0
    get_settings.cache_clear()
