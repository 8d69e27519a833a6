"""The NATS JetStream bus: one stream per stage boundary, durable pull consumers, a dead-letter stream.

nats-py is asynchronous and the stages are not, so the bus runs its event loop on a thread of its own and
offers blocking calls: the worker stays plain code, and the loop keeps answering the server's pings while a
batch is being processed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import socket
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from civicpulse.errors import ConfigError, Quarantine, Retry
from civicpulse.pipeline.bus import BOUNDARIES, PARTITIONED, BusOptions, DeadLetter, Delivery, Envelope

log = logging.getLogger(__name__)
T = TypeVar("T")
CALL_TIMEOUT_S = 60.0
DEAD = "dead"
MAX_DELIVERIES = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"


def _accepts(url: str, timeout_s: float = 3.0) -> bool:
    """Whether something listens at the host and port of a NATS URL."""
    parts = urlsplit(url if "://" in url else f"nats://{url}")
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), timeout_s).close()
    except OSError:
        return False
    return True


async def _log_error(error: Exception) -> None:
    log.warning("NATS: %r", error)  # one line; the client retries by itself


async def _log_disconnected() -> None:
    log.info("NATS: disconnected (an open client reconnects; unacknowledged messages come again)")


async def _log_reconnected() -> None:
    log.info("NATS: reconnected")


class Names:
    """Subjects, streams and consumers of one deployment (`prefix` keeps deployments and tests apart)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def subject(self, boundary: str, partition: int | None = 0) -> str:
        base = f"{self.prefix}.{boundary}"
        return f"{base}.p{partition or 0}" if boundary in PARTITIONED else base

    def stream(self, boundary: str) -> str:
        return f"{self.prefix}_{boundary}".upper().replace(".", "_").replace("-", "_")

    def stream_subjects(self, boundary: str) -> list[str]:
        base = f"{self.prefix}.{boundary}"
        return [f"{base}.*"] if boundary in PARTITIONED else [base]

    def consumer(self, stage: str, partition: int | None) -> str:
        return stage if partition is None else f"{stage}-p{partition}"

    def dead_subject(self, stage: str) -> str:
        return f"{self.prefix}.{DEAD}.{stage}"


class NatsDelivery:
    """A JetStream message, settled through the bus's loop."""

    def __init__(self, bus: JetStreamBus, msg: Msg) -> None:
        self.bus, self.msg = bus, msg
        self.data = msg.data
        self.attempt = msg.metadata.num_delivered or 1

    def ack(self) -> None:
        self.bus.call(self.msg.ack())

    def nak(self, delay_s: float) -> None:
        self.bus.call(self.msg.nak(delay=delay_s))

    def term(self) -> None:
        self.bus.call(self.msg.term())

    def in_progress(self) -> None:
        self.bus.call(self.msg.in_progress())


