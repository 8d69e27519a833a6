"""Fit linear weights on weighted features: LinearSVC, logistic regression, NB-SVM, and their blend.

Every recipe returns one weight matrix and one intercept per class, so a blend of linear models is still
a single linear model: cheap to store, and one sparse product at prediction time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

Recipe = Literal["svm", "lr", "nbsvm", "blend"]
RECIPES: tuple[Recipe, ...] = ("svm", "lr", "nbsvm", "blend")


@dataclass(frozen=True)
class EstimatorOptions:
    """Hyperparameters shared by the recipes.

    `balanced` weighs each class by (inverse frequency) ** `balance_power`: 1 is scikit-learn's
    "balanced", 0.5 a compromise that helps weighted F1 when a small class is rare.
    """

    recipe: Recipe = "svm"
    c: float = 0.3
    balanced: bool = True
    balance_power: float = 1.0
    seed: int = 13
    max_iter: int = 5000


def fit_weights(
    x: sparse.csr_matrix, y: np.ndarray, n_classes: int, options: EstimatorOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Return (weights of shape classes x features, intercepts) for class indices `y`."""
    if options.recipe == "svm":
        return _svm(x, y, n_classes, options)
    if options.recipe == "lr":
        return _logistic(x, y, n_classes, options)
    if options.recipe == "nbsvm":
        return _nbsvm(x, y, n_classes, options)
    parts = [_svm(x, y, n_classes, options), _nbsvm(x, y, n_classes, options)]
    # Each part is put on a unit scale first, so neither dominates the blend.
    weights = sum(w / _scale(x, w, b) for w, b in parts)
    intercepts = sum(b / _scale(x, w, b) for w, b in parts)
    return np.asarray(weights), np.asarray(intercepts)


def _scale(x: sparse.csr_matrix, weights: np.ndarray, intercepts: np.ndarray) -> float:
    scores = x @ weights.T + intercepts
    return float(np.std(scores)) or 1.0


def _class_weight(options: EstimatorOptions, y: np.ndarray) -> dict[int, float] | None:
    if not options.balanced:
        return None
    labels, counts = np.unique(y, return_counts=True)
    weights = (len(y) / (len(labels) * counts)) ** options.balance_power
    return {int(k): float(w) for k, w in zip(labels, weights, strict=True)}


def _as_multiclass(
    weights: np.ndarray, intercepts: np.ndarray, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Binary estimators return one row for class 1; give both classes a row (softmax of ±s/2)."""
    if n_classes == 2 and weights.shape[0] == 1:
        return np.vstack([-weights / 2, weights / 2]), np.array([-intercepts[0] / 2, intercepts[0] / 2])
    return weights, intercepts


def _svm(
    x: sparse.csr_matrix, y: np.ndarray, n_classes: int, options: EstimatorOptions
) -> tuple[np.ndarray, np.ndarray]:
    model = LinearSVC(
        C=options.c,
        class_weight=_class_weight(options, y),
        random_state=options.seed,
        max_iter=options.max_iter,
    )
    model.fit(x, y)
    return _as_multiclass(np.asarray(model.coef_), np.asarray(model.intercept_), n_classes)


def _logistic(
    x: sparse.csr_matrix, y: np.ndarray, n_classes: int, options: EstimatorOptions
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regressions (liblinear is fast on wide sparse data but binary only)."""
    targets = [1] if n_classes == 2 else list(range(n_classes))
    rows, intercepts = [], []
    for label in targets:
        model = LogisticRegression(
            C=options.c * 30.0,
            class_weight=_class_weight(options, (y == label).astype(int)),
            solver="liblinear",
            random_state=options.seed,
            max_iter=options.max_iter,
        )
        model.fit(x, (y == label).astype(int))
        rows.append(np.asarray(model.coef_).ravel())
        intercepts.append(float(model.intercept_[0]))
    return _as_multiclass(np.vstack(rows), np.array(intercepts), n_classes)


def _nbsvm(
    x: sparse.csr_matrix, y: np.ndarray, n_classes: int, options: EstimatorOptions
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest SVMs on features scaled by their naive-Bayes log-count ratio (Wang and Manning 2012)."""
    rows, intercepts = [], []
    binary = x.copy()
    binary.data = np.ones_like(binary.data)
    for label in range(n_classes):
        mine = y == label
        p = np.asarray(binary[mine].sum(axis=0)).ravel() + 1.0
        q = np.asarray(binary[~mine].sum(axis=0)).ravel() + 1.0
        ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        scaled = x @ sparse.diags(ratio)
        model = LinearSVC(
            C=options.c,
            class_weight=_class_weight(options, mine.astype(int)),
            random_state=options.seed,
            max_iter=options.max_iter,
        )
        model.fit(scaled, mine.astype(int))
        rows.append(np.asarray(model.coef_).ravel() * ratio)
        intercepts.append(float(model.intercept_[0]))
        if n_classes == 2:
            # Class 0 is the mirror image of class 1; one fit is enough.
            return _as_multiclass(rows[0].reshape(1, -1) * -1.0, np.array([-intercepts[0]]), 2)
    return np.vstack(rows), np.array(intercepts)
