"""Aggregates recomputed at most once a minute per store: counts over a million rows move slowly."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from civicpulse.store import Store

T = TypeVar("T")
TTL_S = 60.0
_values: weakref.WeakKeyDictionary[Store, dict[str, tuple[float, Any]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def remembered(store: Store, key: str, compute: Callable[[], T], ttl_s: float = TTL_S) -> T:
    """`compute()`, or its value from less than `ttl_s` ago for this store and key."""
    now = time.monotonic()
    with _lock:
        found = _values.setdefault(store, {}).get(key)
    if found is not None and now - found[0] <= ttl_s:
        value: T = found[1]
        return value
    value = compute()
    with _lock:
        _values.setdefault(store, {})[key] = (now, value)
    return value
