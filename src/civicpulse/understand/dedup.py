"""Near-duplicates: an exact hash of the folded text, then MinHash/LSH on word shingles, in a bounded window.

Each item is linked to the first item seen with the same or nearly the same content (`dup_of`), so a copy of
a copy points at the original. Only recent signatures are kept (a time window and a count), and replaying
recent items through `check` in arrival order rebuilds the same state after a restart.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from civicpulse.understand.text import fold
from civicpulse.understand.tokens import LEAD_WORDS, lead

_WORD = re.compile(r"[^\W_]+")
_SHIFT = np.uint64(32)
_WORD_CACHE = 200_000


@dataclass(frozen=True)
class DedupOptions:
    """How alike two texts must be to count as copies, and how much history to keep."""

    num_perm: int = 64
    """MinHash permutations; 64 keeps light-edit recall while halving the cost of 128."""
    bands: int = 16
    """LSH bands (num_perm / bands rows each); 16 x 4 finds pairs from Jaccard about 0.4 up."""
    shingle: int = 3
    """Words per shingle."""
    threshold: float = 0.5
    """Estimated Jaccard similarity at or above which a candidate is a near-duplicate."""
    min_words: int = 8
    """Texts shorter than this are only matched exactly; short posts share too many shingles by chance."""
    window: timedelta = timedelta(days=7)
    """Forget signatures older than this (by item time)."""
    max_items: int = 500_000
    """Forget the oldest signatures beyond this many (about 0.3 KB each)."""
    max_words: int = LEAD_WORDS
    """Compare the title and lead only: a copy shares them, and a 700-word article costs 3x as much."""


@dataclass(frozen=True)
class _Entry:
    root: int
    at: datetime | None
    exact: bytes
    bands: tuple[bytes, ...]
    signature: npt.NDArray[np.uint64] | None


class Deduplicator:
    """Finds what each new text copies: `check(item_id, text, at)` -> the original's id or None."""

    def __init__(self, options: DedupOptions | None = None, seed: int = 1) -> None:
        self.options = options or DedupOptions()
        if self.options.num_perm % self.options.bands:
            raise ValueError("num_perm must be a multiple of bands")
        rng = np.random.default_rng(seed)
        # Multiply-shift hashing: odd a, any b, keep the high 32 bits of a*x + b (mod 2**64).
        self._a = rng.integers(0, 1 << 63, self.options.num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(
            1
        )
        self._b = rng.integers(0, 1 << 63, self.options.num_perm, dtype=np.uint64)
        self._word_ids: dict[str, int] = {}
        self._reset()

    def _reset(self) -> None:
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._exact: dict[bytes, int] = {}
        self._buckets: dict[bytes, list[int]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def check(self, item_id: int, text: str, at: datetime | None = None) -> int | None:
        """Remember `text` and return the id of the original it duplicates, or None if it is new."""
        if item_id in self._entries:
            known = self._entries[item_id].root
            return None if known == item_id else known
        words = _WORD.findall(fold(lead(text, self.options.max_words)))
        exact = hashlib.blake2b(" ".join(words).encode(), digest_size=16).digest()
        root = self._exact.get(exact)
        signature = bands = None
        if len(words) >= self.options.min_words:
            signature = self.signature(words)
            bands = self._bands(signature)
            if root is None:
                root = self._near(signature, bands)
        # Only originals go into the LSH buckets: a flood of copies (the rumour case) must not make each
        # new copy compare against every earlier copy; copies still match their original.
        indexed = bands if root is None and bands else ()
        entry = _Entry(root if root is not None else item_id, at, exact, indexed, signature)
        self._add(item_id, entry)
        self._expire(at)
        return root

    def signature(self, words: list[str]) -> npt.NDArray[np.uint64]:
        """Return the MinHash signature of the word shingles of `words`."""
        if not words:
            return np.full(self.options.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        ids = np.fromiter(map(self._word_id, words), dtype=np.uint64, count=len(words))
        # A shingle's hash mixes its words' stable crc32 ids; uint64 arithmetic wraps, which is intended.
        shingle = ids[: max(1, len(ids) - self.options.shingle + 1)].copy()
        for offset in range(1, min(self.options.shingle, len(ids))):
            shingle = shingle * np.uint64(0x9E3779B97F4A7C15) + ids[offset : offset + len(shingle)]
        shingle = np.unique(shingle)
        permuted = (np.multiply.outer(shingle, self._a) + self._b) >> _SHIFT
        return np.asarray(permuted.min(axis=0), dtype=np.uint64)

    def _word_id(self, word: str) -> int:
        found = self._word_ids.get(word)
        if found is None:
            if len(self._word_ids) >= _WORD_CACHE:
                self._word_ids.clear()
            found = self._word_ids[word] = zlib.crc32(word.encode()) + 1
        return found

    def _bands(self, signature: npt.NDArray[np.uint64]) -> tuple[bytes, ...]:
        width = signature.itemsize * self.options.num_perm // self.options.bands
        raw = signature.tobytes()
        return tuple(bytes([b]) + raw[b * width : (b + 1) * width] for b in range(self.options.bands))

    def _near(self, signature: npt.NDArray[np.uint64], bands: tuple[bytes, ...]) -> int | None:
        candidates = sorted(
            i
            for i in {i for band in bands for i in self._buckets.get(band, ())}
            if self._entries[i].signature is not None
        )
        if not candidates:
            return None
        others = np.stack([self._entries[i].signature for i in candidates])  # type: ignore[misc]
        scores = (others == signature).mean(axis=1)
        best = int(np.argmax(scores))  # ties go to the oldest candidate
        return self._entries[candidates[best]].root if scores[best] >= self.options.threshold else None

    def _add(self, item_id: int, entry: _Entry) -> None:
        self._entries[item_id] = entry
        self._exact.setdefault(entry.exact, entry.root)
        for band in entry.bands:
            self._buckets.setdefault(band, []).append(item_id)

    def _expire(self, now: datetime | None) -> None:
        cutoff = now - self.options.window if now is not None else None
        while self._entries:
            oldest_id, oldest = next(iter(self._entries.items()))
            too_old = cutoff is not None and oldest.at is not None and oldest.at < cutoff
            if len(self._entries) <= self.options.max_items and not too_old:
                return
            self._forget(oldest_id, oldest)

    def _forget(self, item_id: int, entry: _Entry) -> None:
        del self._entries[item_id]
        if self._exact.get(entry.exact) == entry.root and entry.root == item_id:
            del self._exact[entry.exact]
        for band in entry.bands:
            bucket = self._buckets[band]
            bucket.remove(item_id)
            if not bucket:
                del self._buckets[band]
