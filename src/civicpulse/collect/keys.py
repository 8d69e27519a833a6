"""Natural keys and pseudonyms: what makes every write idempotent and every author anonymous.

An item's key is, in order of preference, its platform id (`platform:id`), its normalised URL, or the hash
of its normalised content; the same entry seen twice always gets the same key.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from civicpulse.understand.text import fold, normalise

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "utm_campaign",
        "utm_content",
        "utm_medium",
        "utm_source",
        "utm_term",
        "zarsrc",
        "gidzl",
    }
)


def normalise_url(url: str) -> str:
    """Return a canonical form of `url`: lower-case scheme and host, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if k.lower() not in TRACKING_PARAMS))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(
        ("https" if parts.scheme in ("http", "https") else parts.scheme, host + port, path, query, "")
    )


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def content_hash(title: str, text: str) -> str:
    """Hash of the folded title and text: identical content, whatever its accents or spacing."""
    return digest(fold(normalise(f"{title}\n{text}")))


def item_key(
    *, platform: str = "", platform_id: str = "", url: str = "", title: str = "", text: str = ""
) -> str:
    """Return the natural key of an item (at most 80 characters)."""
    if platform and platform_id:
        return f"p:{digest(f'{platform}:{platform_id}')[:64]}"
    if url:
        return f"u:{digest(normalise_url(url))[:64]}"
    return f"c:{content_hash(title, text)[:64]}"


def pseudonymise(handle: str, key: str) -> str:
    """Replace an author handle by a keyed hash; the raw handle is never stored."""
    handle = handle.strip().lstrip("@").lower()
    if not handle:
        return ""
    return "a_" + hmac.new(key.encode("utf-8"), handle.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
