"""Import one file: stream its rows, write them through the `Ingestor` in batches, checkpoint, resume.

After each committed batch the position (byte offset and line, or message number) is saved under a
checkpoint named after the file's fingerprint; a re-run after an interrupt goes on from there. Writes are
idempotent, so the stored result is exact whether or not a run was interrupted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicpulse.collect.imports import facebook, telegram
from civicpulse.collect.imports.detect import FORMATS, detect_format
from civicpulse.collect.imports.evaluation import eval_entry
from civicpulse.collect.imports.reading import (
    Position,
    Row,
    csv_header,
    csv_rows,
    detect_encoding,
    json_rows,
    sample,
)
from civicpulse.collect.imports.schema import Context, schema_entry
from civicpulse.collect.ingest import IngestCounts, Ingestor, RawEntry, make_item
from civicpulse.errors import InputError, Quarantine, Skip
from civicpulse.models import Item, Source, SourceKind
from civicpulse.store import Store

Progress = Callable[[int, int], None]
Submit = Callable[[list[Item]], int]
MAX_CACHED_SOURCES = 10_000


@dataclass(frozen=True)
class ImportOptions:
    """How to import: the format (None: detect it), rows per transaction, whether to redo a done file."""

    format: str | None = None
    batch_size: int = 500
    again: bool = False


@dataclass
class ImportReport:
    """What an import did, over every run of the same file (a resumed run adds to the interrupted one)."""

    file: str
    format: str
    source: str
    counts: IngestCounts = field(default_factory=IngestCounts)
    resumed_from_line: int = 0
    already_done: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "source": self.source,
            **self.counts.as_dict(),
            "resumed_from_line": self.resumed_from_line,
            "already_done": self.already_done,
        }


@dataclass
class Plan:
    """How to read one format: its rows from a position, the pure mapping, and where items come from."""

    rows: Callable[[Position], Iterator[Row]]
    entry: Callable[[Mapping[str, Any]], RawEntry]
    source: Source
    start: Position = field(default_factory=Position)
    page_of: Callable[[Mapping[str, Any]], Source | None] | None = None


def import_file(
    store: Store,
    path: Path,
    *,
    pseudonym_key: str,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    submit: Submit | None = None,
) -> ImportReport:
    """Import `path` into `store`, resuming an interrupted import of the same file.

    New items of each committed batch are passed to `submit` (the pipeline), before the checkpoint moves.
    """
    options = options or ImportOptions()
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file; check the path")
    head = sample(path)
    if not head.strip():
        raise InputError(f"{path} is empty; there is nothing to import")
    encoding = "utf-8" if options.format == "telegram" else detect_encoding(head, path)
    fmt = options.format or detect_format(path, head, encoding)
    if fmt not in FORMATS:
        raise InputError(
            f"cannot tell the format of {path}; pass --format with one of {', '.join(FORMATS)} "
            "(see docs/connectors.md)"
        )
    plan = _plan(path, fmt, encoding)
    name = checkpoint_name(path, fmt, head)
    saved = store.checkpoint(name) or {}
    report = ImportReport(file=str(path), format=fmt, source=plan.source.name)
    if saved.get("done") and not options.again:
        report.already_done = True
        return report
    start = plan.start
    if saved and not saved.get("done"):
        start = Position(saved["line"], saved["offset"])
        report.resumed_from_line = start.line
        report.counts = IngestCounts(**saved["counts"])
    _run(
        store,
        plan,
        start,
        report,
        path=path,
        name=name,
        pseudonym_key=pseudonym_key,
        batch_size=options.batch_size,
        progress=progress,
        submit=submit,
    )
    return report


def checkpoint_name(path: Path, fmt: str, head: bytes) -> str:
    """Name the checkpoint after the file's content (first 64 KB and size), so a moved file still resumes."""
    fingerprint = hashlib.sha256(head + f"\0{path.stat().st_size}".encode()).hexdigest()[:32]
    return f"import:{fmt}:{fingerprint}"


