"""HTTP for connectors: one client naming civicpulse, bounded bodies, failures mapped to named outcomes."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from civicpulse.config import Settings
from civicpulse.errors import Quarantine, Retry


@dataclass(frozen=True)
class Fetched:
    """A response body read within the size limit."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """Return the client every connector uses (tests pass a `MockTransport`)."""
    return httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.fetch_timeout_s),
        follow_redirects=True,
        max_redirects=5,
        transport=transport,
    )


def fetch(
    client: httpx.Client, url: str, *, max_bytes: int, headers: dict[str, str] | None = None
) -> Fetched:
    """GET `url`, reading at most `max_bytes`.

    Raises `Retry` for timeouts, connection errors, 429 and 5xx (with Retry-After when given) and
    `Quarantine` for other 4xx, bodies over the limit and truncated downloads.
    """
    try:
        with client.stream("GET", url, headers=headers or {}) as response:
            _check_status(response)
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise Quarantine(f"response of {declared:,} bytes is over the {max_bytes:,}-byte limit")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise Quarantine(f"response is over the {max_bytes:,}-byte limit; stopped reading")
                chunks.append(chunk)
            return Fetched(str(response.url), response.status_code, response.headers, b"".join(chunks))
    except httpx.TimeoutException as exc:
        raise Retry(f"timed out: {type(exc).__name__}") from exc
    except httpx.RemoteProtocolError as exc:
        raise Quarantine(f"truncated or malformed response: {exc}") from exc
    except (httpx.TransportError, httpx.TooManyRedirects) as exc:
        raise Retry(f"cannot reach {httpx.URL(url).host}: {exc}") from exc
    except httpx.DecodingError as exc:
        raise Quarantine(f"cannot decode the response body: {exc}") from exc


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status == 304 or 200 <= status < 300:
        return
    if status == 429 or status >= 500:
        raise Retry(f"HTTP {status} from {response.url.host}", after_s=retry_after(response.headers))
    raise Quarantine(f"HTTP {status} for {response.url}; check the URL or remove the source")


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date), if any."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
