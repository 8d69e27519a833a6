"""Train a model of a task's kind on labelled texts and write it with its card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.card import DataSource, ModelCard
from civicpulse.understand.classify.corpus import Labelled, read_labelled
from civicpulse.understand.classify.hybrid import EMBEDDING, HybridTextClassifier
from civicpulse.understand.classify.linear import LinearTextClassifier
from civicpulse.understand.classify.scam import ScamSignals
from civicpulse.understand.classify.scoring import score_predictions
from civicpulse.understand.classify.storage import save_model
from civicpulse.understand.classify.tasks import Task, get_task
from civicpulse.understand.classify.weak_labels import split_toxic

Features = Literal["ngrams", "hybrid"]
FEATURES: tuple[Features, ...] = ("ngrams", "hybrid")


def build(task: Task, seed: int, features: Features = "ngrams") -> Classifier:
    """Return an unfitted model of the task's kind; `hybrid` adds the e5 sentence embedding."""
    if not task.linear:
        if features != "ngrams":
            raise ValueError(f"{task.name} is a rule model; only linear tasks take --features {features}")
        return ScamSignals(task.name)
    options = replace(task.options, seed=seed)
    if features == "hybrid":
        return HybridTextClassifier(task.name, task.labels, spec=task.spec, options=options)
    return LinearTextClassifier(task.name, task.labels, spec=task.spec, options=options)


def fit(task: Task, rows: Sequence[Labelled], seed: int, features: Features = "ngrams") -> Classifier:
    """Return a model of the task's kind fitted on `rows`."""
    model = build(task, seed, features)
    model.learn_many([r.text for r in rows], [r.label for r in rows])
    return model


def dev_metrics(model: Classifier, dev: Sequence[Labelled]) -> dict[str, Any]:
    """Return the EVAL.md scores of `model` on `dev`."""
    predictions = model.predict_many([r.text for r in dev])
    return score_predictions([r.label for r in dev], [p.label for p in predictions], model.labels)


def read_training_rows(task: Task, paths: Sequence[Path]) -> list[Labelled]:
    """Read labelled rows from every file; for toxicity, ViHOS-style `toxic` rows are split by rule."""
    if task.name != "toxicity":
        return [row for path in paths for row in read_labelled(path, task.labels)]
    rows = [row for path in paths for row in read_labelled(path, (*task.labels, "toxic"))]
    return [replace(r, label=split_toxic(r.text, r.label)) if r.label == "toxic" else r for r in rows]


def train_files(
    task_name: str,
    data: Path | Sequence[Path],
    out: Path,
    *,
    dev: Path | None = None,
    seed: int = 13,
    licence: str = "as given by the data's owner",
    command: str = "",
    features: Features = "ngrams",
) -> ModelCard:
    """Train on JSONL files (EVAL.md format), evaluate on `dev` if given, write model and card to `out`."""
    task = get_task(task_name)
    paths = [data] if isinstance(data, Path) else list(data)
    rows = read_training_rows(task, paths)
    model = fit(task, rows, seed, features)
    metrics = {"dev": dev_metrics(model, read_labelled(dev, task.labels)) | {"file": dev.name}} if dev else {}
    card = ModelCard(
        name=task.name,
        task=task.name,
        labels=model.labels,
        created=datetime.now(UTC).date().isoformat(),
        seed=seed,
        data=tuple(DataSource(p.name, _count(p), licence, str(p)) for p in paths),
        metrics=metrics,
        notes=_describe(model),
        command=command,
    )
    save_model(model, out, card)
    return card


def _count(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def _describe(model: Classifier) -> str:
    if isinstance(model, LinearTextClassifier | HybridTextClassifier):
        spec, options = model.spec, model.options
        embedding = (
            f" joined with the {EMBEDDING} sentence embedding (weight {model.embed_weight})"
            if isinstance(model, HybridTextClassifier)
            else ""
        )
        return (
            f"Hashed word {spec.word_ngrams} and char_wb {spec.char_ngrams} n-grams "
            f"({spec.buckets:,} buckets each), sublinear tf-idf{embedding}, `{options.recipe}` C={options.c} "
            f"balanced={options.balanced}, "
            f"softmax temperature {model.temperature:.3f} fitted on out-of-fold scores."
        )
    return "Named fraud-tactic patterns; weights are smoothed naive-Bayes log-odds of each signal."
