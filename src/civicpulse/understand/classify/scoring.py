"""Classification scores in the evaluation contract's shape (EVAL.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def score_predictions(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Return items, accuracy, macro_f1, weighted_f1 and per_class precision/recall/f1/support."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels but predicted has {len(predicted)}")
    # Gold labels outside the model's set still count (as misses), so the scores stay honest.
    names = list(labels) + sorted(set(gold) - set(labels))
    present = [n for n in names if n in set(gold) or n in set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=present, zero_division=0
    )
    gold_labels = [n for n in present if n in set(gold)]
    return {
        "items": len(gold),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "macro_f1": round(
            float(f1_score(gold, predicted, labels=gold_labels, average="macro", zero_division=0)), 4
        ),
        "weighted_f1": round(
            float(f1_score(gold, predicted, labels=gold_labels, average="weighted", zero_division=0)), 4
        ),
        "per_class": {
            name: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for name, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
        },
    }
