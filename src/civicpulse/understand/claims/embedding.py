"""The optional embedding signal: any object with `embed_many`, or the project's e5 module when installed."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)
Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text (`civicpulse.understand.embed`'s shape)."""

    def embed_many(self, texts: Sequence[str]) -> Vectors: ...


def default_embedder() -> Embedder | None:
    """Return the project's e5 embedder if `civicpulse.understand.embed` exists and loads, else None."""
    # Looked up by name so claim matching works, lexically, on installs and checkouts without it.
    if importlib.util.find_spec("civicpulse.understand.embed") is None:
        return None
    try:
        module: Any = importlib.import_module("civicpulse.understand.embed")
        embedder: Embedder = module.load_embedder("auto")
    except (ImportError, OSError, RuntimeError, AttributeError) as problem:
        log.warning("claims: embeddings unavailable, matching lexically only: %s", problem)
        return None
    return embedder


def unit_rows(vectors: Any) -> Vectors:
    """Return `vectors` as float32 rows of length one (a defensive copy; zero rows stay zero)."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    out: Vectors = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return out
