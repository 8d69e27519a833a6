"""`reprocess` rebuilds derived data from stored items, resumes, and gives the same stories."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import Settings
from civicpulse.demo import load_demo
from civicpulse.pipeline import reprocess as reprocessing
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store
from civicpulse.store.understanding import EnrichmentTables


def story_partition(store: Store) -> set[frozenset[int]]:
    """The stories as sets of item ids (ids of stories may differ between runs)."""
    ids = [i.id for i in store.iter_items() if i.id is not None]
    groups: dict[Any, set[int]] = {}
    for item_id, enrichment in EnrichmentTables(store).get(ids).items():
        groups.setdefault(enrichment.story_id, set()).add(item_id)
    return {frozenset(g) for g in groups.values()}


def test_reprocess_gives_the_same_stories(settings: Settings, store: Store) -> None:
    load_demo(settings, store, lay_pipe(settings, store))
    before = story_partition(store)
    report = reprocessing.reprocess(settings, store, batch_size=64)
    assert report.items == store.stats()["items"]
    assert story_partition(store) == before


def test_stories_alone_rerun_over_stored_enrichments(settings: Settings, sqlite_store: Store) -> None:
    load_demo(settings, sqlite_store, lay_pipe(settings, sqlite_store))
    before = story_partition(sqlite_store)
    reprocessing.reprocess(settings, sqlite_store, ("stories",))
    assert story_partition(sqlite_store) == before


def test_an_interrupted_reprocess_resumes(
    settings: Settings, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(settings, sqlite_store, lay_pipe(settings, sqlite_store))
    before = story_partition(sqlite_store)
    real = reprocessing.batched
    calls = 0

    def interrupted(values: Any, size: int) -> Any:
        nonlocal calls
        for chunk in real(values, size):
            calls += 1
            if calls == 3:
                raise KeyboardInterrupt
            yield chunk

    monkeypatch.setattr(reprocessing, "batched", interrupted)
    with pytest.raises(KeyboardInterrupt):
        reprocessing.reprocess(settings, sqlite_store, batch_size=50)
    monkeypatch.setattr(reprocessing, "batched", real)
    report = reprocessing.reprocess(settings, sqlite_store, batch_size=50)
    assert report.resumed_after > 0
    assert report.items == sqlite_store.stats()["items"] - report.resumed_after or report.items > 0
    assert story_partition(sqlite_store) == before


def test_cli_reprocess_asks_before_replacing_stories(settings: Settings, tmp_path: Any) -> None:
    env = {"CIVICPULSE_DATA_DIR": str(tmp_path / "cli")}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    assert runner.invoke(cli, ["demo"], env=env).exit_code == 0
    refused = runner.invoke(cli, ["reprocess"], env=env, input="n\n")
    assert refused.exit_code != 0
    done = runner.invoke(cli, ["reprocess", "--yes", "--json"], env=env)
    assert done.exit_code == 0, done.output
    assert '"items": 300' in done.output
