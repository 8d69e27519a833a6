"""Retrain on the city's own labels: hold part of them out, and compare with the current model there."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicpulse.errors import InputError
from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.card import DataSource, ModelCard
from civicpulse.understand.classify.corpus import Labelled
from civicpulse.understand.classify.storage import save_model
from civicpulse.understand.classify.tasks import get_task
from civicpulse.understand.classify.training import dev_metrics, fit

MIN_LABELS = 20


@dataclass(frozen=True)
class Retrained:
    """The outcome of a retrain: the card written, and whether the new model beat the current one."""

    card: ModelCard
    better: bool


def split_holdout(rows: Sequence[Labelled], share: float, seed: int) -> tuple[list[Labelled], list[Labelled]]:
    """Return (train, holdout): `share` of each label's rows held out, at least one when a label has two."""
    rng = random.Random(seed)
    train: list[Labelled] = []
    held: list[Labelled] = []
    for label in sorted({r.label for r in rows}):
        mine = [r for r in rows if r.label == label]
        rng.shuffle(mine)
        cut = max(1, round(len(mine) * share)) if len(mine) > 1 else 0
        held += mine[:cut]
        train += mine[cut:]
    return train, held


def retrain_on_labels(
    task_name: str,
    labelled: Sequence[tuple[str, str, str]],
    out: Path,
    current: Classifier,
    *,
    seed: int = 13,
    holdout: float = 0.2,
) -> Retrained:
    """Train on (title, text, label) rows from analysts, write the model, and score both on the holdout."""
    task = get_task(task_name)
    rows = [
        Labelled(f"{t}. {x}" if t and x else t or x, label)
        for t, x, label in labelled
        if label in task.labels
    ]
    if len(rows) < MIN_LABELS or len({r.label for r in rows}) < 2:
        raise InputError(
            f"only {len(rows)} usable {task.name} labels in the store; label at least {MIN_LABELS} items "
            "with two or more different labels in the dashboard first"
        )
    train, held = split_holdout(rows, holdout, seed)
    model = fit(task, train, seed)
    new_scores, old_scores = dev_metrics(model, held), dev_metrics(current, held)
    better = new_scores["macro_f1"] > old_scores["macro_f1"]
    metrics: dict[str, Any] = {
        "holdout": new_scores,
        "current_model_on_holdout": old_scores,
        "better_than_current": better,
    }
    card = ModelCard(
        name=task.name,
        task=task.name,
        labels=model.labels,
        created=datetime.now(UTC).date().isoformat(),
        seed=seed,
        data=(
            DataSource("analysts' labels (item_labels)", len(train), "the city's own", "civicpulse store"),
        ),
        metrics=metrics,
        notes=f"{len(held)} of the city's labels held out; the current model scored on the same rows.",
        command=f"civicpulse train {task.name} --from-store --seed {seed} --out {out}",
    )
    save_model(model, out, card)
    return Retrained(card, better)
