"""Multinomial logistic regression in plain numpy: the trainer behind the scope classifier
(:mod:`advisor.scope`) and the condition model (:mod:`advisor.conditions`).

Deterministic (no randomness anywhere: same inputs, same weights), class-balanced sample weights,
L2 as in scikit-learn (loss = C * sum(w_i * CE_i) + |W|^2 / 2, here per sample), a fixed number of
Nesterov gradient steps from zero. Unit-length features have a small curvature, so large steps are
stable."""

from __future__ import annotations

import numpy as np


def fit(
    xs: np.ndarray, y: np.ndarray, classes: int, c: float, steps: int, learning_rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (d, classes) and biases (classes,) for features ``xs`` (n, d) and labels ``y`` (n,).
    A class with no examples gets a bias that never lets it win."""
    n, d = xs.shape
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    present = counts > 0
    sample_w = (n / (present.sum() * np.where(present, counts, 1.0)))[y]
    onehot = np.eye(classes)[y]
    l2 = 1.0 / (c * n)  # per-sample mean of the objective: weighted CE + |W|^2 / (2 C n)
    w = np.zeros((d, classes))
    b = np.zeros(classes)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    momentum = 0.9
    for _ in range(steps):
        lw, lb = w + momentum * vw, b + momentum * vb  # Nesterov look-ahead
        p = softmax(xs @ lw + lb)
        err = (p - onehot) * sample_w[:, None] / n
        gw = xs.T @ err + l2 * lw
        gb = err.sum(axis=0)
        vw = momentum * vw - learning_rate * gw
        vb = momentum * vb - learning_rate * gb
        w, b = w + vw, b + vb
    return w, np.where(present, b, -1e4)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
