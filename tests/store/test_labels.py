"""Analysts' labels and the labelling pool, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from civicpulse.errors import StoreError
from civicpulse.store import Store
from civicpulse.store.labels import LabelCorrection, LabelTables
from civicpulse.store.schema import enrichments, item_labels
from tests import factories

NOON = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def classified(store: Store, count: int) -> list[int]:
    """Add `count` items; all but the first carry a sentiment label with probabilities. Returns their ids."""
    src = store.add_source(factories.source(name="Nguồn"))
    added = store.add_items(
        [factories.item(f"Tin {k}", source_id=src.id, url=f"https://a.vn/{k}") for k in range(count)]
    )
    ids = [int(i.id or 0) for i in added]
    with store.engine.begin() as conn:
        for k, item_id in enumerate(ids):
            labels = (
                {} if k == 0 else {"sentiment": {"label": "neutral", "p": 0.5, "probs": {"neutral": 0.5}}}
            )
            conn.execute(insert(enrichments).values(item_id=item_id, labels=labels, updated_at=NOON))
    return ids


def test_the_pool_is_the_newest_classified_items_nobody_labelled(store: Store) -> None:
    ids = classified(store, 6)
    tables = LabelTables(store)
    tables.add(LabelCorrection(ids[5], "sentiment", "negative", "neutral", "ana"))
    tables.add(LabelCorrection(ids[4], "toxicity", "hate", "clean", "ana"))  # another task: still in the pool
    pool = tables.unlabelled_recent("sentiment", scan=4)
    # The newest 4 unlabelled ones, newest first: ids[5] is labelled, ids[0] is beyond the scan.
    assert [i.id for i in pool] == [ids[4], ids[3], ids[2], ids[1]]
    assert [i.id for i in tables.unlabelled_recent("sentiment")][-1] == ids[1]  # ids[0] is unclassified
    assert pool[0].enrichment.labels["sentiment"]["label"] == "neutral"
    assert tables.unlabelled_recent("toxicity") == []  # nothing was classified for toxicity


def test_every_correction_is_kept_and_the_latest_counts(store: Store) -> None:
    ids = classified(store, 2)
    tables = LabelTables(store)
    tables.add(LabelCorrection(ids[1], "sentiment", "negative", "neutral", "ana", NOON))
    tables.add(LabelCorrection(ids[1], "sentiment", "positive", "neutral", "binh", NOON))
    assert [(c.label, c.analyst, c.created_at) for c in tables.history(ids[1])] == [
        ("negative", "ana", NOON),
        ("positive", "binh", NOON),
    ]
    assert tables.current([ids[0], ids[1]], "sentiment") == {ids[1]: "positive"}
    assert tables.current([], "sentiment") == {}
    item = tables.labelled_item(ids[1])
    assert item is not None and item.enrichment.labels["sentiment"]["p"] == 0.5
    assert tables.labelled_item(ids[0]) is not None
    assert tables.labelled_item(10**9) is None
    with pytest.raises(StoreError, match="not stored"):
        tables.add(LabelCorrection(10**9, "sentiment", "negative"))


def test_a_label_keeps_a_copy_of_what_it_judged(store: Store) -> None:
    ids = classified(store, 1)
    LabelTables(store).add(LabelCorrection(ids[0], "sentiment", "negative"))
    assert LabelTables(store).latest("sentiment") == [("", "Tin 0", "negative")]
    with store.engine.connect() as conn:
        assert conn.execute(select(item_labels.c.title, item_labels.c.text)).one() == ("", "Tin 0")
