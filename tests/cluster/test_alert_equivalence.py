"""The same alert-raising stream through the single process (SQLite) and through workers (JetStream + PG)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from civicpulse.cluster.deploy import Deployment
from civicpulse.cluster.publish import BusPipeline
from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings
from civicpulse.eval.streams import write_gate_stream
from civicpulse.pipeline.bus import BusOptions
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import Store, open_store
from civicpulse.store.scale import story_assignments
from civicpulse.store.schema import alerts, items
from tests.cluster.conftest import totals, wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]

MIN_ALERTS = 3  # the stream must raise alerts, or "the same alerts" proves nothing

Alert = tuple[str, str, int, str, str | None, tuple[str, ...]]


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def alert_digest(store: Store) -> list[Alert]:
    """Return every alert as (kind, subject, level, raised by, escalated by, member stories), comparable
    across stores: a story is named by its first item's key, an alert's moments by the items at that time.
    """
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(items.c.id, items.c.key, items.c.published_at)).all()
        raised = conn.execute(sa.select(alerts).order_by(alerts.c.opened_at, alerts.c.id)).all()
    key_of = {int(i): str(k) for i, k, _ in rows}
    at_time: dict[str | None, list[str]] = defaultdict(list)
    for _, k, published in rows:
        at_time[_utc(published)].append(str(k))
    members: dict[int, list[int]] = defaultdict(list)
    for item_id, story_id in story_assignments(store).items():
        if story_id is not None:
            members[story_id].append(item_id)

    def story(story_id: Any) -> str:
        return "story of " + key_of[min(members[int(story_id)])]

    def moment(value: datetime | None) -> str:
        text = _utc(value)
        return f"{text} ({'/'.join(sorted(at_time.get(text, ['no item'])))})"

    digest: list[Alert] = []
    for row in raised:
        kind, subject = str(row.subject_kind), str(row.subject_id)
        name = story(subject) if kind == "story" else subject
        stories = tuple(story(s) for s in (row.explanation or {}).get("stories", []))
        escalated = None if row.escalated_at is None else moment(row.escalated_at)
        digest.append((kind, name, int(row.level), moment(row.opened_at), escalated, stories))
    return digest


def single_process(settings: Settings, path: Path, tmp_path: Path) -> list[Alert]:
    store = open_store(f"sqlite:///{tmp_path / 'single.db'}", upgrade=True)
    try:
        replay_file(store, lay_pipe(settings, store), path, pseudonym_key=settings.pseudonym_key, speed=None)
        return alert_digest(store)
    finally:
        store.close()


@pytest.mark.parametrize("understand", [1, 2])
def test_workers_raise_the_alerts_of_the_single_process(
    settings: Settings,
    tmp_path: Path,
    nats_url: str,
    prefix: str,
    cluster_db: str,
    worker_env: dict[str, str],
    understand: int,
) -> None:
    path = write_gate_stream(tmp_path / "stream.jsonl")  # three crises in three days of chatter
    expected = single_process(settings, path, tmp_path)
    assert len(expected) >= MIN_ALERTS, expected
    n_items = len(path.read_text(encoding="utf-8").splitlines())
    # Detection runs as one partition (decision 0070); understand=2 is the four-worker layout, whose two
    # understand workers finish batches out of order: the story worker holds them back into id order.
    options = BusOptions(prefix=prefix, partitions=1, batch=32, ack_wait_s=10.0, backoff_s=(0.2,))
    store, bus = open_store(cluster_db), JetStreamBus(nats_url, options)
    deployment = Deployment(nats_url, cluster_db, options, env=worker_env, log_dir=tmp_path)
    try:
        bus.ensure("test", None)
        deployment.up({"understand": understand, "stories": 1, "detect": 1})
        replay_file(store, BusPipeline(store, bus), path, pseudonym_key=settings.pseudonym_key, speed=None)
        wait_until(lambda: totals(store)[0] == n_items, "every item getting its story")
        # Stories acknowledge after publishing, so a drained stories queue means detection has every item.
        wait_until(lambda: bus.backlog("understood", "stories", 0) == (0, 0), "the stories queue draining")
        wait_until(lambda: bus.backlog("story_updates", "detect", 0) == (0, 0), "detection")
        got = alert_digest(store)
    finally:
        codes = deployment.stop()
        bus.close()
        store.close()
    assert set(codes.values()) == {0}
    assert got == expected  # same alerts, subjects, levels, raising and escalating items: no tolerance
