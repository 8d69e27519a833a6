"""Labelled texts in the evaluation format (EVAL.md): one JSON object per line with `text` and `label`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from civicpulse.errors import InputError


@dataclass(frozen=True)
class Labelled:
    """One labelled text."""

    text: str
    label: str
    id: str = ""


def row_text(row: dict[str, object]) -> str:
    """Return what a classifier reads from a row: the title, then the text."""
    title, text = str(row.get("title") or ""), str(row.get("text") or "")
    return f"{title}. {text}" if title and text else title or text


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (line number, object) for each non-blank line; bad JSON raises InputError naming the line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); check the path") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not a JSON object ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise InputError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
            yield number, row


def read_labelled(path: Path, allowed: tuple[str, ...] = ()) -> list[Labelled]:
    """Read every row with its gold `label`; a missing or unknown label raises InputError."""
    out = []
    for number, row in iter_rows(path):
        label = row.get("label")
        if not isinstance(label, str) or not label:
            raise InputError(f"{path}:{number}: no `label`; every row needs one (EVAL.md)")
        if allowed and label not in allowed:
            raise InputError(f"{path}:{number}: label {label!r} is not one of {', '.join(allowed)}")
        out.append(Labelled(row_text(row), label, str(row.get("id", number))))
    if not out:
        raise InputError(f"{path}: no rows; expected one JSON object per line")
    return out
