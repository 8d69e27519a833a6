"""`civicpulse run` really starts, serves and stops cleanly; `civicpulse demo` loads the sample once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from civicpulse.cli import cli
from civicpulse.config import get_settings

POLLS = 300  # of /healthz, 0.1 s apart at most: a bound on the wait, not a timing assertion


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def isolated_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICPULSE_")}
    return {
        **env,
        "CIVICPULSE_DATA_DIR": str(tmp_path / "data"),
        "CIVICPULSE_CONFIG": str(tmp_path / "absent.toml"),
        "CIVICPULSE_HOST": "127.0.0.1",
        "CIVICPULSE_PORT": str(port),
        "CIVICPULSE_LOG_LEVEL": "WARNING",
    }


def wait_until_healthy(process: subprocess.Popen[str], base: str) -> None:
    for _ in range(POLLS):
        if process.poll() is not None:
            pytest.fail(f"civicpulse run exited early with {process.returncode}: {process.communicate()[0]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
    process.kill()
    pytest.fail(f"civicpulse run did not answer /healthz: {process.communicate()[0]}")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_serves_the_dashboard_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "civicpulse", "run"],
        env=isolated_env(tmp_path, port),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(process, base)
        overview = httpx.get(f"{base}/", timeout=10.0)
        assert overview.status_code == 303  # every page needs a signed-in user
        assert overview.headers["location"] == "/login?next=/"
        assert 'action="/login"' in httpx.get(f"{base}/login", timeout=10.0).text
        assert httpx.get(f"{base}/readyz", timeout=10.0).json()["status"] == "ok"
        process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "Nothing could be collected (no internet?)" in output
    assert "civicpulse demo" in output
    assert "Stopped." in output
    assert "Traceback" not in output


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the CLI's settings at a fresh data dir (settings are cached per process)."""
    for name, value in isolated_env(tmp_path, free_port()).items():
        if name.startswith("CIVICPULSE_"):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_demo_loads_the_sample_once(cli_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--json"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.output)
    assert counts["new"] == counts["seen"] >= 250
    again = runner.invoke(cli, ["demo"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert (cli_env / "civicpulse.db").is_file()


def test_demo_prints_what_it_loaded(cli_env: Path) -> None:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "new items from the sample stream" in result.output