class JetStreamBus:
    """Blocking calls over an event loop thread; streams and consumers are created when absent."""

    def __init__(self, url: str, options: BusOptions | None = None, *, name: str = "civicpulse") -> None:
        self.url = url
        self.options = options or BusOptions()
        self.names = Names(self.options.prefix)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="civicpulse-bus", daemon=True)
        self._thread.start()
        self._subs: dict[str, JetStreamContext.PullSubscription] = {}
        self._advisories: list[Any] = []
        self._streams_ready = False
        servers = [u.strip() for u in url.split(",") if u.strip()]  # several servers: a cluster
        try:
            if not any(map(_accepts, servers)):
                # The client would try forever; say at once what is wrong instead.
                raise ConfigError(
                    f"NATS is not reachable at {url}; start nats-server with JetStream (-js) or fix "
                    "CIVICPULSE_NATS_URL / --nats"
                )
            # Once connected, reconnect forever: a restarting server must not end a worker.
            self.nc: Client = self.call(
                nats.connect(
                    servers,
                    name=name,
                    max_reconnect_attempts=-1,
                    error_cb=_log_error,
                    disconnected_cb=_log_disconnected,
                    reconnected_cb=_log_reconnected,
                )
            )
        except BaseException:
            self._stop_loop()
            raise
        self.js = self.nc.jetstream()

    # -- plumbing ------------------------------------------------------------------------------------

    def call(self, coro: Coroutine[Any, Any, T], timeout_s: float = CALL_TIMEOUT_S) -> T:
        """Run `coro` on the bus's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout_s)

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    def close(self) -> None:
        """Flush pending acks, close the connection and stop the loop (nothing left to warn about)."""
        try:
            if not self.nc.is_closed:
                self.call(self.nc.flush(timeout=5), timeout_s=10.0)
        except Exception:  # the server may be gone; closing must still finish
            log.debug("flushing the NATS connection failed", exc_info=True)
        if not self.nc.is_closed:
            self.call(self.nc.close(), timeout_s=10.0)
        self._stop_loop()

    def _stop_loop(self) -> None:
        async def cancel_rest() -> None:
            current = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not current]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        self.call(cancel_rest(), timeout_s=5.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5.0)
        self._loop.close()

    # -- layout --------------------------------------------------------------------------------------

    def ensure(self, stage: str, partition: int | None) -> None:
        """Create every stream if absent, and this stage's consumer (idempotent; safe to race)."""
        if not self._streams_ready:
            self.call(self._ensure_streams())
            self._streams_ready = True
        del stage, partition  # consumers are bound when first fetched from

    async def _ensure_streams(self) -> None:
        for boundary in BOUNDARIES:
            await self._add_stream(
                StreamConfig(
                    name=self.names.stream(boundary),
                    subjects=self.names.stream_subjects(boundary),
                    retention=RetentionPolicy.WORK_QUEUE,  # acknowledged messages leave the stream
                    storage=StorageType.FILE,
                    max_bytes=self.options.max_bytes,
                    discard=DiscardPolicy.NEW,  # a full stream refuses new work rather than dropping old
                    duplicate_window=120.0,  # a re-published id within 2 minutes is stored once
                )
            )
        await self._add_stream(
            StreamConfig(
                name=self.names.stream(DEAD),
                subjects=[f"{self.options.prefix}.{DEAD}.>"],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                max_age=self.options.dead_letter_days * 86_400.0,
            )
        )

    async def _add_stream(self, config: StreamConfig) -> None:
        assert config.name is not None
        try:
            await self.js.stream_info(config.name)
        except NotFoundError:
            try:
                await self.js.add_stream(config)
            except nats.js.errors.BadRequestError:
                await self.js.stream_info(config.name)  # another worker created it first

    def consumer_config(self, boundary: str, stage: str, partition: int | None) -> ConsumerConfig:
        options = self.options
        return ConsumerConfig(
            durable_name=self.names.consumer(stage, partition),
            filter_subject=self.names.subject(boundary, partition),
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=options.ack_wait_s,
            max_deliver=options.max_deliver,
            # No consumer `backoff`: the server would use it as the *ack wait* of later deliveries, so a
            # message redelivered once (after a crash or a restart) came again after backoff[0] while a
            # worker was still on it, until max_deliver dead-lettered it. Unacknowledged messages wait
            # `ack_wait` every time; failed ones are nak'ed with the backoff delay (`BusOptions.delay`).
            max_ack_pending=options.max_ack_pending,
            max_waiting=64,
        )

    def _subscription(self, boundary: str, stage: str, partition: int | None) -> Any:
        key = f"{boundary}/{stage}/{partition}"
        if key not in self._subs:
            config = self.consumer_config(boundary, stage, partition)
            self._subs[key] = self.call(
                self.js.pull_subscribe(
                    config.filter_subject or "",
                    durable=config.durable_name,
                    stream=self.names.stream(boundary),
                    config=config,
                )
            )
        return self._subs[key]

    # -- traffic -------------------------------------------------------------------------------------

    def publish(self, boundary: str, envelopes: Sequence[Envelope], partition: int = 0) -> None:
        """Publish and wait for the stream to store every message; raise `Retry` when it refuses."""
        if envelopes:
            self.call(self._publish(self.names.subject(boundary, partition), boundary, envelopes))

    async def _publish(self, subject: str, boundary: str, envelopes: Sequence[Envelope]) -> None:
        stream = self.names.stream(boundary)
        acks = [
            # The id makes a re-publish after a crash (commit done, ack lost) a no-op within the window.
            self.js.publish(
                subject, e.encode(), stream=stream, headers={"Nats-Msg-Id": f"{boundary}:{e.item_id}"}
            )
            for e in envelopes
        ]
        results = await asyncio.gather(*acks, return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise Retry(f"the {boundary} stream refused {len(failed)} messages: {failed[0]!r}", after_s=1.0)

    def fetch(self, boundary: str, stage: str, partition: int | None, timeout_s: float) -> list[Delivery]:
        """Fetch up to `batch` messages, waiting at most `timeout_s` for the first."""
        sub = self._subscription(boundary, stage, partition)
        try:
            msgs: list[Msg] = self.call(sub.fetch(self.options.batch, timeout=timeout_s))
        except (NatsTimeout, TimeoutError):  # nothing arrived in time (nats-py raises either)
            return []
        return [NatsDelivery(self, m) for m in msgs]

    def ack_all(self, deliveries: Sequence[Delivery]) -> None:
        """Acknowledge many messages in one trip to the loop."""

        async def ack() -> None:
            for delivery in deliveries:
                await delivery.msg.ack() if isinstance(delivery, NatsDelivery) else delivery.ack()

        if deliveries:
            self.call(ack())

    def dead_letter(self, letter: DeadLetter) -> None:
        """Keep a message given up on in the dead-letter stream, with its reason in the headers."""
        headers = {"reason": letter.reason[:1000].replace("\n", " "), "attempt": str(letter.attempt)}
        self.call(self.js.publish(self.names.dead_subject(letter.stage), letter.data, headers=headers))

    def dead_letters(self, stage: str, limit: int = 1000) -> list[DeadLetter]:
        """Read (without removing) the dead letters of `stage`, oldest first."""
        return self.call(self._dead_letters(stage, limit))

    async def _dead_letters(self, stage: str, limit: int) -> list[DeadLetter]:
        sub = await self.js.subscribe(
            self.names.dead_subject(stage), stream=self.names.stream(DEAD), ordered_consumer=True
        )
        found: list[DeadLetter] = []
        try:
            while len(found) < limit:
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except nats.errors.TimeoutError:
                    break
                headers = msg.headers or {}
                letter = DeadLetter(
                    stage, headers.get("reason", ""), msg.data, int(headers.get("attempt", 0))
                )
                found.append(letter)
        finally:
            await sub.unsubscribe()
        return found

    def backlog(self, boundary: str, stage: str, partition: int | None) -> tuple[int, int]:
        """Return (waiting, delivered but unacknowledged) messages of a consumer: the queue and its lag."""
        try:
            info = self.call(
                self.js.consumer_info(self.names.stream(boundary), self.names.consumer(stage, partition))
            )
        except NotFoundError:
            return 0, 0
        return int(info.num_pending or 0), int(info.num_ack_pending or 0)

    def watermark(self, upstream: tuple[str, str], boundary: str, stage: str, partition: int | None) -> float:
        """Return W: every item with an id below W has passed `upstream` and been delivered to this consumer.

        `upstream` is (boundary, stage). W is the id of the oldest message in its stream above its consumer's
        ack floor (not yet acknowledged, so perhaps not yet published here; infinity when none is), provided
        the last message on this consumer's subject, read afterwards, has been delivered; else 0 (fetch more).
        """
        return self.call(self._watermark(upstream, boundary, stage, partition))

    async def _watermark(
        self, upstream: tuple[str, str], boundary: str, stage: str, partition: int | None
    ) -> float:
        stream, subject = self.names.stream(upstream[0]), self.names.subject(upstream[0], None)
        try:
            done = await self.js.consumer_info(stream, self.names.consumer(upstream[1], None))
            floor = (done.ack_floor.stream_seq or 0) if done.ack_floor is not None else 0
        except NotFoundError:
            floor = 0  # no upstream worker has started yet
        try:
            # Past the upstream consumer's ack floor: after a crash the stream may keep acknowledged messages.
            oldest = await self.js.get_msg(stream, floor + 1, subject=subject, next=True)
            below = float(Envelope.decode(oldest.data or b"").item_id)
        except NotFoundError:
            below = math.inf
        except Quarantine:
            below = 0.0  # a malformed message: wait until the upstream stage has dead-lettered it
        try:
            last = await self.js.get_last_msg(
                self.names.stream(boundary), self.names.subject(boundary, partition)
            )
        except NotFoundError:
            return below  # everything published here was acknowledged, so delivered
        info = await self.js.consumer_info(self.names.stream(boundary), self.names.consumer(stage, partition))
        delivered = info.delivered.stream_seq if info.delivered is not None else 0
        return below if (delivered or 0) >= (last.seq or 0) else 0.0

    def watch_max_deliveries(self, stage: str, boundary: str, partition: int | None) -> None:
        """Dead-letter messages the server stopped redelivering (a worker crashed on each delivery)."""
        stream, consumer = self.names.stream(boundary), self.names.consumer(stage, partition)

        async def handle(msg: Msg) -> None:
            event = json.loads(msg.data)
            try:
                stored = await self.js.get_msg(stream, int(event["stream_seq"]))
            except NotFoundError:
                return
            headers = {"reason": "max deliveries reached: the worker crashed or timed out on each delivery"}
            headers["attempt"] = str(event.get("deliveries", 0))
            await self.js.publish(self.names.dead_subject(stage), stored.data or b"", headers=headers)
            await self.js.delete_msg(stream, int(event["stream_seq"]))

        subject = f"{MAX_DELIVERIES}.{stream}.{consumer}"
        # A queue group: of all the workers of this consumer, one handles each advisory.
        self._advisories.append(self.call(self.nc.subscribe(subject, queue=f"dlq-{consumer}", cb=handle)))

    def delete(self) -> None:
        """Delete every stream of this prefix (tests and `cluster down --purge`)."""

        async def remove() -> None:
            for boundary in (*BOUNDARIES, DEAD):
                try:
                    await self.js.delete_stream(self.names.stream(boundary))
                except NotFoundError:
                    continue

        self.call(remove())
        self._subs.clear()
