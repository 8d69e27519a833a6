"""Reading an evaluation file (EVAL.md): one JSON object per line; bad input names the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicpulse.errors import InputError


@dataclass(frozen=True)
class Row:
    """One evaluation row: what the system may read, plus the raw record for the scorer's gold keys."""

    line: int
    id: str
    text: str
    title: str
    time: datetime | None
    lang: str
    source: str
    record: dict[str, Any]

    def gold(self, key: str, path: Path) -> str:
        """Return gold key `key` as a string; a missing one is bad input."""
        value = self.record.get(key)
        if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
            raise InputError(f"{path}:{self.line}: `{key}` must be a non-empty string; fix the row")
        return str(value)


def count_lines(path: Path) -> int:
    """Return how many non-blank lines `path` has (for progress)."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def read_rows(path: Path) -> Iterator[Row]:
    """Yield rows in file order; raise `InputError` naming the file and line for anything malformed."""
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = _row(path, number, line)
            if row.id in seen:
                raise InputError(f"{path}:{number}: id {row.id!r} appears twice; ids must be unique")
            seen.add(row.id)
            yield row


def _row(path: Path, number: int, line: str) -> Row:
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg}); each line must be one JSON object") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: a line must be a JSON object, not {type(record).__name__}")
    fields = {k: record.get(k, "") for k in ("id", "text", "title", "time", "lang", "source")}
    for key, value in fields.items():
        if not isinstance(value, str) and not (key == "id" and isinstance(value, int)):
            raise InputError(f"{where}: `{key}` must be a string")
    row_id = str(fields["id"]).strip()
    if not row_id:
        raise InputError(f"{where}: `id` is missing; every row needs an id unique within the file")
    if not fields["text"] and not fields["title"]:
        raise InputError(f"{where}: `text` and `title` are both empty; give at least one")
    return Row(
        line=number,
        id=row_id,
        text=fields["text"],
        title=fields["title"],
        time=_time(where, fields["time"]),
        lang=fields["lang"],
        source=fields["source"],
        record=record,
    )


def _time(where: str, value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{where}: `time` {value!r} is not ISO 8601 (e.g. 2025-09-01T08:00:00+07:00)"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
