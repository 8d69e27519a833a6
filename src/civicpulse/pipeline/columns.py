"""Store the enrichment columns a stage owns, once per batch, for stages that do not store their own."""

from __future__ import annotations

from collections.abc import Sequence

from civicpulse.models import Enrichment, Item
from civicpulse.pipeline.stage import Stage
from civicpulse.store import Store
from civicpulse.store.understanding import EnrichmentTables


class SaveColumns:
    """Wraps `stage`; after each batch, upserts the `columns` of `enrichments` that it sets."""

    def __init__(self, stage: Stage, store: Store, columns: tuple[str, ...]) -> None:
        self.stage = stage
        self.name = stage.name
        self.columns = columns
        self.tables = EnrichmentTables(store)
        self._pending: list[tuple[int, Enrichment]] = []

    def process(self, item: Item) -> Item:
        """Run the wrapped stage and remember the enrichment to store."""
        result = self.stage.process(item)
        if result.id is not None:
            self._pending.append((result.id, result.enrichment))
        return result

    def process_many(self, items: Sequence[Item]) -> list[Item]:
        """Run the wrapped stage's batch path (or its `process` item by item) and remember the results."""
        many = getattr(self.stage, "process_many", None)
        results: list[Item] = many(items) if many is not None else [self.stage.process(i) for i in items]
        self._pending.extend((r.id, r.enrichment) for r in results if r.id is not None)
        return results

    def close(self) -> None:
        """Close the wrapped stage, if it holds anything open."""
        close = getattr(self.stage, "close", None)
        if close is not None:
            close()

    def flush(self) -> None:
        """Flush the wrapped stage, then store the batch's columns in one write."""
        flush = getattr(self.stage, "flush", None)
        if flush is not None:
            flush()
        pending, self._pending = self._pending, []
        self.tables.save(pending, columns=self.columns)
