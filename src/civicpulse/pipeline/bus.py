"""The bus between stages: boundaries, messages, options, and the in-process implementation.

A message carries an item id (and, after the story stage, its story id): the store is the system of
record, so a message is a few bytes and a redelivered one re-reads the committed truth. The NATS
JetStream implementation is in `bus_nats`; both follow the `Bus` protocol.
"""

from __future__ import annotations

import json
import math
import queue
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from civicpulse.config import Settings
from civicpulse.errors import Quarantine

COLLECTED = "collected"  # collect -> understand
UNDERSTOOD = "understood"  # understand -> stories (partitioned)
STORY_UPDATES = "story_updates"  # stories -> detect (partitioned)
ALERTS = "alerts"  # detect -> respond
BOUNDARIES = (COLLECTED, UNDERSTOOD, STORY_UPDATES, ALERTS)
PARTITIONED = frozenset({UNDERSTOOD, STORY_UPDATES})


@dataclass(frozen=True)
class BusOptions:
    """How streams and consumers are laid out and how hard redelivery tries."""

    prefix: str = "civicpulse"
    """First token of every subject and stream name; tests use a unique one each."""
    partitions: int = 1
    """Partitions of the stateful stages (stories, detect); items are routed by language."""
    batch: int = 64
    """Largest batch a worker fetches; with `max_ack_pending` it bounds what a worker holds."""
    max_ack_pending: int = 256
    """Messages delivered but not yet acknowledged per consumer; the server stops delivering beyond."""
    ack_wait_s: float = 30.0
    """Seconds before an unacknowledged message (a crashed worker's) is delivered again."""
    max_deliver: int = 5
    """Deliveries of one message before it goes to the dead-letter stream."""
    backoff_s: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    """Delay before the 2nd, 3rd, ... delivery of a failed message."""
    max_bytes: int = 1 << 30
    """Largest size of one stage stream; publishing beyond it fails (pushes back on the producer)."""
    dead_letter_days: float = 30.0
    """Days dead letters are kept for a person to look at."""

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> BusOptions:
        """Return the settings' options (`CIVICPULSE_BUS_*`) with `overrides` (not None) on top."""
        given = {
            "prefix": settings.bus_prefix,
            "partitions": settings.bus_partitions,
            "batch": settings.bus_batch,
            "max_ack_pending": settings.bus_max_ack_pending,
            "ack_wait_s": settings.bus_ack_wait_s,
            "max_deliver": settings.bus_max_deliver,
            "backoff_s": tuple(settings.bus_backoff_s),
        }
        return cls(**{**given, **{k: v for k, v in overrides.items() if v is not None}})

    def delay(self, attempt: int) -> float:
        """Return the wait before delivery `attempt + 1`."""
        if not self.backoff_s:
            return 0.0
        return self.backoff_s[min(attempt, len(self.backoff_s)) - 1]


@dataclass(frozen=True)
class Envelope:
    """One message: an item id and, for story updates, its story id."""

    item_id: int
    story_id: int | None = None

    def encode(self) -> bytes:
        body: dict[str, int] = {"id": self.item_id}
        if self.story_id is not None:
            body["story"] = self.story_id
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Envelope:
        """Parse a message body; raise `Quarantine` for a malformed one (a poison message)."""
        try:
            body = json.loads(data)
            item_id = body["id"]
            story = body.get("story")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise Quarantine(f"malformed message ({exc!r})", data[:500]) from exc
        if not isinstance(item_id, int) or not (story is None or isinstance(story, int)):
            raise Quarantine("malformed message: ids must be integers", data[:500])
        return cls(item_id, story)


def partition_of(key: str, partitions: int) -> int:
    """Return the partition of `key` (a language): stable across processes and restarts."""
    return zlib.crc32(key.encode()) % partitions if partitions > 1 else 0


