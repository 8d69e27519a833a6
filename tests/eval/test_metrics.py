"""Clustering metrics: known values, edge cases, and agreement with scikit-learn."""

from __future__ import annotations

import random

import pytest

from civicpulse.eval.metrics import clustering_scores


def test_perfect_clustering_scores_one_whatever_the_ids() -> None:
    scores = clustering_scores(["a", "a", "b", "c"], [7, 7, 3, 9])
    assert scores.as_dict() == dict.fromkeys(scores.as_dict(), 1.0)


def test_everything_in_one_cluster() -> None:
    scores = clustering_scores(["a", "a", "b", "b"], [1, 1, 1, 1])
    assert scores.bcubed_recall == scores.pairwise_recall == 1.0
    assert scores.bcubed_precision == 0.5
    assert scores.pairwise_precision == pytest.approx(2 / 6)
    assert scores.nmi == 0.0


def test_all_singletons_have_full_precision() -> None:
    scores = clustering_scores(["a", "a", "b"], [1, 2, 3])
    assert scores.pairwise_precision == scores.bcubed_precision == 1.0
    assert scores.pairwise_recall == 0.0
    assert scores.bcubed_recall == pytest.approx((0.5 + 0.5 + 1.0) / 3)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="gold has 2"):
        clustering_scores(["a", "b"], [1])


def test_nmi_and_ari_agree_with_scikit_learn() -> None:
    sklearn = pytest.importorskip("sklearn.metrics")
    rng = random.Random(3)
    gold = [rng.randrange(30) for _ in range(2_000)]
    predicted = [g if rng.random() < 0.7 else rng.randrange(60) for g in gold]
    scores = clustering_scores(gold, predicted)
    assert scores.nmi == pytest.approx(sklearn.normalized_mutual_info_score(gold, predicted), abs=1e-12)
    assert scores.ari == pytest.approx(sklearn.adjusted_rand_score(gold, predicted), abs=1e-12)
