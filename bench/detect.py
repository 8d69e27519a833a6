"""Alert latency: from the arrival of the item that makes a hotspot visible to the alert stored and the
webhook received by a local HTTP server, while a stream is replayed at 1,000 items/s through the whole
pipeline (understand, classify, places, stories, detect) on SQLite.

The stream is synthetic chatter at one row per stream second with bursting events (from
`civicpulse.eval.streams`); replay runs it 1,000x faster, so 1,000 items arrive per wall second.
Run: .venv/bin/python bench/detect.py [--rows N] [--rate R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from civicpulse.collect.replay import replay_file
from civicpulse.config import Settings, with_secrets
from civicpulse.detect.signals import Subject
from civicpulse.detect.stage import DetectStage
from civicpulse.eval.streams import START, write_bench_stream
from civicpulse.pipeline.topology import lay_pipe
from civicpulse.store import open_store
from civicpulse.store.detection import DetectionTables


class Hook:
    """Records when each alert's webhook arrives (monotonic clock)."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.arrived.setdefault(int(body["alert_id"]), time.monotonic())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000, help="Rows to replay.")
    parser.add_argument("--rate", type=float, default=1_000.0, help="Items per wall second.")
    args = parser.parse_args()
    hook = Hook()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stream.jsonl"
        write_bench_stream(path, args.rows)
        settings = with_secrets(Settings(data_dir=Path(tmp), _env_file=None))
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}", upgrade=True)
        DetectionTables(store).add_recipient(kind="webhook", target=hook.url, secret="bench")
        pipeline = lay_pipe(settings, store)
        stage = next(s for s in pipeline.stages if isinstance(s, DetectStage))
        stored: dict[int, tuple[float, float]] = {}

        def on_alert(alert_id: int, _subject: Subject, opened_at: float, event: str) -> None:
            if event == "new":
                stored[alert_id] = (opened_at, time.monotonic())

        stage.on_alert = on_alert
        started: list[float] = []

        def clock() -> float:
            now = time.monotonic()
            if not started:
                started.append(now)
            return now

        replay_file(store, pipeline, path, pseudonym_key="bench", speed=args.rate, clock=clock)
        wall = time.monotonic() - started[0]
        deadline = time.monotonic() + 30
        while len(hook.arrived) < len(stored) and time.monotonic() < deadline:
            time.sleep(0.05)
        first = START.timestamp()
        arrival = {a: started[0] + (t - first) / args.rate for a, (t, _) in stored.items()}
        to_store = [stored[a][1] - arrival[a] for a in stored]
        to_hook = [hook.arrived[a] - arrival[a] for a in stored if a in hook.arrived]
        pipeline.close()
        store.close()
    result = {
        "rows": args.rows,
        "rate_items_per_s": args.rate,
        "achieved_items_per_s": round(args.rows / wall, 1),
        "alerts": len(stored),
        "webhooks_received": len(to_hook),
        "stored_p50_s": round(statistics.median(to_store), 3) if to_store else None,
        "stored_p95_s": round(quantile(to_store, 0.95), 3) if to_store else None,
        "webhook_p50_s": round(statistics.median(to_hook), 3) if to_hook else None,
        "webhook_p95_s": round(quantile(to_hook, 0.95), 3) if to_hook else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
