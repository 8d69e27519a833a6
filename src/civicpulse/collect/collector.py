"""The collector: fetches due sources, a few hosts at a time, politely; stores, logs and schedules."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from civicpulse.collect.feeds import FeedConnector, Harvest
from civicpulse.collect.ingest import Ingestor, RawEntry
from civicpulse.collect.pages import PageConnector
from civicpulse.collect.schedule import HostGate, after_failure, after_success, is_due, next_due
from civicpulse.config import Settings
from civicpulse.errors import Quarantine, Retry
from civicpulse.models import FetchRecord, Item, QuarantineEntry, Source, SourceKind, SourceState
from civicpulse.pipeline.runner import Pipeline
from civicpulse.store import Store
from civicpulse.store.store import now

log = logging.getLogger(__name__)
IDLE_S = 60.0  # look for newly added sources at least this often
HINTS = (
    ("HTML page", "add the page's RSS link instead, or re-add the URL with --kind page"),
    ("XML entities", "remove the source: the feed is unsafe to parse"),
    ("byte limit", "raise CIVICPULSE_MAX_RESPONSE_MB if the feed really is this large, or remove it"),
    ("truncated", "the server cut the response short; it is retried later, check the site if it persists"),
    ("HTTP 4", "open the URL in a browser; fix it with `civicpulse sources add` or remove the source"),
    ("not RSS", "open the URL in a browser and check that it is a feed"),
)


@dataclass(frozen=True)
class SourceResult:
    """What collecting one source did, for people (hint) and scripts (`as_dict`)."""

    name: str
    url: str
    status: str  # ok | not_modified | failed | retry
    new: int = 0
    seen: int = 0
    error: str = ""
    hint: str = ""
    source_id: int | None = None

    @property
    def worked(self) -> bool:
        return self.status in ("ok", "not_modified")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Connector(Protocol):
    def fetch(self, source: Source, state: SourceState) -> Harvest: ...


class Collector:
    """Collects every due feed and page source; nothing raises out of `collect_once`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Pipeline,
        client: httpx.Client,
        *,
        gate: HostGate | None = None,
        clock: Callable[[], datetime] = now,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        self.gate = gate or HostGate(settings.per_host_delay_s)
        self.clock = clock
        self.rng = rng or random.Random()
        self.connectors: dict[SourceKind, Connector] = {
            SourceKind.FEED: FeedConnector(settings, client, store=store, gate=self.gate),
            SourceKind.PAGE: PageConnector(settings, client, store=store, gate=self.gate),
        }

    def due(self, *, force: bool = False) -> list[tuple[Source, SourceState]]:
        """Return the enabled feed and page sources due now (all of them with `force`)."""
        moment = self.clock()
        found = []
        for source in self.store.sources(enabled_only=True):
            if source.id is None or source.kind not in self.connectors:
                continue
            state = self.store.source_state(source.id)
            if force or is_due(state, moment):
                found.append((source, state))
        return found

    def collect_once(
        self, force: bool = False, progress: Callable[[SourceResult], None] | None = None
    ) -> list[SourceResult]:
        """Fetch every due source once; return one result per source, in source order."""
        try:
            due = self.due(force=force)
        except Exception as exc:  # the store is down: report it, never crash the loop
            log.exception("cannot list sources")
            return [SourceResult("store", "", "failed", error=f"cannot list sources: {exc}")]
        by_host: dict[str, list[tuple[Source, SourceState]]] = {}
        for pair in due:
            by_host.setdefault((urlsplit(pair[0].url).hostname or "").lower(), []).append(pair)
        results: dict[int, SourceResult] = {}
        workers = max(1, min(self.settings.collect_concurrency, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
            futures = [pool.submit(self._collect_host, pairs) for pairs in by_host.values()]
            for future in as_completed(futures):
                for result, fresh in future.result():
                    self._submit(fresh)  # on this thread: the pipeline's stages need not be thread-safe
                    results[result.source_id or 0] = result
                    if progress:
                        progress(result)
        return [results[s.id] for s, _ in due if s.id in results]

    def run_forever(
        self, stop: threading.Event, progress: Callable[[SourceResult], None] | None = None
    ) -> None:
        """Collect until `stop` is set, sleeping until the next source is due."""
        while not stop.is_set():
            self.collect_once(progress=progress)
            stop.wait(max(1.0, self.seconds_to_next()))

    def seconds_to_next(self) -> float:
        """Seconds until the earliest enabled source is due (at most a minute)."""
        try:
            states = [
                self.store.source_state(s.id)
                for s in self.store.sources(enabled_only=True)
                if s.id is not None and s.kind in self.connectors
            ]
        except Exception:  # a store hiccup: look again after the idle wait
            log.exception("cannot read source states")
            return IDLE_S
        return next_due(states, self.clock(), idle_s=IDLE_S)

    def _collect_host(self, pairs: list[tuple[Source, SourceState]]) -> list[tuple[SourceResult, list[Item]]]:
        return [self._collect_source(source, state) for source, state in pairs]

    def _collect_source(self, source: Source, state: SourceState) -> tuple[SourceResult, list[Item]]:
        assert source.id is not None
        started, clock = self.clock(), time.monotonic()
        fresh: list[Item] = []
        http_status: int | None = None
        size = 0
        try:
            harvest = self.connectors[source.kind].fetch(source, state)
            http_status, size = harvest.http_status, harvest.bytes
            ingestor = Ingestor(
                self.store,
                origin=f"source:{source.id} {source.url}",
                source_id=source.id,
                batch_size=self.settings.import_batch_size,
            )
            counts = ingestor.ingest(harvest.entries, pseudonym_key=self.settings.pseudonym_key)
            fresh = ingestor.new_items
            published = [e.published_at for e in harvest.entries if isinstance(e, RawEntry)]
            state = after_success(
                state,
                self.clock(),
                self.settings,
                published=published,
                etag=harvest.etag,
                last_modified=harvest.last_modified,
            )
            result = self._result(source, harvest.status, new=counts.new, seen=counts.seen)
        except Retry as retry:
            state = after_failure(
                state,
                self.clock(),
                self.settings,
                error=retry.reason,
                retry_after_s=retry.after_s,
                rng=self.rng,
            )
            result = self._result(source, "retry", error=retry.reason, hint=_retry_hint(state))
        except Quarantine as problem:
            result = self._failed(source, problem.reason, problem.payload)
            state = after_failure(state, self.clock(), self.settings, error=problem.reason, rng=self.rng)
        except Exception as exc:  # a bug or a store error must not stop the other sources
            log.exception("collecting %s failed", source.url)
            reason = f"unexpected error: {type(exc).__name__}: {exc}"
            result = self._failed(source, reason, b"")
            state = after_failure(state, self.clock(), self.settings, error=reason, rng=self.rng)
        record = FetchRecord(
            source_id=source.id,
            started_at=started,
            status=result.status,
            http_status=http_status,
            items_seen=result.seen,
            items_new=result.new,
            bytes=size,
            duration_ms=int((time.monotonic() - clock) * 1000),
            error=result.error,
        )
        self._remember(source.id, state, record)
        return result, fresh

    def _failed(self, source: Source, reason: str, payload: bytes | str) -> SourceResult:
        sample = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        try:
            self.store.quarantine(
                QuarantineEntry(
                    origin=f"source:{source.id} {source.url}",
                    reason=reason,
                    payload=sample,
                    source_id=source.id,
                )
            )
        except Exception:  # keep reporting even when the store cannot take the sample
            log.exception("cannot quarantine the failure of %s", source.url)
        return self._result(source, "failed", error=reason, hint=hint_for(reason))

    def _remember(self, source_id: int, state: SourceState, record: FetchRecord) -> None:
        try:
            self.store.save_source_state(source_id, state)
            self.store.record_fetch(record)
        except Exception:  # the next run fetches again; nothing is lost but the log line
            log.exception("cannot save the state of source %s", source_id)

    def _submit(self, fresh: list[Item]) -> None:
        if not fresh:
            return
        try:
            self.pipeline.submit(fresh)
        except Exception:  # items are stored; `civicpulse reprocess` can run them again
            log.exception("the pipeline failed on %d new items", len(fresh))

    @staticmethod
    def _result(source: Source, status: str, **fields: Any) -> SourceResult:
        return SourceResult(name=source.name, url=source.url, status=status, source_id=source.id, **fields)


def hint_for(reason: str) -> str:
    """Say what a person can do about a failed source."""
    for needle, hint in HINTS:
        if needle in reason:
            return hint
    return "open the URL in a browser; `civicpulse quarantine list` shows what came back"


def _retry_hint(state: SourceState) -> str:
    when = f"{state.next_fetch_at:%Y-%m-%d %H:%M} UTC" if state.next_fetch_at else "later"
    return f"nothing to do now: it is tried again after {when}; check the site if this keeps happening"
