"""Imports: counts per format, idempotent re-imports, quarantine by line, resume, constant memory."""

from __future__ import annotations

import json
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civicpulse.collect.imports import ImportOptions, detect_format, import_file, importer
from civicpulse.collect.imports.reading import Position, Row, detect_encoding, sample
from civicpulse.errors import InputError
from civicpulse.models import ItemKind
from civicpulse.store import Store
from tests.conftest import FIXTURES, SHARED_DATA
from tests.factories import TEST_KEY

IMPORTS = FIXTURES / "imports"

# file, detected format, (seen, new, skipped, quarantined)
EXPECTED = [
    ("items.jsonl", "jsonl", (5, 5, 0, 0)),
    ("broken.jsonl", "jsonl", (8, 2, 1, 5)),
    ("eval.jsonl", "eval", (4, 4, 0, 0)),
    ("items.csv", "csv", (3, 3, 0, 0)),
    ("broken.csv", "csv", (5, 2, 0, 3)),
    ("bom.csv", "csv", (2, 2, 0, 0)),
    ("cp1258.csv", "csv", (3, 3, 0, 0)),
    ("crowdtangle.csv", "facebook-csv", (4, 3, 0, 1)),
    ("facepager.csv", "facebook-csv", (4, 3, 1, 0)),
    ("telegram/result.json", "telegram", (6, 3, 2, 1)),
]


def run(store: Store, path: Path, **options: Any) -> dict[str, Any]:
    options.setdefault("batch_size", 2)
    return import_file(store, path, pseudonym_key=TEST_KEY, options=ImportOptions(**options)).as_dict()


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    return report["seen"], report["new"], report["skipped"], report["quarantined"]


@pytest.mark.parametrize(("name", "fmt", "expected"), EXPECTED)
def test_each_format_imports_with_exact_counts(
    store: Store, name: str, fmt: str, expected: tuple[int, int, int, int]
) -> None:
    report = run(store, IMPORTS / name)
    assert report["format"] == fmt
    assert counts(report) == expected
    assert store.stats()["items"] == expected[1]
    assert store.stats()["quarantined"] == expected[3]


@pytest.mark.parametrize(("name", "fmt", "expected"), EXPECTED)
def test_reimport_adds_nothing(sqlite_store: Store, name: str, fmt: str, expected: Any) -> None:
    del fmt
    run(sqlite_store, IMPORTS / name)
    assert run(sqlite_store, IMPORTS / name)["already_done"] is True
    again = run(sqlite_store, IMPORTS / name, again=True)
    assert again["new"] == 0
    assert again["seen"] == expected[0]
    assert sqlite_store.stats()["items"] == expected[1]


def test_broken_rows_are_quarantined_with_file_line_and_reason(sqlite_store: Store) -> None:
    run(sqlite_store, IMPORTS / "broken.jsonl")
    run(sqlite_store, IMPORTS / "broken.csv")
    found = {q.origin: q.reason for q in sqlite_store.quarantined()}
    assert "not valid JSON" in found["import:broken.jsonl:2"]
    assert "not an object" in found["import:broken.jsonl:3"]
    assert "kind 'tweet'" in found["import:broken.jsonl:4"]
    assert "ISO 8601" in found["import:broken.jsonl:5"]
    assert "not valid utf-8" in found["import:broken.jsonl:6"]
    assert found["import:broken.csv:3"] == "line 3 has 5 fields but the header has 3"
    assert "not valid utf-8" in found["import:broken.csv:4"]
    assert "2 fields" in found["import:broken.csv:6"]
    texts = {i.text for i in sqlite_store.recent_items()}
    assert {"Dòng đầu tiên hợp lệ.", "Dòng cuối hợp lệ.", "Dòng cuối hợp lệ"} <= texts


def test_schema_rows_map_fields_and_never_keep_handles(store: Store) -> None:
    run(store, IMPORTS / "items.jsonl")
    by_text = {i.text[:10]: i for i in store.recent_items()}
    first = by_text["Người dân "]
    assert first.platform == "zalo"
    assert first.platform_id == "a1"
    assert first.author.startswith("a_")
    assert "nguyenvana" not in json.dumps(first.extra)
    assert first.extra == {"likes": 12}
    assert first.published_at is not None
    assert first.published_at.isoformat() == "2025-09-01T01:00:00+00:00"
    second = by_text["Kẹt xe kéo"]
    assert second.platform_id == "items:a2"
    assert "username" not in second.extra
    assert by_text["Nước sạch "].kind is ItemKind.COMMENT
    assert "\x00" not in by_text["Nước sạch "].text


