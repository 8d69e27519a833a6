"""The in-process runner: passes new items through the stages in order; outcomes are handled here.

Stages never see retries, counting or quarantine bookkeeping; the runner does all of it (STYLE.md 7).
Items go through the stages in chunks, stage by stage, so a stage with `process_many` (a batched model)
sees a whole chunk at once; each stage still sees the items in arrival order. `process_many(items)` returns
one item per input, in order, or raises without having changed any state: the runner then processes that
chunk one item at a time, so each item still gets its own outcome (Skip, Quarantine, Retry).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from civicpulse.errors import Quarantine, Retry, Skip
from civicpulse.models import Item, QuarantineEntry
from civicpulse.pipeline.stage import Stage
from civicpulse.store import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
CHUNK = 256


class Pipeline:
    """Runs every new item through `stages`; counts outcomes per stage."""

    def __init__(self, store: Store, stages: Sequence[Stage]) -> None:
        self.store = store
        self.stages = list(stages)
        self.counts: Counter[str] = Counter()
        # Stateful stages see one item at a time even when the collector and the web app both submit.
        self._lock = threading.Lock()

    def submit(self, items: Iterable[Item]) -> int:
        """Process newly stored items; return how many went through every stage."""
        with self._lock:
            done = 0
            iterator = iter(items)
            while chunk := list(itertools.islice(iterator, CHUNK)):
                done += len(self._process_chunk(chunk))
            for stage in self.stages:
                flush = getattr(stage, "flush", None)
                if flush is not None:
                    flush()
        return done

    def close(self) -> None:
        """Close the stages that hold threads or connections (the notifier sends what is due first)."""
        with self._lock:
            for stage in self.stages:
                close = getattr(stage, "close", None)
                if close is not None:
                    close()

    def _process_chunk(self, chunk: list[Item]) -> list[Item]:
        for stage in self.stages:
            if not chunk:
                break
            many: Callable[[Sequence[Item]], list[Item]] | None = getattr(stage, "process_many", None)
            batched = self._batched(stage, many, chunk) if many is not None and len(chunk) > 1 else None
            if batched is not None:
                chunk = batched
            else:
                chunk = [r for item in chunk if (r := self._attempt(stage, item)) is not None]
        self.counts["done"] += len(chunk)
        return chunk

    def _batched(
        self, stage: Stage, many: Callable[[Sequence[Item]], list[Item]], chunk: list[Item]
    ) -> list[Item] | None:
        """Run `process_many`; None when it raised, so each item gets its own outcome one by one."""
        try:
            results = many(chunk)
        except Exception as error:  # a batch path changes no state before it raises
            self.counts[f"{stage.name}.unbatched"] += 1
            log.debug("stage %s: batch of %d failed (%s); one by one", stage.name, len(chunk), error)
            return None
        if len(results) != len(chunk):
            raise RuntimeError(f"stage {stage.name}: process_many returned {len(results)} of {len(chunk)}")
        return results

    def _attempt(self, stage: Stage, item: Item) -> Item | None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return stage.process(item)
            except Skip:
                self.counts[f"{stage.name}.skipped"] += 1
                return None
            except Quarantine as problem:
                self._quarantine(stage, item, problem.reason)
                return None
            except Retry as retry:
                self.counts[f"{stage.name}.retried"] += 1
                if attempt == MAX_ATTEMPTS:
                    self._quarantine(stage, item, f"gave up after {attempt} attempts: {retry.reason}")
                    return None
                time.sleep(min(retry.after_s or 0.1 * 2**attempt, 5.0))
        return None

    def _quarantine(self, stage: Stage, item: Item, reason: str) -> None:
        self.counts[f"{stage.name}.quarantined"] += 1
        log.warning("stage %s quarantined item %s: %s", stage.name, item.id, reason)
        self.store.quarantine(
            QuarantineEntry(
                origin=f"stage:{stage.name} item:{item.id}",
                reason=reason,
                payload=item.title or item.text[:500],
                source_id=item.source_id,
            )
        )
