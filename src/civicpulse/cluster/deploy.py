"""A local multi-process deployment: one `civicpulse worker` process per requested worker (`cluster up`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from civicpulse.cluster.roles import ROLES, STAGES
from civicpulse.errors import InputError
from civicpulse.pipeline.bus import BusOptions

STOP_TIMEOUT_S = 20.0


def parse_workers(text: str) -> dict[str, int]:
    """Parse `understand=2,stories=1` into counts per stage; stages left out get none."""
    counts: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        stage, _, number = part.partition("=")
        if stage not in STAGES or not number.isdigit():
            raise InputError(f"{part!r} is not STAGE=N with STAGE one of {', '.join(STAGES)}")
        counts[stage] = int(number)
    return counts


@dataclass
class Deployment:
    """Starts, kills and stops worker processes against one NATS server and one database."""

    nats_url: str
    database_url: str
    options: BusOptions
    health_port_base: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    log_dir: Path | None = None

    def command(self, stage: str, partition: int | None, port: int | None) -> list[str]:
        o = self.options
        cmd = [sys.executable, "-m", "civicpulse", "worker", "--stage", stage, "--nats", self.nats_url]
        cmd += ["--database", self.database_url, "--prefix", o.prefix, "--partitions", str(o.partitions)]
        cmd += ["--batch", str(o.batch), "--max-ack-pending", str(o.max_ack_pending)]
        cmd += ["--ack-wait", str(o.ack_wait_s), "--max-deliver", str(o.max_deliver)]
        cmd += ["--backoff", ",".join(str(b) for b in o.backoff_s)]
        if partition is not None:
            cmd += ["--partition", f"{partition}/{o.partitions}"]
        if port is not None:
            cmd += ["--health-port", str(port)]
        return cmd

    def start(self, name: str, stage: str, partition: int | None = None) -> subprocess.Popen[bytes]:
        """Start one worker process called `name` (its log goes to `log_dir/name.log` when set)."""
        port = None if self.health_port_base is None else self.health_port_base + len(self.processes)
        out = (self.log_dir / f"{name}.log").open("ab") if self.log_dir else subprocess.DEVNULL
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            self.command(stage, partition, port),
            env={**os.environ, **self.env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        if self.log_dir:
            out.close()  # type: ignore[union-attr]  # the child holds its own descriptor
        self.processes[name] = process
        return process

    def up(self, counts: dict[str, int]) -> list[str]:
        """Start the workers of `counts`, stateful stages one process per partition; return their names."""
        names = []
        for stage in STAGES:
            wanted = counts.get(stage, 0)
            if stage in ROLES and ROLES[stage].partitioned:
                for partition in range(self.options.partitions if wanted else 0):
                    names.append(f"{stage}-p{partition}")
                    self.start(names[-1], stage, partition)
                continue
            for n in range(wanted):
                names.append(f"{stage}-{n}")
                self.start(names[-1], stage)
        return names

    def kill(self, name: str) -> None:
        """kill -9 one worker (fault tests)."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_one(self, name: str) -> int:
        """Stop one worker gracefully (SIGTERM: it finishes and acks its batch); return its exit code."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        return process.wait(STOP_TIMEOUT_S)

    def stop(self) -> dict[str, int]:
        """Ask every worker to finish its batch and stop (SIGTERM); kill what does not; return exit codes."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        self.processes.clear()
        return codes
