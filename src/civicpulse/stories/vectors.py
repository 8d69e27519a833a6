"""The embedding tier's helpers: a brute-force index of story vectors and a budget of embeddings."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


class VectorIndex:
    """Unit vectors of active stories in one growing matrix; search is one matrix-vector product.

    A few thousand to 50,000 active stories x 384 floats is at most 77 MB and ~5 ms a query, so an exact
    scan needs no extra dependency (faiss/usearch pay off from about a million vectors).
    """

    def __init__(self) -> None:
        self._matrix = np.zeros((0, 0), dtype=np.float32)  # shaped by the first vector
        self._ids: list[int] = []
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, sid: int) -> bool:
        return sid in self._row

    def put(self, sid: int, vector: Sequence[float] | Vector) -> None:
        """Add or replace the (normalised) vector of story `sid`."""
        unit = np.asarray(vector, dtype=np.float32)
        unit = unit / (float(np.linalg.norm(unit)) or 1.0)
        if self._matrix.shape[1] != len(unit):
            if self._ids:
                raise ValueError(f"vector of {len(unit)} dimensions in an index of {self._matrix.shape[1]}")
            self._matrix = np.zeros((64, len(unit)), dtype=np.float32)
        row = self._row.get(sid)
        if row is None:
            row = len(self._ids)
            if row == len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
            self._ids.append(sid)
            self._row[sid] = row
        self._matrix[row] = unit

    def get(self, sid: int) -> Vector | None:
        """Return the unit vector of `sid`, or None."""
        row = self._row.get(sid)
        return None if row is None else self._matrix[row]

    def remove(self, sid: int) -> None:
        """Forget `sid` (the last row moves into its place)."""
        row = self._row.pop(sid, None)
        if row is None:
            return
        last = len(self._ids) - 1
        if row != last:
            moved = self._ids[last]
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._row[moved] = row
        self._ids.pop()

    def search(self, vector: Vector, k: int) -> list[tuple[int, float]]:
        """Return up to `k` (story id, cosine) pairs, best first (ties by id, so results replay)."""
        n = len(self._ids)
        if n == 0 or k <= 0 or len(vector) != self._matrix.shape[1]:
            return []
        scores = self._matrix[:n] @ vector
        top = np.argpartition(-scores, k - 1)[:k] if n > k else np.arange(n)
        ranked = sorted(((float(scores[i]), -self._ids[i]) for i in top), reverse=True)
        return [(-negative, score) for score, negative in ranked]


class EmbedBudget:
    """How many embeddings may be computed: `share` per arriving item, and at most `per_s` per second.

    The share is counted in items so a replay embeds exactly the same items (restart gives identical
    stories); the optional per-second cap is wall time and protects throughput on a live stream.
    """

    def __init__(
        self,
        share: float,
        per_s: float = 0.0,
        burst: float = 32.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.share = share
        self.per_s = per_s
        self.burst = burst
        self.clock = clock
        self.tokens = 0.0
        self._second = -1.0
        self._used = 0

    def tick(self) -> None:
        """One item arrived."""
        self.tokens = min(self.burst, self.tokens + self.share)

    def take(self) -> bool:
        """Spend one embedding if both budgets allow it."""
        if self.tokens < 1.0:
            return False
        if self.per_s > 0.0:
            second = float(int(self.clock()))
            if second != self._second:
                self._second, self._used = second, 0
            if self._used >= self.per_s:
                return False
            self._used += 1
        self.tokens -= 1.0
        return True
