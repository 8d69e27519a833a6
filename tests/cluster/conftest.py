"""Fixtures of the distributed mode: the machine's NATS server, a unique prefix, a fresh database per test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from civicpulse.demo import demo_rows
from civicpulse.pipeline.bus import BusOptions
from civicpulse.pipeline.bus_nats import JetStreamBus
from civicpulse.store import open_store
from tests.conftest import scratch_database, service_missing
from tests.stories.synthetic import stream

NATS_URL = os.environ.get("CIVICPULSE_TEST_NATS_URL", "nats://127.0.0.1:4222")
WAIT_S = 90.0  # a guard against hanging, never a timing assertion


@pytest.fixture
def nats_url() -> str:
    parts = urlsplit(NATS_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), timeout=2).close()
    except OSError as exc:
        service_missing("NATS", exc)
    return NATS_URL


@pytest.fixture
def prefix(nats_url: str) -> Iterator[str]:
    """A subject and stream prefix of this test alone; its streams are deleted afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    bus = JetStreamBus(nats_url, BusOptions(prefix=name))
    try:
        bus.delete()
    finally:
        bus.close()


@pytest.fixture
def cluster_db() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    with scratch_database("civicpulse_cluster") as url:
        open_store(url, upgrade=True).close()
        yield url


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    """Environment of worker processes: their own data dir, no stray civicpulse.toml."""
    return {"CIVICPULSE_DATA_DIR": str(tmp_path / "data"), "CIVICPULSE_CONFIG": str(tmp_path / "none.toml")}


def write_stream(path: Path, demo: int = 100, synthetic: int = 4) -> Path:
    """Write a small mixed stream (Vietnamese news, made-up-word stories) in the evaluation format."""
    rows = [
        {"id": f"d{n}", "title": r["title"], "text": r["lede"], "time": r["time"]}
        for n, r in enumerate(demo_rows()[:demo])
    ]
    made_up = stream(stories=synthetic, per_story=8)
    mixed = []
    for n, row in enumerate(rows):
        mixed.append(row)
        if n % 3 == 0 and made_up:
            extra = made_up.pop(0)
            mixed.append({**extra, "time": row["time"]})  # one timeline, so neither half looks stale
    mixed += made_up
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in mixed), encoding="utf-8")
    return path


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    """Poll `check` until it holds; fail saying `what` did not happen (a guard, not a timing assertion)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout_s:.0f}s; see the worker logs in tmp_path")
        time.sleep(0.2)


def totals(url_or_store: object) -> tuple[int, int, int]:
    """Return (items with a story, sum of story item counts, sum of hour-bucket counts)."""
    from civicpulse.store import Store

    store = url_or_store if isinstance(url_or_store, Store) else open_store(str(url_or_store))
    with store.engine.connect() as conn:
        query = "SELECT count(*) FROM enrichments WHERE story_id IS NOT NULL"
        assigned = conn.execute(sa.text(query)).scalar()
        counted = conn.execute(sa.text("SELECT coalesce(sum(item_count), 0) FROM stories")).scalar()
        bucketed = conn.execute(sa.text("SELECT coalesce(sum(items), 0) FROM story_buckets")).scalar()
    if store is not url_or_store:
        store.close()
    return int(assigned or 0), int(counted or 0), int(bucketed or 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateNats:
    """A NATS server of one test, so it can be killed and restarted on the same port and store directory.

    The machine's shared server is never touched: other tests and people use it.
    """

    BINARY = os.environ.get("CIVICPULSE_TEST_NATS_SERVER", "/usr/sbin/nats-server")

    def __init__(self, store_dir: Path, log: Path) -> None:
        self.port, self.store_dir, self.log = free_port(), store_dir, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [self.BINARY, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store_dir)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        wait_until(self._accepts, f"nats-server on port {self.port} accepting connections", 20.0)

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except OSError:
            return False
        return True

    def kill(self) -> None:
        """kill -9: the server's process ends without a goodbye, as in a crash or a power cut."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def private_nats(tmp_path: Path) -> Iterator[PrivateNats]:
    if not Path(PrivateNats.BINARY).is_file():
        missing = FileNotFoundError(f"{PrivateNats.BINARY}; set CIVICPULSE_TEST_NATS_SERVER to a nats-server")
        service_missing("a nats-server binary", missing)
    server = PrivateNats(tmp_path / "jetstream", tmp_path / "nats-server.log")
    server.start()
    yield server
    server.kill()
