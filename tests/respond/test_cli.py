"""`civicpulse cases open --alert|--claim` and `cases notices`: cases copied from their source, notices sent
before the command exits and shown from the delivery log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import Settings, get_settings
from civicpulse.store import Store, open_store
from civicpulse.store.claims import Claim, ClaimTables
from civicpulse.store.detection import DetectionTables

from .conftest import THU_DUC
from .loopback import Hook


@pytest.fixture
def cli_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("CIVICPULSE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CIVICPULSE_PSEUDONYM_KEY", settings.pseudonym_key)
    monkeypatch.setenv("CIVICPULSE_SESSION_SECRET", settings.session_secret)
    get_settings.cache_clear()
    store = open_store(settings.store_url, upgrade=True)
    yield store
    store.close()
    get_settings.cache_clear()


def test_cases_from_an_alert_and_a_claim_and_their_notices(
    cli_store: Store, hooks: list[Hook], tmp_path: Path
) -> None:
    good, broken = Hook([200]), Hook([503])
    hooks += [good, broken]
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(f'[[unit]]\ncode = "{THU_DUC}"\ncontacts = ["{good.url}", "{broken.url}"]\n')
    runner = CliRunner()
    assert runner.invoke(cli, ["units", "import", str(contacts)]).exit_code == 0
    headline = "unit 26824: 31 items in the last hour"
    row = {
        "subject_kind": "unit",
        "subject_id": THU_DUC,
        "scope": "default",
        "status": "new",
        "level": 2,
        "score": 0.8,
        "headline": headline,
        "explanation": {"headline": headline, "places": [THU_DUC]},
        "opened_at": datetime(2025, 10, 1, tzinfo=UTC),
        "escalated_at": None,
        "feedback": "",
    }
    [alert_id] = DetectionTables(cli_store).save([], [row], [], None)
    claim, _ = ClaimTables(cli_store).add(
        Claim(
            text="Trường học phường Thủ Đức đóng cửa cả tuần", verdict="false", review_url="https://fc.vn/1"
        )
    )

    opened = runner.invoke(cli, ["cases", "open", "--alert", str(alert_id), "--as", "analyst"])
    assert opened.exit_code == 0, opened.output
    assert f"Opened case #1 (assigned): {headline}" in opened.output
    assert f"Units: {THU_DUC}." in opened.output and "Sent 2 notices" in opened.output
    assert json.loads(good.received[0][1])["subject"].endswith(headline)
    listed = json.loads(runner.invoke(cli, ["cases", "list", "--json"]).output)
    assert listed[0]["severity"] == "high"  # the alert's level 2

    from_claim = runner.invoke(cli, ["cases", "open", "--claim", str(claim.id), "--unit", THU_DUC])
    assert from_claim.exit_code == 0, from_claim.output
    assert "Trường học phường Thủ Đức đóng cửa cả tuần" in from_claim.output

    log = json.loads(runner.invoke(cli, ["cases", "notices", "--json"]).output)
    assert {(r["target"], r["status"]) for r in log} == {(good.url, "sent"), (broken.url, "pending")}
    failing = [r for r in log if r["target"] == broken.url]
    assert all(r["attempts_log"][0]["code"] == 503 for r in failing)
    text = runner.invoke(cli, ["cases", "notices", "--status", "pending"]).output
    assert "4 deliveries." not in text and "2 deliveries." in text and broken.url[:40] in text
    missing = runner.invoke(cli, ["cases", "open", "--alert", "999"])
    assert missing.exit_code != 0 and "no alert 999" in str(missing.exception)
