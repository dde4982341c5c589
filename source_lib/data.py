"""Data generators and small numeric helpers for the experiments in the notebooks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Params = tuple[np.ndarray, float]


def make_regression(m: int, n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features X (m, n) and targets y = X w_true + b_true + noise."""
    X = rng.normal(0.0, 1.0, size=(m, n))
    w_true = rng.uniform(-2.0, 2.0, size=n)
    b_true = float(rng.uniform(1.0, 3.0))
    y = X @ w_true + b_true + rng.normal(0.0, noise, size=m)
    return X, y


def make_rank_deficient(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Three features where the third is the sum of the first two (rank 2), plus targets."""
    base = rng.normal(0.0, 1.0, size=(m, 2))
    X = np.column_stack([base, base[:, 0] + base[:, 1]])
    y = base @ np.array([1.5, -0.5]) + 0.7 + rng.normal(0.0, 0.05, size=m)
    return X, y


def least_squares(X: np.ndarray, y: np.ndarray) -> Params:
    """The minimum-norm least-squares (w, b), from np.linalg.lstsq on [X, 1]."""
    augmented = np.column_stack([X, np.ones(X.shape[0])])
    theta = np.linalg.lstsq(augmented, y, rcond=None)[0]
    return theta[:-1], float(theta[-1])


def norm(params: Params) -> float:
    """Euclidean norm of (w, b) taken together."""
    w, b = params
    return float(np.linalg.norm(np.append(w, b)))


def distance(a: Params, b: Params) -> float:
    """Euclidean distance between two (w, b) pairs."""
    return norm((np.asarray(a[0]) - np.asarray(b[0]), a[1] - b[1]))


def steps_to_reach(history: Sequence[float], target: float) -> int | None:
    """First step (1-based) whose cost is at or below ``target``; None if never."""
    for step, cost in enumerate(history, start=1):
        if cost <= target:
            return step
    return None