def _plan(path: Path, fmt: str, encoding: str) -> Plan:
    file_source = Source(name=path.name, kind=SourceKind.IMPORT, url=path.resolve().as_uri())
    ctx = Context(stem=path.stem)
    if fmt in ("jsonl", "eval"):
        mapping = eval_entry if fmt == "eval" else schema_entry
        return Plan(
            rows=lambda pos: json_rows(path, encoding, pos),
            entry=lambda record: mapping(record, ctx),
            source=file_source,
        )
    if fmt == "telegram":
        channel = telegram.read_channel(path)
        return Plan(
            rows=lambda pos: telegram.message_rows(path, pos),
            entry=lambda record: telegram.message_entry(record, channel),
            source=Source(
                name=channel.name, kind=SourceKind.IMPORT, url=channel.url, settings={"type": channel.type}
            ),
        )
    header, delimiter, first = csv_header(path, encoding)
    if fmt == "csv" and not {"text", "title"} & set(header):
        raise InputError(
            f"{path} has no `text` or `title` column; name the columns as in docs/connectors.md "
            "or pass --format facebook-csv for a Facebook export"
        )
    return Plan(
        rows=lambda pos: csv_rows(path, encoding, pos, header, delimiter),
        entry=facebook.facebook_entry if fmt == "facebook-csv" else lambda record: schema_entry(record, ctx),
        source=file_source,
        start=first,
        page_of=facebook.page_source if fmt == "facebook-csv" else None,
    )


def _run(
    store: Store,
    plan: Plan,
    start: Position,
    report: ImportReport,
    *,
    path: Path,
    name: str,
    pseudonym_key: str,
    batch_size: int,
    progress: Progress | None,
    submit: Submit | None,
) -> None:
    sources = _Sources(store, plan.source)
    # Facebook rows name their page; the file is registered as a source only for rows that name none.
    main_id = None if plan.page_of else sources.id_for(None)
    ingestor = Ingestor(store, origin=f"import:{path.name}", source_id=main_id, batch_size=batch_size)
    before = report.counts
    held: list[tuple[Quarantine, str]] = []
    position, in_batch = start, 0

    def commit() -> None:
        ingestor.flush()
        if submit is not None:
            submit(ingestor.new_items)
        ingestor.new_items.clear()  # handed on; keeping them would grow memory
        for problem, where in held:
            ingestor.reject(problem, where)
        held.clear()
        report.counts = _sum(before, ingestor.counts)
        state = {"path": str(path.resolve()), "line": position.line, "offset": position.offset}
        store.save_checkpoint(name, {**state, "counts": report.counts.as_dict(), "done": False})
        if progress:
            progress(report.counts.seen, position.offset)

    if progress:
        progress(before.seen, start.offset)
    for row in plan.rows(start):
        try:
            if isinstance(row.value, Quarantine):
                raise row.value
            source_id = sources.id_for(plan.page_of(row.value) if plan.page_of else None)
            entry = plan.entry(row.value)
            ingestor.add(make_item(entry, source_id=source_id, pseudonym_key=pseudonym_key))
        except Skip as skip:
            ingestor.skip(skip.reason)
        except Quarantine as problem:
            if not problem.payload and not isinstance(row.value, Quarantine):
                problem = Quarantine(problem.reason, json.dumps(row.value, ensure_ascii=False, default=str))
            held.append((problem, row.where))
        position, in_batch = row.end, in_batch + 1
        if in_batch >= batch_size:
            commit()
            in_batch = 0
    commit()
    store.save_checkpoint(name, {**(store.checkpoint(name) or {}), "done": True})


class _Sources:
    """Registers each source items come from (file, channel or page) once, and remembers its id."""

    def __init__(self, store: Store, default: Source) -> None:
        self.store = store
        self.default = default
        self._ids: dict[str, int] = {}

    def id_for(self, source: Source | None) -> int | None:
        source = source or self.default
        if source.url not in self._ids:
            if len(self._ids) >= MAX_CACHED_SOURCES:
                self._ids.clear()
            self._ids[source.url] = self.store.add_source(source).id or 0
        return self._ids[source.url]


def _sum(a: IngestCounts, b: IngestCounts) -> IngestCounts:
    return IngestCounts(
        seen=a.seen + b.seen,
        new=a.new + b.new,
        skipped=a.skipped + b.skipped,
        quarantined=a.quarantined + b.quarantined,
    )
