"""Retrain on the city's own labels: hold part of them out, and compare with the current model there.

The rule for replacing the current model (docs/decisions/0030-classifiers.md):
- the held-out part is chosen per item by a seeded hash of its id, so an item held out once stays held
  out as labels accumulate, and the same store and seed always give the same split;
- a candidate is refused when fewer than `MIN_HOLDOUT` labels are held out (too few to tell);
- otherwise it is accepted when its macro-F1 on the held-out labels is not below the current model's
  (a tie is accepted: the candidate learnt from the city's newer labels), and refused when it is below.
"""

from __future__ import annotations

import hashlib
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
MIN_HOLDOUT = 10
HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class CityLabel:
    """One item an analyst labelled: its id in the store, what the classifiers read, the label."""

    item_id: int
    text: str
    label: str


@dataclass(frozen=True)
class Decision:
    """Whether the candidate replaces the current model, and why."""

    accepted: bool
    reason: str


@dataclass(frozen=True)
class Retrained:
    """The outcome of a retrain: the candidate's card, both models' held-out scores and the decision."""

    card: ModelCard
    new_metrics: dict[str, Any]
    old_metrics: dict[str, Any]
    holdout_items: int
    decision: Decision


def city_labels(rows: Sequence[tuple[int, str, str, str]], labels: Sequence[str]) -> list[CityLabel]:
    """Return (item id, title, text, label) store rows as `CityLabel`s, dropping labels the task lacks."""
    return [
        CityLabel(item_id, f"{title}. {text}" if title and text else title or text, label)
        for item_id, title, text, label in rows
        if label in labels
    ]


def holdout_rank(item_id: int, seed: int) -> float:
    """Return a number in [0, 1) fixed by the item id and seed (a stable coin for the holdout)."""
    digest = hashlib.blake2b(f"{seed}:{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split_holdout(
    rows: Sequence[CityLabel], share: float = HOLDOUT_SHARE, seed: int = 13
) -> tuple[list[CityLabel], list[CityLabel]]:
    """Return (train, holdout): items whose rank is below `share` are held out.

    A label with two or more items always has one held out (its lowest-ranked item), and a label with
    a single item always trains, so the holdout can judge every label the candidate knows.
    """
    held_ids = {r.item_id for r in rows if holdout_rank(r.item_id, seed) < share}
    for label in sorted({r.label for r in rows}):
        mine = sorted((r for r in rows if r.label == label), key=lambda r: holdout_rank(r.item_id, seed))
        if len(mine) == 1:
            held_ids.discard(mine[0].item_id)
        elif not any(r.item_id in held_ids for r in mine):
            held_ids.add(mine[0].item_id)
    train = [r for r in rows if r.item_id not in held_ids]
    return train, [r for r in rows if r.item_id in held_ids]


def decide(new: dict[str, Any], old: dict[str, Any], holdout_items: int) -> Decision:
    """Apply the replacement rule (module docstring) to two models' scores on the same held-out labels."""
    if holdout_items < MIN_HOLDOUT:
        return Decision(
            False, f"only {holdout_items} held-out labels (need {MIN_HOLDOUT}); label more items first"
        )
    if new["macro_f1"] < old["macro_f1"]:
        return Decision(
            False, f"candidate macro-F1 {new['macro_f1']:.3f} is below the current {old['macro_f1']:.3f}"
        )
    return Decision(
        True, f"candidate macro-F1 {new['macro_f1']:.3f} is not below the current {old['macro_f1']:.3f}"
    )


def retrain_on_labels(
    task_name: str,
    labelled: Sequence[CityLabel],
    out: Path,
    current: Classifier,
    *,
    seed: int = 13,
    holdout: float = HOLDOUT_SHARE,
    command: str = "",
) -> Retrained:
    """Train on the non-held-out labels, write the candidate to `out`, and score both models on the rest."""
    task = get_task(task_name)
    rows = [r for r in labelled if r.label in task.labels]
    if len(rows) < MIN_LABELS or len({r.label for r in rows}) < 2:
        raise InputError(
            f"only {len(rows)} usable {task.name} labels in the store; label at least {MIN_LABELS} items "
            "with two or more different labels in the dashboard first"
        )
    train, held = split_holdout(rows, holdout, seed)
    model = fit(task, [Labelled(r.text, r.label) for r in train], seed)
    held_rows = [Labelled(r.text, r.label) for r in held]
    new_scores, old_scores = dev_metrics(model, held_rows), dev_metrics(current, held_rows)
    decision = decide(new_scores, old_scores, len(held))
    card = ModelCard(
        name=task.name,
        task=task.name,
        labels=model.labels,
        created=datetime.now(UTC).date().isoformat(),
        seed=seed,
        data=(
            DataSource("analysts' labels (item_labels)", len(train), "the city's own", "civicpulse store"),
        ),
        metrics={"holdout": new_scores, "current_model_on_holdout": old_scores},
        notes=(
            f"{len(held)} of the city's {len(rows)} labels held out "
            f"(seeded hash of the item id, seed {seed}); "
            "the current model was scored on the same items."
        ),
        command=command or f"civicpulse train {task.name} --from-store --seed {seed} --out {out}",
    )
    save_model(model, out, card)
    return Retrained(card, new_scores, old_scores, len(held), decision)
