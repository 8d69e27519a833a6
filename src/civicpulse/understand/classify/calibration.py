"""Turn linear decision scores into calibrated probabilities: softmax with a fitted temperature."""

from __future__ import annotations

import itertools

import numpy as np


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Return row-wise softmax of `scores / temperature`."""
    scaled = scores / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def log_loss(scores: np.ndarray, gold: np.ndarray, temperature: float) -> float:
    """Return the mean negative log-likelihood of the gold column indices."""
    probs = softmax(scores, temperature)
    picked = probs[np.arange(len(gold)), gold]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """Return the temperature that minimises held-out log loss (Guo et al. 2017, temperature scaling).

    A golden-section search over log T in [1e-3, 1e2]; the loss is convex in 1/T, so this finds its minimum.
    """
    if len(gold) == 0:
        return 1.0
    low, high = np.log(1e-3), np.log(1e2)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    loss_a, loss_b = log_loss(scores, gold, float(np.exp(a))), log_loss(scores, gold, float(np.exp(b)))
    for _ in range(60):
        if loss_a < loss_b:
            high, b, loss_b = b, a, loss_a
            a = high - ratio * (high - low)
            loss_a = log_loss(scores, gold, float(np.exp(a)))
        else:
            low, a, loss_a = a, b, loss_b
            b = low + ratio * (high - low)
            loss_b = log_loss(scores, gold, float(np.exp(b)))
    return float(np.exp((low + high) / 2.0))


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """Return the ECE of the top-label confidence over equal-width bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == gold
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(total)
