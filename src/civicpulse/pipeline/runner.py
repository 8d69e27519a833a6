"""The in-process runner: passes new items through the stages in order; outcomes are handled here.

Stages never see retries, counting or quarantine bookkeeping; the runner does all of it (STYLE.md 7).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence

from civicpulse.errors import Quarantine, Retry, Skip
from civicpulse.models import Item, QuarantineEntry
from civicpulse.pipeline.stage import Stage
from civicpulse.store import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


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
            done = sum(1 for item in items if self._process(item) is not None)
            for stage in self.stages:
                flush = getattr(stage, "flush", None)
                if flush is not None:
                    flush()
        return done

    def _process(self, item: Item) -> Item | None:
        for stage in self.stages:
            result = self._attempt(stage, item)
            if result is None:
                return None
            item = result
        self.counts["done"] += 1
        return item

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
