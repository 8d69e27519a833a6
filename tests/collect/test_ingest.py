"""From raw entries to stored items: normalisation, skips, quarantine, batching."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from civicpulse.collect.ingest import Ingestor, RawEntry, make_item
from civicpulse.errors import Quarantine, Skip
from civicpulse.store import Store


def test_make_item_normalises_and_keeps_the_raw_text() -> None:
    raw = unicodedata.normalize("NFD", "Ngập  ở\u200b Thủ Đức\r\n\r\n\r\nsau mưa")
    item = make_item(RawEntry(text=raw, author="@someone"), source_id=None, pseudonym_key="k")
    assert item.text == "Ngập ở Thủ Đức\n\nsau mưa"
    assert item.raw_text == raw
    assert item.author.startswith("a_")
    assert "someone" not in item.author


def test_make_item_makes_naive_times_utc() -> None:
    item = make_item(
        RawEntry(text="x", published_at=datetime(2025, 1, 1, 7)), source_id=None, pseudonym_key="k"
    )
    assert item.published_at == datetime(2025, 1, 1, 7, tzinfo=UTC)


def test_an_empty_entry_is_skipped() -> None:
    with pytest.raises(Skip):
        make_item(RawEntry(text=" \n ", title=""), source_id=None, pseudonym_key="k")


def test_ingestor_counts_stores_once_and_quarantines(store: Store) -> None:
    entries: list[RawEntry | Quarantine] = [
        RawEntry(text="Một", url="https://a.vn/1"),
        RawEntry(text="Hai", url="https://a.vn/2"),
        RawEntry(text=""),
        Quarantine("line 4 is not JSON", payload=b"{oops"),
        RawEntry(text="Một lần nữa", url="https://a.vn/1"),
    ]
    ingestor = Ingestor(store, origin="test.jsonl", source_id=None, batch_size=2)
    counts = ingestor.ingest(entries, pseudonym_key="k")
    assert counts.as_dict() == {"seen": 5, "new": 2, "skipped": 1, "quarantined": 1}
    assert [e.reason for e in store.quarantined()] == ["line 4 is not JSON"]
    again = Ingestor(store, origin="test.jsonl", source_id=None).ingest(entries, pseudonym_key="k")
    assert again.new == 0
    assert store.stats()["items"] == 2
