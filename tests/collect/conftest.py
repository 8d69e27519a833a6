"""A real HTTP server on loopback serving fixture files and misbehaving endpoints."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
PAGES = FIXTURES / "pages"
MB = 1024 * 1024
Route = Callable[[BaseHTTPRequestHandler], None]
TYPES = {".rss": "application/rss+xml", ".xml": "application/xml", ".rdf": "application/rdf+xml"}
TYPES |= {".json": "application/feed+json", ".html": "text/html; charset=utf-8"}


def static(path: Path, *, etag: bool = True) -> Route:
    """Serve a file; with `etag`, answer a matching If-None-Match with 304."""
    body = path.read_bytes()
    tag = f'"{abs(hash(body)):x}"'

    def route(handler: BaseHTTPRequestHandler) -> None:
        if etag and handler.headers.get("If-None-Match") == tag:
            handler.send_response(304)
            handler.send_header("ETag", tag)
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", TYPES.get(path.suffix, "application/octet-stream"))
        handler.send_header("Content-Length", str(len(body)))
        if etag:
            handler.send_header("ETag", tag)
            handler.send_header("Last-Modified", "Tue, 14 Nov 2017 17:42:44 GMT")
        handler.end_headers()
        handler.wfile.write(body)

    return route


def status(code: int, headers: dict[str, str] | None = None) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def truncated(handler: BaseHTTPRequestHandler) -> None:
    """Promise 50,000 bytes, send a few hundred, hang up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "50000")
    handler.end_headers()
    handler.wfile.write((FEEDS / "vnexpress_tin-moi-nhat_2017-07-26.rss").read_bytes()[:700])
    handler.wfile.flush()
    handler.close_connection = True


def slow(handler: BaseHTTPRequestHandler) -> None:
    """Send the headers and a few bytes, then stall longer than the client's timeout."""
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b"<rss")
    handler.wfile.flush()
    time.sleep(2.0)


def huge(*, declared: bool) -> Route:
    """A 50 MB body, generated chunk by chunk, with or without a Content-Length."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if declared:
            handler.send_header("Content-Length", str(50 * MB))
        handler.end_headers()
        chunk = b"<rss>" + b"x" * (MB - 5)
        try:
            for _ in range(50):
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client stopped reading, as it should
        finally:
            handler.close_connection = True

    return route


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits[path] += 1
        self.server.requests.append((path, dict(self.headers)))
        route = self.server.routes.get(path)
        if route is None:
            status(404)(self)
            return
        route(self)

    def log_message(self, format: str, *args: object) -> None:
        return


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = default_routes()
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


def default_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {f"/feeds/{p.name}": static(p) for p in FEEDS.iterdir() if p.is_file()}
    routes |= {f"/pages/{p.name}": static(p, etag=False) for p in PAGES.iterdir() if p.is_file()}
    routes["/no-etag.rss"] = static(FEEDS / "rss091.xml", etag=False)
    routes["/thoi-su/"] = static(PAGES / "section.html", etag=False)
    routes["/thoi-su/ngap-duong-kha-van-can.html"] = static(PAGES / "article-ngap.html", etag=False)
    routes["/thoi-su/ket-xe-cau-sai-gon.html"] = static(PAGES / "article-ketxe.html", etag=False)
    routes["/429"] = status(429, {"Retry-After": "7200"})
    routes["/500"] = status(500)
    routes["/truncated"] = truncated
    routes["/slow"] = slow
    routes["/huge"] = huge(declared=True)
    routes["/huge-undeclared"] = huge(declared=False)
    return routes


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A loopback HTTP server; tests may add routes to `server.routes`."""
    httpd = FixtureServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()
