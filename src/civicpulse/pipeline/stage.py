"""The stage protocol: a stage implements one method; the runner does the rest."""

from __future__ import annotations

from typing import Protocol

from civicpulse.models import Item


class Stage(Protocol):
    """One step of understanding or detection applied to each new item.

    `process` returns the (possibly enriched) item or raises `Skip`, `Quarantine` or `Retry`.
    """

    name: str

    def process(self, item: Item) -> Item: ...


class FlushingStage(Stage, Protocol):
    """A stage that buffers writes; the runner calls `flush` after each submitted batch."""

    def flush(self) -> None: ...


class ClosingStage(Stage, Protocol):
    """A stage that holds a thread or a connection; `Pipeline.close` calls `close` once, at the end."""

    def close(self) -> None: ...