def test_csv_quoted_fields_span_lines_and_extra_columns_are_kept(sqlite_store: Store) -> None:
    run(sqlite_store, IMPORTS / "items.csv")
    items = {i.platform_id: i for i in sqlite_store.recent_items()}
    assert items["items:c2"].text == "Bài viết nhiều dòng:\ndòng hai, có dấu phẩy"
    assert items["items:c2"].kind is ItemKind.ARTICLE
    assert items["items:c1"].extra == {"district": "Quận 3"}
    assert items["items:c3"].published_at is not None
    assert items["items:c3"].published_at.hour == 3  # 10:00 ICT is 03:00 UTC


def test_legacy_encodings_are_detected(sqlite_store: Store) -> None:
    assert detect_encoding(sample(IMPORTS / "cp1258.csv"), IMPORTS / "cp1258.csv") == "cp1258"
    assert detect_encoding(sample(IMPORTS / "bom.csv"), IMPORTS / "bom.csv") == "utf-8-sig"
    run(sqlite_store, IMPORTS / "cp1258.csv")
    run(sqlite_store, IMPORTS / "bom.csv")
    texts = {i.platform_id: i.text for i in sqlite_store.recent_items()}
    assert texts["cp1258:w2"] == "Đề nghị sửa chữa đường hư hỏng trước mùa mưa"
    assert texts["bom:e1"] == "Có BOM ở đầu tệp"


def test_eval_rows_keep_gold_aside_and_key_by_file_stem(sqlite_store: Store, tmp_path: Path) -> None:
    run(sqlite_store, IMPORTS / "eval.jsonl")
    items = {i.platform_id: i for i in sqlite_store.recent_items()}
    assert set(items) == {"eval:1", "eval:2", "eval:3", "eval:4"}
    assert items["eval:1"].extra == {"gold": {"story": "s1", "units": [["26734"]]}, "source": "example.org"}
    assert items["eval:3"].published_at is None
    moved = tmp_path / "elsewhere" / "eval.jsonl"
    moved.parent.mkdir()
    shutil.copy(IMPORTS / "eval.jsonl", moved)
    assert run(sqlite_store, moved, again=True)["new"] == 0


def test_telegram_export_maps_messages_to_the_channel(store: Store) -> None:
    run(store, IMPORTS / "telegram" / "result.json")
    [channel] = store.sources()
    assert (channel.name, channel.url, channel.kind) == ("Tin nhanh Thủ Đức", "telegram:1234567890", "import")
    items = {i.platform_id: i for i in store.recent_items()}
    assert items["1234567890:3"].text == "Cảnh báo lừa đảo qua tin nhắn, xem hướng dẫn."
    assert items["1234567890:3"].extra["links"] == ["https://example.org/canh-bao"]
    reply = items["1234567890:5"]
    assert reply.kind is ItemKind.COMMENT
    assert reply.author.startswith("a_")
    assert "Ai đó" not in json.dumps(reply.extra)
    assert reply.published_at is not None
    assert reply.published_at.isoformat() == "2025-09-01T03:05:00+00:00"
    [problem] = store.quarantined()
    assert problem.origin == "import:result.json:message 6 (id 6)"


def test_truncated_telegram_export_keeps_what_was_read(sqlite_store: Store) -> None:
    report = run(sqlite_store, IMPORTS / "telegram_truncated.json")
    assert counts(report) == (4, 2, 1, 1)
    [problem] = sqlite_store.quarantined()
    assert "broken after message 3" in problem.reason


