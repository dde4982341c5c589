"""Data generators and small numeric helpers for the experiments in the notebooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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


def make_blobs(m: int, n: int, separation: float, rng: np.random.Generator,
               positive_fraction: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping Gaussian classes: X (m, n) and labels y (m,) of 0.0 and 1.0.

    About ``positive_fraction`` of the labels are 1 (at least one of each class). Each class
    is a unit-variance cloud; their centres lie ``separation`` apart along a random direction,
    so a small separation gives classes no straight line can split.
    """
    positives = min(max(round(positive_fraction * m), 1), m - 1)
    y = np.zeros(m)
    y[rng.choice(m, size=positives, replace=False)] = 1.0
    direction = rng.normal(0.0, 1.0, size=n)
    direction /= np.linalg.norm(direction)
    X = rng.normal(0.0, 1.0, size=(m, n)) + np.outer(y - positive_fraction, direction) * separation
    return X, y


def make_separable(m: int, n: int, margin: float, rng: np.random.Generator,
                   spread: float | Sequence[float] = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Linearly separable data: X (m, n), labels y (m,) of 0.0 and 1.0, both classes present.

    The labels come from a random hyperplane, and every point lies at least ``margin`` from it,
    so some straight line splits the classes with room to spare. The features are centred normal
    with standard deviation ``spread`` (one number, or one per feature for elongated clouds).
    """
    direction = rng.normal(0.0, 1.0, size=n)
    direction /= np.linalg.norm(direction)
    offset = float(rng.uniform(-0.3, 0.3))
    rows: list[np.ndarray] = []
    while sum(len(r) for r in rows) < m:
        candidates = rng.normal(0.0, 1.0, size=(m, n)) * np.asarray(spread, dtype=float)
        rows.append(candidates[np.abs(candidates @ direction + offset) >= margin])
    X = np.concatenate(rows)[:m]
    y = (X @ direction + offset > 0).astype(float)
    if y.min() == y.max():  # one class only: mirror the first point to the other side
        X[0] -= 2.0 * (X[0] @ direction + offset) * direction
        y[0] = 1.0 - y[0]
    return X, y


def make_moons(m: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles no straight line can split: X (m, 2), labels y (m,) of 0.0 and 1.0.

    Exactly half of the labels are 1 (m even), so a network that predicts 1/2 everywhere has the
    cost ln 2. Class 0 is the upper arc centred at (0, 0), class 1 the lower arc centred at (1, 0.5);
    ``noise`` is the standard deviation of the Gaussian jitter added to every point.
    """
    if m < 2 or m % 2:
        raise ValueError("make_moons needs an even number of points, at least 2")
    half = m // 2
    upper, lower = rng.uniform(0.0, np.pi, size=half), rng.uniform(0.0, np.pi, size=half)
    X = np.vstack([np.column_stack([np.cos(upper), np.sin(upper)]),
                   np.column_stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)])])
    X += rng.normal(0.0, noise, size=X.shape)
    y = np.repeat([0.0, 1.0], half)
    order = rng.permutation(m)
    return X[order], y[order]


def evaluate(expr: Any, values: Mapping[Any, Any]) -> float:
    """The value of a sympy expression on concrete data, as a float.

    ``values`` maps each sympy Symbol to a number and each IndexedBase to a sequence,
    its entries read as base[1], base[2], ... (the indices of a Sum from 1 to m). The
    sizes are substituted first, so ``Sum(..., (i, 1, m))`` with ``m: 12`` becomes twelve terms.
    """
    import sympy

    from source_lib.sums import write_out_sums

    def number(v: Any) -> Any:
        return sympy.Integer(int(v)) if isinstance(v, (int, np.integer)) else sympy.Float(float(v))

    scalars = {k: number(v) for k, v in values.items() if not isinstance(k, sympy.IndexedBase)}
    data = {k: v for k, v in values.items() if isinstance(k, sympy.IndexedBase)}
    concrete = write_out_sums(expr.xreplace(scalars)).doit()
    entries = {base[k + 1]: number(v) for base, seq in data.items() for k, v in enumerate(seq)}
    return float(concrete.xreplace(entries))
