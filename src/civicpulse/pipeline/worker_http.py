"""Health, readiness and Prometheus metrics of one worker, on a small HTTP server of the standard library.

`/healthz` says the process is alive, `/readyz` that it can work (bus connected, store reachable, partition
lease held), `/metrics` gives counters per stage and outcome plus the queue depth and lag of its consumer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from civicpulse.pipeline.worker import Metrics

log = logging.getLogger(__name__)
Backlog = Callable[[], tuple[int, int]]
Ready = Callable[[], str]  # "" when ready, else why not


def render(metrics: Metrics, stage: str, partition: str, backlog: Backlog | None) -> str:
    """Return the Prometheus text exposition of `metrics`."""
    labels = f'stage="{stage}",partition="{partition}"'
    lines = [
        "# HELP civicpulse_items_total Messages handled, by stage and outcome.",
        "# TYPE civicpulse_items_total counter",
    ]
    with metrics._lock:
        counts = sorted(metrics.counts.items())
        seconds, batches, last = metrics.batch_seconds, metrics.batches, metrics.last_batch_at
    for (name, outcome), value in counts:
        lines.append(
            f'civicpulse_items_total{{stage="{name}",partition="{partition}",outcome="{outcome}"}} {value}'
        )
    lines += [
        "# HELP civicpulse_batch_seconds Time spent handling batches.",
        "# TYPE civicpulse_batch_seconds summary",
        f"civicpulse_batch_seconds_sum{{{labels}}} {seconds:.6f}",
        f"civicpulse_batch_seconds_count{{{labels}}} {batches}",
        "# HELP civicpulse_last_batch_timestamp_seconds When the last batch finished (Unix time).",
        "# TYPE civicpulse_last_batch_timestamp_seconds gauge",
        f"civicpulse_last_batch_timestamp_seconds{{{labels}}} {last:.3f}",
    ]
    if backlog is not None:
        try:
            waiting, unacked = backlog()
        except Exception:  # a scrape must not fail because the bus is reconnecting
            log.debug("reading the backlog failed", exc_info=True)
        else:
            lines += [
                "# HELP civicpulse_queue_depth Messages waiting for this stage's consumer.",
                "# TYPE civicpulse_queue_depth gauge",
                f"civicpulse_queue_depth{{{labels}}} {waiting}",
                "# HELP civicpulse_queue_lag Messages not yet done: waiting plus delivered, unacknowledged.",
                "# TYPE civicpulse_queue_lag gauge",
                f"civicpulse_queue_lag{{{labels}}} {waiting + unacked}",
            ]
    return "\n".join(lines) + "\n"


class WorkerHttp:
    """Serves the three endpoints on `host:port` from a daemon thread (port 0 picks a free one)."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        stage: str,
        partition: str,
        ready: Ready,
        backlog: Backlog | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/healthz":
                    self._send(200, "ok\n")
                elif self.path == "/readyz":
                    problem = ready()
                    self._send(503 if problem else 200, (problem or "ready") + "\n")
                elif self.path == "/metrics":
                    self._send(
                        200, render(outer.metrics, stage, partition, backlog), "text/plain; version=0.0.4"
                    )
                else:
                    self._send(404, "not found: try /healthz, /readyz or /metrics\n")

            def _send(self, status: int, body: str, kind: str = "text/plain") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                log.debug(format, *args)

        self.metrics = metrics
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, name="civicpulse-http", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5.0)
