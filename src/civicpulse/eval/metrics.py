"""Clustering metrics from contingency counts: O(n) in items, no pairwise loops.

NMI uses the arithmetic mean of the two entropies (scikit-learn's default), ARI is Hubert and Arabie's;
both agree with scikit-learn to rounding (tests check it). Pairwise and B-cubed scores follow Amigó et al.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ClusteringScores:
    """Agreement between predicted and gold clusters."""

    nmi: float
    ari: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    def as_dict(self, digits: int = 4) -> dict[str, float]:
        """Return the scores rounded to `digits`."""
        return {k: round(v, digits) for k, v in asdict(self).items()}


def clustering_scores(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> ClusteringScores:
    """Score `predicted` cluster ids against `gold` ones (same length, same order)."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels but predicted has {len(predicted)}")
    n = len(gold)
    if n == 0:
        return ClusteringScores(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    joint = Counter(zip(gold, predicted, strict=True))
    gold_sizes = Counter(gold)
    pred_sizes = Counter(predicted)
    same_both = sum(_pairs(c) for c in joint.values())
    same_gold = sum(_pairs(c) for c in gold_sizes.values())
    same_pred = sum(_pairs(c) for c in pred_sizes.values())
    pair_p = same_both / same_pred if same_pred else 1.0
    pair_r = same_both / same_gold if same_gold else 1.0
    b3_p = sum(c * c / pred_sizes[p] for (_, p), c in joint.items()) / n
    b3_r = sum(c * c / gold_sizes[g] for (g, _), c in joint.items()) / n
    return ClusteringScores(
        nmi=_nmi(joint, gold_sizes, pred_sizes, n),
        ari=_ari(same_both, same_gold, same_pred, n),
        pairwise_precision=pair_p,
        pairwise_recall=pair_r,
        pairwise_f1=_f1(pair_p, pair_r),
        bcubed_precision=b3_p,
        bcubed_recall=b3_r,
        bcubed_f1=_f1(b3_p, b3_r),
    )


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2.0 * precision * recall / total if total > 0.0 else 0.0


def _entropy(sizes: Counter[Hashable], n: int) -> float:
    return -sum(c / n * math.log(c / n) for c in sizes.values())


def _nmi(
    joint: Counter[tuple[Hashable, Hashable]], gold: Counter[Hashable], pred: Counter[Hashable], n: int
) -> float:
    h_gold, h_pred = _entropy(gold, n), _entropy(pred, n)
    if h_gold == 0.0 and h_pred == 0.0:
        return 1.0
    mutual = sum(c / n * math.log(n * c / (gold[g] * pred[p])) for (g, p), c in joint.items())
    # Rounding can push the ratio a hair outside [0, 1].
    return min(1.0, max(0.0, mutual / ((h_gold + h_pred) / 2.0)))


def _ari(same_both: int, same_gold: int, same_pred: int, n: int) -> float:
    total = _pairs(n)
    expected = same_gold * same_pred / total if total else 0.0
    top = 0.5 * (same_gold + same_pred)
    if top == expected:
        return 1.0
    return (same_both - expected) / (top - expected)