def test_facebook_tools_agree_on_post_ids_and_pages_become_sources(store: Store) -> None:
    run(store, IMPORTS / "crowdtangle.csv")
    report = run(store, IMPORTS / "facepager.csv")
    assert counts(report) == (4, 2, 1, 0)  # the post CrowdTangle already gave is not new
    names = {s.url: s.name for s in store.sources()}
    assert names["facebook:100064000000001"] == "Báo Phường Linh Xuân"
    assert names["facebook:100064000000002"] == "Trang Cộng đồng Thủ Đức"
    items = {i.platform_id: i for i in store.recent_items()}
    post = items["100064000000001_555000000000001"]
    assert post.extra["likes"] == 1000
    assert post.extra["link"] == "https://example.org/cat-nuoc"
    assert items["100064000000001_555000000000002"].published_at is not None
    assert items["100064000000001_555000000000002"].published_at.hour == 17  # 12:30 EST
    assert items["100064000000002_777000000000001"].source_name == "Trang Cộng đồng Thủ Đức"
    comment = items["555000000000001_902"]
    assert comment.kind is ItemKind.COMMENT
    assert comment.text == "Nhà tôi mất nước\ntừ chiều rồi"
    assert comment.author.startswith("a_")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfei\x00d\x00", "UTF-16"),
        (b"[1, 2, 3]\n", "cannot tell the format"),
        (b"just some words\nwithout columns\n", "cannot tell the format"),
        (b'{"about": "x", "chats": {"list": []}}', "whole-account export"),
        (b"id,body\n1,hello\n", "no `text` or `title` column"),
    ],
)
def test_bad_files_are_input_errors_that_say_what_to_do(
    sqlite_store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / ("data.csv" if b"body" in content else "data.json")
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        run(sqlite_store, path)
    assert str(path) in str(error.value)


def test_a_missing_file_is_an_input_error(sqlite_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        run(sqlite_store, tmp_path / "nope.jsonl")


def test_format_is_detected_from_name_and_first_bytes(tmp_path: Path) -> None:
    for name, fmt, _ in EXPECTED:
        path = IMPORTS / name
        encoding = detect_encoding(sample(path), path)
        assert detect_format(path, sample(path), encoding) == fmt, name
    unnamed = tmp_path / "export"
    shutil.copy(IMPORTS / "telegram" / "result.json", unnamed)
    assert detect_format(unnamed, sample(unnamed), "utf-8") == "telegram"


# -- resuming ------------------------------------------------------------------------------------------


def write_rows(path: Path, fmt: str, n: int) -> None:
    """Write `n` rows of `fmt`; every 97th is broken, so quarantine counts are checked too."""
    if fmt == "telegram":
        messages: list[dict[str, Any]] = [
            {"id": i, "type": "message", "date_unixtime": str(1756684800 + i), "text": f"tin số {i}"}
            for i in range(1, n + 1)
        ]
        for message in messages[96::97]:
            message["text"] = {"bad": message["id"]}
        path.write_text(json.dumps({"name": "Kênh", "type": "public_channel", "id": 7, "messages": messages}))
        return
    with path.open("w", encoding="utf-8") as f:
        f.write("id,text\n" if fmt == "csv" else "")
        for i in range(1, n + 1):
            broken = i % 97 == 0
            if fmt == "csv":
                f.write(f"{i},extra,field\n" if broken else f'{i},"dòng số {i}\nhai dòng"\n')
            else:
                f.write("{broken\n" if broken else json.dumps({"id": str(i), "text": f"dòng số {i}"}) + "\n")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "telegram"])
def test_interrupted_import_resumes_and_the_result_is_exact(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    path = tmp_path / ("rows.json" if fmt == "telegram" else f"rows.{fmt}")
    write_rows(path, fmt, 1000)
    real_plan = importer._plan

    def interrupted_plan(*args: Any) -> importer.Plan:
        plan = real_plan(*args)
        rows = plan.rows

        def stop_after(start: Position) -> Iterator[Row]:
            for n, row in enumerate(rows(start)):
                if n == 350:  # mid-batch, after three batches of 100 were committed
                    raise KeyboardInterrupt
                yield row

        plan.rows = stop_after
        return plan

    monkeypatch.setattr(importer, "_plan", interrupted_plan)
    with pytest.raises(KeyboardInterrupt):
        run(store, path, batch_size=100)
    assert store.stats()["items"] == 300 - 3  # rows 97, 194 and 291 are broken
    monkeypatch.setattr(importer, "_plan", real_plan)
    report = run(store, path, batch_size=100)
    assert report["resumed_from_line"] == {"jsonl": 301, "csv": 599, "telegram": 301}[fmt]
    assert counts(report) == (1000, 1000 - 10, 0, 10)
    assert store.stats()["items"] == 990
    assert store.stats()["quarantined"] == 10
    assert run(store, path)["already_done"] is True


def test_dantri_stream_imports_every_article(sqlite_store: Store) -> None:
    path = SHARED_DATA / "stream" / "dantri_2019_2021.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is not here (shared data)")
    report = run(sqlite_store, path, batch_size=500)
    assert report["format"] == "eval"
    assert counts(report) == (2653, 2653, 0, 0)
    assert sqlite_store.stats()["items"] == 2653


@pytest.mark.slow
def test_import_runs_in_constant_memory(sqlite_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    rows = 60_000
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            f.write(f'{{"id":"{i}","text":"ngập {i}"}}\n')
    tracemalloc.start()
    try:
        report = run(sqlite_store, path, batch_size=2000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report["new"] == rows
    # Holding every row would take over 50 MB (an Item alone is ~1 KB); a streaming import holds one batch.
    assert peak < 25 * 2**20, f"peak {peak / 2**20:.1f} MB"


def test_new_items_are_handed_to_the_pipeline_once(sqlite_store: Store) -> None:
    handed: list[int] = []

    def submit(items: list[Any]) -> int:
        handed.extend(item.id for item in items)
        return len(items)

    options = ImportOptions(batch_size=2)
    import_file(sqlite_store, IMPORTS / "items.jsonl", pseudonym_key=TEST_KEY, options=options, submit=submit)
    again = ImportOptions(batch_size=2, again=True)
    import_file(sqlite_store, IMPORTS / "items.jsonl", pseudonym_key=TEST_KEY, options=again, submit=submit)
    assert len(handed) == len(set(handed)) == sqlite_store.stats()["items"] > 0
