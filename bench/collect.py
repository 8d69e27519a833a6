"""Collect throughput: RSS feeds served on loopback, fetched, parsed and stored by the collector.

The baseline, measured in the same run on the same feeds, is a bare httpx GET plus `feedparser.parse` of
each body (no keys, pseudonyms, storage or fetch log). Politeness is switched off (`per_host_delay_s=0`):
every feed is on 127.0.0.1, and the per-host wait is a deliberate pause, not work. The pipeline after
collection is left out (bench/understand_e2e.py measures it). Each side runs in its own child process, so
peak RSS is its own. Run alone: .venv/bin/python bench/collect.py [--feeds N] [--entries M]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ENTRY = (
    "<item><title>{title}</title><link>https://tin.example.vn/{feed}/{i}.html</link>"
    "<guid>https://tin.example.vn/{feed}/{i}.html</guid><pubDate>{date}</pubDate>"
    "<description>{text}</description></item>"
)


def feed(number: int, entries: int) -> bytes:
    """Return an RSS 2.0 feed of `entries` Vietnamese-looking items."""
    start = datetime(2025, 9, 1, tzinfo=UTC)
    items = "".join(
        ENTRY.format(
            feed=number,
            i=i,
            title=escape(f"Người dân phường {i % 168} phản ánh ngập sâu sau mưa lớn, tin số {number}-{i}"),
            date=format_datetime(start + timedelta(minutes=i)),
            text=escape(
                "Nước ngập quá bánh xe, nhiều phương tiện chết máy; chính quyền đang khắc phục. " * 3
            ),
        )
        for i in range(entries)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed {number}</title>'
        f"<link>https://tin.example.vn/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def serve(feeds: int, entries: int) -> ThreadingHTTPServer:
    """Serve /feed/N.rss for N < feeds on a free loopback port, in a daemon thread."""
    bodies = [feed(n, entries) for n in range(feeds)]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies[int(self.path.split("/")[-1].split(".")[0])]
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_civicpulse(port: int, feeds: int, workdir: Path) -> int:
    """Register the feeds and collect them once; return the number of new items."""
    from civicpulse.collect.collector import Collector
    from civicpulse.collect.http import make_client
    from civicpulse.config import Settings, with_secrets
    from civicpulse.models import Source, SourceKind
    from civicpulse.pipeline.runner import Pipeline
    from civicpulse.store import open_store

    settings = with_secrets(Settings(data_dir=workdir, per_host_delay_s=0.0))
    store = open_store(settings.store_url, upgrade=True)
    for n in range(feeds):
        url = f"http://127.0.0.1:{port}/feed/{n}.rss"
        store.add_source(Source(name=f"Feed {n}", kind=SourceKind.FEED, url=url))
    with make_client(settings) as client:
        results = Collector(settings, store, Pipeline(store, []), client).collect_once(force=True)
    return sum(r.new for r in results)


def run_baseline(port: int, feeds: int) -> int:
    """GET and parse every feed; return the number of entries."""
    import feedparser
    import httpx

    with httpx.Client() as client:
        return sum(
            len(feedparser.parse(client.get(f"http://127.0.0.1:{port}/feed/{n}.rss").content).entries)
            for n in range(feeds)
        )


def child(side: str, port: int, feeds: int, workdir: Path) -> None:
    import resource

    started = time.perf_counter()
    count = run_civicpulse(port, feeds, workdir) if side == "civicpulse" else run_baseline(port, feeds)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"count": count, "seconds": seconds, "rss_mb": rss}))


def measure(side: str, port: int, feeds: int, workdir: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", side, "--port", str(port), "--feeds", str(feeds)]
    done = subprocess.run([*command, "--workdir", str(workdir)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def section(rows: int, workdir: Path) -> list[dict[str, Any]]:
    """Collect `rows` entries spread over feeds of 50 entries; compare with the baseline."""
    entries = 50
    feeds = max(1, rows // entries // 50)  # the import bench's row count is far larger than a feed poll
    server = serve(feeds, entries)
    try:
        port = server.server_address[1]
        ours = measure("civicpulse", port, feeds, workdir / "collect")
        base = measure("baseline", port, feeds, workdir)
    finally:
        server.shutdown()
    total = feeds * entries
    assert ours["count"] == base["count"] == total, (ours, base)
    return [
        {
            "benchmark": f"collect {feeds} RSS feeds of {entries} entries over loopback into SQLite",
            "rows": total,
            "items_per_s": total / ours["seconds"],
            "baseline_per_s": total / base["seconds"],
            "speed_ratio": base["seconds"] / ours["seconds"],
            "seconds": ours["seconds"],
            "rss_mb": ours["rss_mb"],
            "baseline_rss_mb": base["rss_mb"],
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure collect throughput against a loopback server.")
    parser.add_argument("--feeds", type=int, default=40, help="Number of feeds.")
    parser.add_argument("--child", choices=("civicpulse", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.port, args.feeds, args.workdir)
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(section(args.feeds * 50 * 50, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
