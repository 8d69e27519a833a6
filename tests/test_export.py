"""Exports: every format streams every item, with pseudonyms only, and `--since` filters."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from civicpulse.errors import InputError
from civicpulse.export import COLUMNS, export_items
from civicpulse.store import Store
from tests import factories


@pytest.fixture
def filled(store: Store) -> Store:
    source = store.add_source(factories.source(name="Báo Phường"))
    store.add_items(
        [
            factories.item(
                "Ngập sâu ở Thủ Đức",
                source_id=source.id,
                author="@nguyenvana",
                extra={"likes": 3, "username": "nguyenvana"},
                published_at=datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
            ),
            factories.item("Kẹt xe ở Hàng Xanh", published_at=datetime(2025, 9, 3, 8, 0, tzinfo=UTC)),
            factories.item("Không có ngày đăng", published_at=None),
        ]
    )
    return store


def read(path: Path, fmt: str) -> list[dict[str, object]]:
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_item_is_exported_with_pseudonyms_only(filled: Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"items.{fmt}"
    assert export_items(filled, out, fmt) == 3
    rows = read(out, fmt)
    assert [r["text"] for r in rows] == ["Ngập sâu ở Thủ Đức", "Kẹt xe ở Hàng Xanh", "Không có ngày đăng"]
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["source"] == "Báo Phường"
    assert str(rows[0]["author"]).startswith("a_")
    assert "nguyenvana" not in out.read_bytes().decode("utf-8", "replace")
    extra = rows[0]["extra"]
    assert (json.loads(extra) if isinstance(extra, str) else extra) == {"likes": 3}
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_since_keeps_items_published_or_collected_from_that_day(
    filled: Store, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"recent.{fmt}"
    assert export_items(filled, out, fmt, since=date(2025, 9, 2)) == 2
    assert [r["text"] for r in read(out, fmt)] == ["Kẹt xe ở Hàng Xanh", "Không có ngày đăng"]


def test_export_streams_past_one_read_batch(sqlite_store: Store, tmp_path: Path) -> None:
    sqlite_store.add_items([factories.item(f"tin số {i}") for i in range(2500)])
    assert export_items(sqlite_store, tmp_path / "all.parquet", "parquet") == 2500
    assert pq.read_metadata(tmp_path / "all.parquet").num_rows == 2500


def test_bad_destination_or_format_is_an_input_error(sqlite_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        export_items(sqlite_store, tmp_path / "missing" / "x.csv", "csv")
    with pytest.raises(InputError, match="unknown export format"):
        export_items(sqlite_store, tmp_path / "x.xlsx", "xlsx")
