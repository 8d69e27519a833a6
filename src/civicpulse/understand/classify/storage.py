"""One on-disk model format: a directory with `model.json`, `weights.npz` (linear models) and the card.

Hybrid models (n-grams plus an e5 embedding, `hybrid.py`) are linear models with 384 more weights per
class, stored as `embed_weights` beside the n-gram weights; the embedder itself is the project's own.

No pickle anywhere: the JSON holds the settings, the npz holds plain arrays read with
`allow_pickle=False`, so loading a model directory can never run code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from civicpulse.errors import InputError
from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.card import ModelCard, write_card
from civicpulse.understand.classify.estimators import EstimatorOptions
from civicpulse.understand.classify.features import FeatureSpec, unseen_idf
from civicpulse.understand.classify.hybrid import EMBEDDING, EMBEDDING_DIM, HybridTextClassifier
from civicpulse.understand.classify.linear import LinearTextClassifier
from civicpulse.understand.classify.scam import ScamSignals

MODEL_JSON = "model.json"
WEIGHTS = "weights.npz"
LINEAR_FORMAT = "civicpulse-linear/1"
RULES_FORMAT = "civicpulse-rules/1"
HYBRID_FORMAT = "civicpulse-hybrid/1"


def save_model(model: Classifier, directory: Path, card: ModelCard | None = None) -> None:
    """Write `model` (and its card) into `directory`, creating it."""
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(model, LinearTextClassifier | HybridTextClassifier):
        _save_linear(model, directory)
    elif isinstance(model, ScamSignals):
        _write_json(directory / MODEL_JSON, {"format": RULES_FORMAT, **model.to_json()})
    else:
        raise TypeError(f"cannot save a {type(model).__name__}")
    if card is not None:
        write_card(card, directory)


def load_model(directory: Path) -> Classifier:
    """Read a model directory written by `save_model`."""
    path = directory / MODEL_JSON
    if not path.exists():
        raise InputError(f"{directory}: no {MODEL_JSON} here; pass a directory written by `civicpulse train`")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format") == LINEAR_FORMAT:
        return _load_linear(meta, directory)
    if meta.get("format") == HYBRID_FORMAT:
        return _load_hybrid(meta, directory)
    if meta.get("format") == RULES_FORMAT:
        return ScamSignals.from_json(meta)
    raise InputError(f"{path}: unknown model format {meta.get('format')!r}")


def _save_linear(model: LinearTextClassifier | HybridTextClassifier, directory: Path) -> None:
    meta: dict[str, Any] = {
        "format": LINEAR_FORMAT,
        "name": model.name,
        "labels": list(model.labels),
        "features": model.spec.to_json(),
        "estimator": {
            "recipe": model.options.recipe,
            "c": model.options.c,
            "balanced": model.options.balanced,
            "balance_power": model.options.balance_power,
            "seed": model.options.seed,
        },
        "n_docs": model.n_docs,
        "temperature": model.temperature,
    }
    extra: dict[str, np.ndarray] = {}
    if isinstance(model, HybridTextClassifier):
        meta["format"] = HYBRID_FORMAT
        meta["embedding"] = {"model": EMBEDDING, "dim": EMBEDDING_DIM, "weight": model.embed_weight}
        extra["embed_weights"] = model.embed_weights.astype(np.float32)
    _write_json(directory / MODEL_JSON, meta)
    seen = np.flatnonzero(model.idf != np.float32(unseen_idf(model.n_docs)))
    # Only non-zero weights are kept; float16 halves the file and moves scores by < 0.1%.
    weights = sparse.csr_matrix(model.weights)
    arrays = {
        "idf_index": seen.astype(np.int32),
        "idf_value": model.idf[seen],
        "weights_data": weights.data.astype(np.float16),
        "weights_indices": weights.indices.astype(np.int32),
        "weights_indptr": weights.indptr.astype(np.int32),
        "intercepts": model.intercepts,
    }
    np.savez_compressed(directory / WEIGHTS, **arrays, **extra)  # type: ignore[arg-type]


def _load_linear(meta: dict[str, Any], directory: Path) -> LinearTextClassifier:
    spec = FeatureSpec.from_json(meta["features"])
    model = LinearTextClassifier(
        meta["name"], meta["labels"], spec=spec, options=EstimatorOptions(**meta["estimator"])
    )
    _read_weights(model, meta, directory)
    return model


def _load_hybrid(meta: dict[str, Any], directory: Path) -> HybridTextClassifier:
    embedding = meta["embedding"]
    if embedding.get("model") != EMBEDDING or int(embedding.get("dim", 0)) != EMBEDDING_DIM:
        raise InputError(
            f"{directory}: trained on embedding {embedding.get('model')!r}, but this version embeds with "
            f"{EMBEDDING!r}; retrain it with `civicpulse train --features hybrid`"
        )
    spec = FeatureSpec.from_json(meta["features"])
    model = HybridTextClassifier(
        meta["name"],
        meta["labels"],
        spec=spec,
        options=EstimatorOptions(**meta["estimator"]),
        embed_weight=float(embedding["weight"]),
    )
    with np.load(directory / WEIGHTS, allow_pickle=False) as arrays:
        model.embed_weights = arrays["embed_weights"].astype(np.float32)
    _read_weights(model, meta, directory)
    return model


def _read_weights(
    model: LinearTextClassifier | HybridTextClassifier, meta: dict[str, Any], directory: Path
) -> None:
    spec = model.spec
    with np.load(directory / WEIGHTS, allow_pickle=False) as arrays:
        model.n_docs = int(meta["n_docs"])
        model.idf = np.full(spec.width, unseen_idf(model.n_docs), dtype=np.float32)
        model.idf[arrays["idf_index"]] = arrays["idf_value"]
        shape = (len(model.labels), spec.width)
        weights = sparse.csr_matrix(
            (arrays["weights_data"].astype(np.float32), arrays["weights_indices"], arrays["weights_indptr"]),
            shape=shape,
        )
        model.weights = weights.toarray().astype(np.float32)
        model.intercepts = arrays["intercepts"].astype(np.float32)
    model.temperature = float(meta["temperature"])


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
