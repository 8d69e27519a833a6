"""Streaming reads of text files: encoding detection, lines and CSV records with resumable positions."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import charset_normalizer

from civicpulse.errors import InputError, Quarantine

SAMPLE_BYTES = 64 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_FIELD_CHARS = 16 * 1024 * 1024
# A file whose sample has more broken UTF-8 sequences than this share of its non-ASCII bytes is taken
# to be in another encoding; below it, it is UTF-8 with a few damaged lines, which get quarantined.
MAX_BAD_UTF8_SHARE = 0.1
WIDE_ENCODINGS = ("utf_16", "utf_32", "utf-16", "utf-32")
DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Position:
    """Where reading goes on: the next line (or message) number and its byte offset."""

    line: int = 1
    offset: int = 0


@dataclass(frozen=True)
class Row:
    """One record read from a file, or the reason it could not be read, and where the next one starts."""

    value: Mapping[str, Any] | Quarantine
    where: str
    end: Position


@dataclass(frozen=True)
class Line:
    number: int
    end: int
    text: str
    error: str = ""


def sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    """Return the first `size` bytes of `path`; an unreadable file is an `InputError`."""
    try:
        with path.open("rb") as f:
            return f.read(size)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path and its permissions") from exc


def detect_encoding(head: bytes, path: Path) -> str:
    """Return the encoding to decode `path` with: UTF-8, UTF-8 with BOM, or what charset_normalizer finds."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(_wide(path, "UTF-16"))
    decoded = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
    non_ascii = sum(1 for b in head if b >= 0x80)
    if not non_ascii or decoded.count("\ufffd") <= MAX_BAD_UTF8_SHARE * non_ascii:
        return "utf-8"
    best = charset_normalizer.from_bytes(head).best()
    if best is None:
        raise InputError(
            f"cannot tell the text encoding of {path}; convert it to UTF-8 "
            f"(for example `iconv -f WINDOWS-1258 -t UTF-8 {path.name} > fixed.{path.suffix.lstrip('.')}`)"
        )
    if best.encoding.lower().startswith(WIDE_ENCODINGS):
        raise InputError(_wide(path, best.encoding))
    return best.encoding


def _wide(path: Path, name: str) -> str:
    return (
        f"{path} is encoded in {name}, which cannot be read line by line; convert it to UTF-8 "
        f"(`iconv -f UTF-16 -t UTF-8 {path.name} > {path.stem}-utf8{path.suffix}`) and import that"
    )


def read_lines(f: BinaryIO, encoding: str, start: Position) -> Iterator[Line]:
    """Yield decoded lines from `start`, each with its number, end offset and any decoding error."""
    bom = encoding == "utf-8-sig"
    codec = "utf-8" if bom else encoding
    f.seek(start.offset)
    number, offset = start.line, start.offset
    while raw := f.readline(MAX_LINE_BYTES + 1):
        size = len(raw)
        if size > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            # Skip the rest of an overlong line in chunks so one bad line cannot exhaust memory.
            while chunk := f.readline(MAX_LINE_BYTES):
                size += len(chunk)
                if chunk.endswith(b"\n"):
                    break
            line = Line(number, offset + size, "", f"is longer than {MAX_LINE_BYTES // 2**20} MB")
        else:
            line = _decode(raw, codec, number, offset + size)
        if bom and offset == 0:
            line = Line(line.number, line.end, line.text.removeprefix("\ufeff"), line.error)
        yield line
        number, offset = number + 1, offset + size


def _decode(raw: bytes, codec: str, number: int, end: int) -> Line:
    try:
        return Line(number, end, raw.decode(codec))
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 4].hex(" ")
        error = f"is not valid {codec}: {exc.reason} at byte {exc.start + 1} ({bad})"
        return Line(number, end, raw.decode(codec, "replace"), error)


def json_rows(path: Path, encoding: str, start: Position) -> Iterator[Row]:
    """Yield one row per non-blank line of a JSON Lines file; broken lines become `Quarantine` rows."""
    with path.open("rb") as f:
        for line in read_lines(f, encoding, start):
            end, where = Position(line.number + 1, line.end), f":{line.number}"
            text = line.text.strip()
            if line.error:
                yield Row(Quarantine(f"line {line.number} {line.error}", text[:500]), where, end)
            elif text:
                yield Row(_json_object(text, line.number), where, end)


def _json_object(text: str, number: int) -> Mapping[str, Any] | Quarantine:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Quarantine(f"line {number} is not valid JSON: {exc.msg} at column {exc.colno}", text[:500])
    if not isinstance(value, dict):
        return Quarantine(f"line {number} is a JSON {type(value).__name__}, not an object", text[:500])
    return value


def csv_header(path: Path, encoding: str) -> tuple[list[str], str, Position]:
    """Return the header fields, the delimiter, and the position of the first data record."""
    with path.open("rb") as f:
        lines = _Lines(read_lines(f, encoding, Position()), Position())
        first = next(iter(lines), "")
        if lines.errors:
            raise InputError(f"{path}: the header line {lines.errors[0][1]}; convert the file to UTF-8")
        delimiter = max(DELIMITERS, key=first.count)
        records = csv.reader(_chain([first], lines), delimiter=delimiter)
        header = [name.strip() for name in next(records, [])]
    if not any(header):
        raise InputError(f"{path} has no header line; the first line must name the columns")
    return header, delimiter, lines.end


def csv_rows(path: Path, encoding: str, start: Position, header: list[str], delimiter: str) -> Iterator[Row]:
    """Yield one row per CSV record after `start`; records with the wrong field count are quarantined."""
    # Long article texts exceed csv's default 128 KB field limit; the limit is process-wide.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    with path.open("rb") as f:
        lines = _Lines(read_lines(f, encoding, start), start)
        records = csv.reader(lines, delimiter=delimiter)
        while True:
            first = lines.end.line
            try:
                record = next(records)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Row(Quarantine(f"line {first} is not valid CSV: {exc}"), f":{first}", lines.end)
                continue
            where = f":{first}"
            if lines.errors:
                number, error = lines.errors[-1]
                lines.errors.clear()
                yield Row(
                    Quarantine(f"line {number} {error}", delimiter.join(record)[:500]), where, lines.end
                )
            elif not record or record == [""]:
                continue
            elif len(record) != len(header):
                reason = f"line {first} has {len(record)} fields but the header has {len(header)}"
                yield Row(Quarantine(reason, delimiter.join(record)[:500]), where, lines.end)
            else:
                yield Row(dict(zip(header, record, strict=True)), where, lines.end)


class _Lines:
    """Feeds decoded lines to `csv.reader` and remembers where the last one ended."""

    def __init__(self, lines: Iterator[Line], start: Position) -> None:
        self._lines = lines
        self.end = start
        self.errors: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.end = Position(line.number + 1, line.end)
        if line.error:
            self.errors.append((line.number, line.error))
        return line.text


def _chain(head: list[str], rest: _Lines) -> Iterator[str]:
    yield from head
    yield from rest
