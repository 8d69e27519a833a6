"""`civicpulse eval sentiment|toxicity FILE [--model DIR]`: score a classifier on labelled rows (EVAL.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from civicpulse.understand.classify.corpus import read_labelled
from civicpulse.understand.classify.defaults import load_default, shipped_dir
from civicpulse.understand.classify.scoring import score_predictions
from civicpulse.understand.classify.storage import load_model
from civicpulse.understand.classify.tasks import get_task

BATCH = 512


def evaluate_classifier(task_name: str, path: Path, model_dir: Path | None = None) -> dict[str, Any]:
    """Return the EVAL.md scores of the model in `model_dir` (default: the shipped one) on `path`.

    Rows are predicted in batches for speed; each row's label depends on that row alone, so this is the
    same as deciding row by row in stream order.
    """
    task = get_task(task_name)
    rows = read_labelled(path, task.labels)
    model = load_model(model_dir) if model_dir is not None else load_default(task.name)
    started = time.perf_counter()
    predicted: list[str] = []
    for start in range(0, len(rows), BATCH):
        predicted += [p.label for p in model.predict_many([r.text for r in rows[start : start + BATCH]])]
    elapsed = time.perf_counter() - started
    scores = score_predictions([r.label for r in rows], predicted, model.labels)
    scores["items_per_s"] = round(len(rows) / elapsed, 1) if elapsed > 0 else 0.0
    scores["model"] = str(model_dir) if model_dir is not None else f"shipped:{shipped_dir(task.name).name}"
    return scores