class Delivery(Protocol):
    """One delivered message: its body, which delivery this is, and how to settle it."""

    data: bytes
    attempt: int

    def ack(self) -> None: ...

    def nak(self, delay_s: float) -> None: ...

    def term(self) -> None: ...

    def in_progress(self) -> None: ...


@dataclass(frozen=True)
class DeadLetter:
    """A message given up on: where it came from, why, and its body."""

    stage: str
    reason: str
    data: bytes
    attempt: int


class Bus(Protocol):
    """What a worker needs from the bus; `publish` blocks when the next stage is too far behind."""

    options: BusOptions

    def ensure(self, stage: str, partition: int | None) -> None: ...

    def publish(self, boundary: str, envelopes: Sequence[Envelope], partition: int = 0) -> None: ...

    def fetch(self, boundary: str, stage: str, partition: int | None, timeout_s: float) -> list[Delivery]: ...

    def ack_all(self, deliveries: Sequence[Delivery]) -> None: ...

    def dead_letter(self, letter: DeadLetter) -> None: ...

    def backlog(self, boundary: str, stage: str, partition: int | None) -> tuple[int, int]: ...

    def watermark(
        self, upstream: tuple[str, str], boundary: str, stage: str, partition: int | None
    ) -> float: ...

    def close(self) -> None: ...


@dataclass
class _Message:
    data: bytes
    attempt: int
    owner: InProcessBus
    key: str
    settled: bool = False

    def ack(self) -> None:
        self._settle()

    def term(self) -> None:
        self._settle()

    def in_progress(self) -> None:
        pass  # in process, nothing redelivers a message being held

    def nak(self, delay_s: float) -> None:
        del delay_s  # in process, a retried message simply goes to the back of its queue
        self._settle()
        self.owner._queue(self.key).put(_Message(self.data, self.attempt + 1, self.owner, self.key))

    def _settle(self) -> None:
        if not self.settled:
            self.settled = True
            self.owner._pending[self.key] -= 1


@dataclass
class InProcessBus:
    """Bounded queues in one process: the same worker code without a server (development and tests)."""

    options: BusOptions = field(default_factory=BusOptions)
    dead: list[DeadLetter] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queues: dict[str, queue.Queue[_Message]] = {}
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()

    def _queue(self, key: str) -> queue.Queue[_Message]:
        with self._lock:
            if key not in self._queues:
                self._queues[key] = queue.Queue(maxsize=self.options.max_ack_pending * 4)
                self._pending[key] = 0
            return self._queues[key]

    def ensure(self, stage: str, partition: int | None) -> None:
        del stage, partition  # queues appear on first use

    def publish(self, boundary: str, envelopes: Sequence[Envelope], partition: int = 0) -> None:
        target = self._queue(_key(boundary, partition))
        for envelope in envelopes:
            target.put(_Message(envelope.encode(), 1, self, _key(boundary, partition)))

    def fetch(self, boundary: str, stage: str, partition: int | None, timeout_s: float) -> list[Delivery]:
        del stage
        key = _key(boundary, partition or 0)
        source, found = self._queue(key), list[Delivery]()
        try:
            found.append(source.get(timeout=timeout_s))
            while len(found) < self.options.batch:
                found.append(source.get_nowait())
        except queue.Empty:
            pass
        with self._lock:
            self._pending[key] += len(found)
        return found

    def ack_all(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            delivery.ack()

    def dead_letter(self, letter: DeadLetter) -> None:
        self.dead.append(letter)

    def backlog(self, boundary: str, stage: str, partition: int | None) -> tuple[int, int]:
        key = _key(boundary, partition or 0)
        return self._queue(key).qsize(), self._pending[key]

    def watermark(self, upstream: tuple[str, str], boundary: str, stage: str, partition: int | None) -> float:
        del upstream, boundary, stage, partition
        return math.inf  # in process, tests feed one queue in order: nothing needs holding back

    def close(self) -> None:
        self._queues.clear()


def _key(boundary: str, partition: int) -> str:
    return f"{boundary}.p{partition}" if boundary in PARTITIONED else boundary
