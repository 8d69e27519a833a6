"""Retrain a classifier on analysts' labels and replace the active model only if it is not worse.

Every decision, accepted or refused, is recorded in the store (`model_swaps`) and in the model cards:
the installed model's card carries the history that made it active; a refused candidate's card says why.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from civicpulse.store import Store
from civicpulse.store.labels import latest_labelled_items
from civicpulse.store.model_swaps import ModelSwap, record_swap
from civicpulse.understand.classify.active import active_card, describe_active, install, load_active
from civicpulse.understand.classify.card import ModelCard, write_card
from civicpulse.understand.classify.city_labels import city_labels, retrain_on_labels
from civicpulse.understand.classify.tasks import get_task


def retrain_from_store(
    store: Store,
    task_name: str,
    out: Path,
    models_dir: Path,
    *,
    seed: int = 13,
    decided_by: str = "",
    command: str = "",
) -> ModelSwap:
    """Train a candidate on the store's labels into `out`, compare it with the active model, decide, record.

    When accepted, the candidate is copied to `<models_dir>/<task>/` and becomes the active model.
    """
    task = get_task(task_name)
    labelled = city_labels(latest_labelled_items(store, task.name), task.labels)
    previous = describe_active(models_dir, task.name)
    done = retrain_on_labels(
        task.name, labelled, out, load_active(models_dir, task.name), seed=seed, command=command
    )
    swap = record_swap(
        store,
        ModelSwap(
            task=task.name,
            candidate=str(out),
            previous=previous,
            holdout_items=done.holdout_items,
            accepted=done.decision.accepted,
            reason=done.decision.reason,
            old_metrics=_summary(done.old_metrics),
            new_metrics=_summary(done.new_metrics),
            decided_by=decided_by,
            command=done.card.command,
        ),
    )
    entry = swap.to_json()
    write_card(dataclasses.replace(done.card, history=(*done.card.history, entry)), out)
    if swap.accepted:
        before = active_card(models_dir, task.name)
        earlier = before.history if before is not None else ()
        card: ModelCard = dataclasses.replace(done.card, history=(*earlier, entry))
        stamp = (swap.decided_at.strftime("%Y%m%dT%H%M%SZ") if swap.decided_at else "") + f"-{swap.id}"
        install(out, models_dir, task.name, card, stamp)
    return swap


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """Keep the headline scores and per-class F1 (the full report stays in the candidate's card)."""
    per_class = metrics.get("per_class", {})
    return {
        "items": metrics["items"],
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "weighted_f1": metrics["weighted_f1"],
        "f1_per_class": {label: scores["f1"] for label, scores in per_class.items()},
    }
