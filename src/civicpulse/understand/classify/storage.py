"""One on-disk model format: a directory with `model.json`, `weights.npz` (linear models) and the card.

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
from civicpulse.understand.classify.linear import LinearTextClassifier
from civicpulse.understand.classify.scam import ScamSignals

MODEL_JSON = "model.json"
WEIGHTS = "weights.npz"
LINEAR_FORMAT = "civicpulse-linear/1"
RULES_FORMAT = "civicpulse-rules/1"


def save_model(model: Classifier, directory: Path, card: ModelCard | None = None) -> None:
    """Write `model` (and its card) into `directory`, creating it."""
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(model, LinearTextClassifier):
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
    if meta.get("format") == RULES_FORMAT:
        return ScamSignals.from_json(meta)
    raise InputError(f"{path}: unknown model format {meta.get('format')!r}")


def _save_linear(model: LinearTextClassifier, directory: Path) -> None:
    meta = {
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
    _write_json(directory / MODEL_JSON, meta)
    seen = np.flatnonzero(model.idf != np.float32(unseen_idf(model.n_docs)))
    # Only non-zero weights are kept; float16 halves the file and moves scores by < 0.1%.
    weights = sparse.csr_matrix(model.weights)
    np.savez_compressed(
        directory / WEIGHTS,
        idf_index=seen.astype(np.int32),
        idf_value=model.idf[seen],
        weights_data=weights.data.astype(np.float16),
        weights_indices=weights.indices.astype(np.int32),
        weights_indptr=weights.indptr.astype(np.int32),
        intercepts=model.intercepts,
    )


def _load_linear(meta: dict[str, Any], directory: Path) -> LinearTextClassifier:
    spec = FeatureSpec.from_json(meta["features"])
    options = EstimatorOptions(**meta["estimator"])
    model = LinearTextClassifier(meta["name"], meta["labels"], spec=spec, options=options)
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
    return model


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
