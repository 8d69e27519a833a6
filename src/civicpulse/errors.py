"""Named outcomes and errors.

The tree, in one place::

    CivicpulseError            anything civicpulse raises on purpose
    ├── ConfigError            settings are missing or unsafe; the message says which and what to do
    ├── StoreError             the database cannot be opened or migrated
    │   └── LeaseLost          a partition's lease moved to another holder; its save was refused
    ├── InputError             a file or request is not what it claims (exit code 2 in the CLI)
    └── Outcome                how a stage or connector ends one unit of work early
        ├── Skip               drop it and count it (a duplicate, an empty entry)
        ├── Quarantine         keep it for a person to look at, with the reason
        └── Retry              transient (timeout, 429, 5xx): try again later, with backoff, up to a limit

Bad input never stops the stream and never vanishes silently: every `Quarantine` is written to the
quarantine table with its reason and a sample of the offending payload.
"""

from __future__ import annotations


class CivicpulseError(Exception):
    """Base of every error civicpulse raises on purpose."""


class ConfigError(CivicpulseError):
    """Settings are missing, malformed or unsafe."""


class StoreError(CivicpulseError):
    """The database cannot be opened, migrated or written."""


class LeaseLost(StoreError):
    """A stateful stage's save was refused: another worker took its partition lease (a newer generation)."""


class InputError(CivicpulseError):
    """A file or request is malformed; the message names where and what to do."""


class Outcome(CivicpulseError):
    """A named early end of one unit of work."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Skip(Outcome):
    """Drop this unit and count it."""


class Quarantine(Outcome):
    """Keep this unit for a person to look at, with the reason and an optional payload sample."""

    def __init__(self, reason: str, payload: bytes | str = b"") -> None:
        super().__init__(reason)
        self.payload = payload


class Retry(Outcome):
    """A transient failure; try again after `after_s` seconds (when given)."""

    def __init__(self, reason: str, after_s: float | None = None) -> None:
        super().__init__(reason)
        self.after_s = after_s
