"""Telegram Desktop channel exports (`result.json`), streamed message by message with ijson."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson  # type: ignore[import-untyped]  # ijson ships no type information

from civicpulse.collect.imports.reading import Position, Row
from civicpulse.collect.imports.schema import clean, parse_time
from civicpulse.collect.ingest import RawEntry
from civicpulse.errors import InputError, Quarantine, Skip
from civicpulse.models import ItemKind

PLATFORM = "telegram"
MAX_LINKS = 20
HEADER_KEYS = ("name", "type", "id")


@dataclass(frozen=True)
class Channel:
    """The exported chat: the channel or group the messages were published in."""

    name: str
    type: str
    id: str

    @property
    def url(self) -> str:
        return f"{PLATFORM}:{self.id}"


def read_channel(path: Path) -> Channel:
    """Read the export's name, type and id (they come before `messages`, so this stops early)."""
    header: dict[str, str] = {}
    keys: set[str] = set()
    with path.open("rb") as f:
        try:
            for prefix, event, value in ijson.parse(f):
                if prefix == "" and event == "map_key":
                    keys.add(value)
                elif prefix in HEADER_KEYS and event in ("string", "number"):
                    header[prefix] = clean(value)
                if len(header) == len(HEADER_KEYS) and "messages" in keys:
                    break
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            if "messages" not in keys:
                raise InputError(f"{path} is not valid JSON ({exc}); export the channel again") from exc
    if "messages" not in keys:
        hint = " (it looks like a whole-account export)" if "chats" in keys else ""
        raise InputError(
            f"{path} is not a Telegram channel export{hint}; in Telegram Desktop open the channel, "
            "choose Export chat history, format JSON, and import its result.json"
        )
    name = header.get("name", "") or path.stem
    return Channel(name=name, type=header.get("type", ""), id=header.get("id", ""))


def message_rows(path: Path, start: Position) -> Iterator[Row]:
    """Yield the export's messages from number `start.line` on; a broken file ends with a `Quarantine`."""
    index = 0
    with path.open("rb") as f:
        try:
            for message in ijson.items(f, "messages.item", use_float=True):
                index += 1
                if index < start.line:
                    continue
                end = Position(index + 1, f.tell())
                if not isinstance(message, dict):
                    reason = f"message {index} is a JSON {type(message).__name__}, not an object"
                    yield Row(Quarantine(reason, clean(message)[:500]), f":message {index}", end)
                    continue
                yield Row(message, f":message {index} (id {message.get('id')})", end)
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            detail = " ".join(str(exc).split())
            reason = f"the file is broken after message {index}: {detail}; export the channel again"
            yield Row(Quarantine(reason), f":message {index + 1}", Position(index + 1, f.tell()))


def message_text(text: Any) -> tuple[str, list[str]]:
    """Join a message's text (a string, or a list of strings and `{type, text}` entities); return links."""
    if isinstance(text, str):
        return text, []
    if not isinstance(text, list):
        raise Quarantine(f"text is a JSON {type(text).__name__}, not a string or a list")
    parts: list[str] = []
    links: list[str] = []
    for part in text:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            parts.append(part["text"])
            link = part.get("href") or (part["text"] if part.get("type") == "link" else "")
            if link and len(links) < MAX_LINKS:
                links.append(clean(link))
        else:
            raise Quarantine(f"text has an element that is neither a string nor an entity: {part!r:.100}")
    return "".join(parts), links


def message_entry(message: Mapping[str, Any], channel: Channel) -> RawEntry:
    """Map one exported message to a `RawEntry` (pure); service messages are skipped."""
    if message.get("type", "message") != "message":
        raise Skip(f"service message ({clean(message.get('action')) or 'no action'})")
    message_id = clean(message.get("id")).strip()
    if not message_id:
        raise Quarantine("message has no id")
    text, links = message_text(message.get("text", ""))
    # `date_unixtime` is exact; `date` is the exporting computer's local time without an offset.
    published = parse_time(message.get("date_unixtime") or message.get("date"), "date")
    extra: dict[str, Any] = {"channel_type": channel.type} if channel.type else {}
    if links:
        extra["links"] = links
    if reply := message.get("reply_to_message_id"):
        extra["reply_to"] = reply
    if media := message.get("media_type") or ("photo" if message.get("photo") else ""):
        extra["media"] = clean(media)
    if message.get("forwarded_from") is not None:
        extra["forwarded"] = True  # who it came from may be a person, so only the fact is kept
    return RawEntry(
        text=clean(text),
        kind=ItemKind.COMMENT if reply else ItemKind.POST,
        author=clean(message.get("from_id") or message.get("from")),
        published_at=published,
        platform=PLATFORM,
        platform_id=f"{channel.id}:{message_id}",
        extra=extra,
    )
