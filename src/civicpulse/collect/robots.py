"""robots.txt for the pages connector (RFC 9309): fetched once a day per host, through the polite gate.

A missing robots.txt (any 4xx) allows everything; a server error or an unreachable host disallows the host
until the next attempt, as the RFC asks. Feeds are not checked: a publisher's feed is published to be polled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from civicpulse.collect.http import Fetched
from civicpulse.errors import Quarantine, Retry

USER_AGENT = "civicpulse"
TTL_S = 24 * 3600.0
FAILED_TTL_S = 600.0


class RobotsRules:
    """Answers whether a URL may be fetched; `get` fetches a robots.txt URL (raising named outcomes)."""

    def __init__(self, get: Callable[[str], Fetched], clock: Callable[[], float] = time.monotonic) -> None:
        self.get = get
        self.clock = clock
        self._rules: dict[str, tuple[float, RobotFileParser]] = {}

    def allowed(self, url: str) -> bool:
        """Return True when the robots.txt of `url`'s host lets civicpulse fetch it."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        expires, rules = self._rules.get(origin, (0.0, None))
        if rules is None or expires <= self.clock():
            rules, ttl = self._load(f"{origin}/robots.txt")
            self._rules[origin] = (self.clock() + ttl, rules)
        return rules.can_fetch(USER_AGENT, url)

    def _load(self, robots_url: str) -> tuple[RobotFileParser, float]:
        rules = RobotFileParser(robots_url)
        try:
            fetched = self.get(robots_url)
        except Quarantine:
            rules.parse([])  # no robots.txt (4xx) or an unreadable one: nothing is asked of us
            return rules, TTL_S
        except Retry:
            rules.parse(["User-agent: *", "Disallow: /"])  # server error or unreachable: wait, then retry
            return rules, FAILED_TTL_S
        rules.parse(fetched.body.decode("utf-8", "replace").splitlines())
        return rules, TTL_S
