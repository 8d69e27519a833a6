"""Tell an import file's format from its extension and first bytes."""

from __future__ import annotations

import json
from pathlib import Path

from civicpulse.collect.imports.facebook import looks_like_facebook
from civicpulse.collect.imports.reading import csv_header

FORMATS = ("jsonl", "csv", "eval", "telegram", "facebook-csv")
JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".jsonlines"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
# Keys only the evaluation format has; `published`, `platform`, `author` or `kind` mean our item schema.
EVAL_KEYS = frozenset({"time", "story", "label", "event", "units"})
SCHEMA_KEYS = frozenset({"published", "platform", "author", "kind"})


def detect_format(path: Path, head: bytes, encoding: str) -> str | None:
    """Return the format of `path` judged from its name and first bytes, or None when it is unclear."""
    text = head.decode("utf-8" if encoding == "utf-8-sig" else encoding, "replace").lstrip("\ufeff ")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES or (suffix not in JSON_SUFFIXES and not text.lstrip().startswith(("{", "["))):
        header, _, _ = csv_header(path, encoding)
        if len(header) < 2:
            return None
        return "facebook-csv" if looks_like_facebook(header) else "csv"
    first = _first_object(text)
    if first is None:
        stripped = text.lstrip()
        if stripped.startswith("{") and ('"messages"' in stripped or '"chats"' in stripped):
            return "telegram"
        return "jsonl" if suffix in (".jsonl", ".ndjson", ".jsonlines") else None
    if "messages" in first or "chats" in first:
        return "telegram"  # a whole-account export (`chats`) is refused there, with what to export instead
    keys = set(first)
    return "eval" if keys & EVAL_KEYS and not keys & SCHEMA_KEYS else "jsonl"


def _first_object(text: str) -> dict[str, object] | None:
    """Return the first line of the sample that is a whole JSON object (a broken line may come first)."""
    for line in text.splitlines()[:50]:
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None
