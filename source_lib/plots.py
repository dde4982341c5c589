"""Plotting helpers for the notebooks; they work inline in Jupyter and headless (Agg)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from source_lib import in_grader_sandbox

P = ParamSpec("P")


def _not_drawn_in_the_grader(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """In the grader's sandbox a figure decides nothing and nobody sees it: return an empty one at once
    (drawing the assignment's figures would take a third of a submission's grading time)."""
    @functools.wraps(draw)
    def helper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        return Figure() if in_grader_sandbox() else draw(*args, **kwargs)
    return helper


@_not_drawn_in_the_grader
def convergence(histories: Mapping[str, Sequence[float]], minimum: float, title: str,
                zoom: int = 40) -> Figure:
    """Where the runs end and how they get there, side by side.

    Left: the cost over the first ``zoom`` iterations, with the minimum cost dashed.
    Right: the cost above that minimum on a log scale, where runs that meet stay apart.
    """
    fig, (near, log) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    for name, history in histories.items():
        steps = range(1, len(history) + 1)
        near.plot(steps[:zoom], history[:zoom], label=name)
        log.plot(steps, [max(h - minimum, 1e-14) for h in history], label=name)
    near.axhline(minimum, color="black", linestyle="--", linewidth=1, label="minimum cost")
    near.set(xlabel="iteration", ylabel="cost J(w, b)", title=f"first {zoom} iterations")
    log.set(yscale="log", xlabel="iteration", ylabel="J(w, b) - minimum cost",
            title="distance to the minimum cost (log scale)")
    near.legend()
    fig.suptitle(title)
    return fig


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    fig, new = plt.subplots(figsize=figsize, layout="constrained")
    return fig, new


@_not_drawn_in_the_grader
def cost_curves(histories: Mapping[str, Sequence[float]], title: str, reference: float | None = None,
                reference_label: str = "", last: int | None = None, ax: Axes | None = None,
                ylabel: str = "cost J(w, b)") -> Figure:
    """The cost at each iteration, one line per run; ``reference`` is drawn dashed.

    Each history starts at iteration 0 (the starting cost); ``last`` cuts the lines after
    that iteration, to see where they meet.
    """
    fig, ax = _axes(ax, (6, 4))
    for name, history in histories.items():
        shown = list(history)[: None if last is None else last + 1]
        ax.plot(range(len(shown)), shown, label=name)
    if reference is not None:
        ax.axhline(reference, color="black", linestyle="--", linewidth=1, label=reference_label or None)
    ax.set(xlabel="iteration", ylabel=ylabel, title=title)
    ax.legend()
    return fig


def _classes(ax: Axes, X: np.ndarray, y: np.ndarray) -> None:
    """Two-feature data on ``ax``: class 1 as dots, class 0 as crosses."""
    for label, marker, color in ((1, "o", "tab:blue"), (0, "x", "tab:red")):
        points = X[y == label]
        ax.scatter(points[:, 0], points[:, 1], marker=marker, s=22, color=color, alpha=0.7, label=f"y = {label}")


@_not_drawn_in_the_grader
def decision_boundaries(X: np.ndarray, y: np.ndarray, boundaries: Mapping[str, tuple[np.ndarray, float]],
                        title: str, ax: Axes | None = None,
                        styles: Mapping[str, Mapping[str, Any]] | None = None) -> Figure:
    """Two-feature data, class 1 as dots and class 0 as crosses, with the line w . x + b = 0 of each
    (w, b) in ``boundaries`` (``styles`` may give a line's matplotlib keywords, by name); w = 0 has no line."""
    fig, ax = _axes(ax, (5.5, 4.5))
    _classes(ax, X, y)
    pad = 0.5
    (x_lo, y_lo), (x_hi, y_hi) = X.min(axis=0) - pad, X.max(axis=0) + pad
    for name, (w, b) in boundaries.items():
        style = dict((styles or {}).get(name, {}))
        w0, w1 = float(w[0]), float(w[1])
        if w0 == 0.0 and w1 == 0.0:
            continue  # w = 0: the same prediction everywhere, no line
        if abs(w1) >= abs(w0):
            xs = np.array([x_lo, x_hi])
            ax.plot(xs, -(w0 * xs + b) / w1, label=name, **style)
        else:
            ys = np.array([y_lo, y_hi])
            ax.plot(-(w1 * ys + b) / w0, ys, label=name, **style)
    ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="feature 1", ylabel="feature 2", title=title)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return fig


@_not_drawn_in_the_grader
def norm_curves(steps: Sequence[int], norms: Mapping[str, Sequence[float]], title: str,
                marks: Mapping[str, float] | None = None, ax: Axes | None = None) -> Figure:
    """||w|| against the iteration (log scale), one line per run; each mark is a dotted vertical line."""
    fig, ax = _axes(ax, (6, 4))
    for name, values in norms.items():
        ax.plot(steps, values, label=name)
    for k, (label, step) in enumerate((marks or {}).items()):
        ax.axvline(step, color="gray", linestyle=":", linewidth=1.5)
        ax.annotate(label, (step, 0.97 - 0.08 * k), xycoords=("data", "axes fraction"), ha="left",
                    va="top", fontsize="small", color="dimgray", xytext=(4, 0), textcoords="offset points")
    ax.set(xscale="log", xlabel="iteration (log scale)", ylabel="||w||", title=title)
    ax.legend(loc="center left")
    return fig


@_not_drawn_in_the_grader
def unit_weights(histories: Mapping[str, np.ndarray], title: str, feature: int = 0, every: int = 1) -> Figure:
    """Each hidden unit's weight on one input feature against the iteration, one panel per run.

    ``histories`` maps a run's name to an array (snapshots, hidden units) of that weight, one
    snapshot every ``every`` iterations from the start: under a symmetric start the units' lines
    lie on top of each other (one visible line), under a random start they fan out. Units are told
    apart by line style as well as colour (black and white print).
    """
    fig, axes = plt.subplots(1, len(histories), figsize=(4.2 * len(histories), 3.6), layout="constrained",
                             squeeze=False)
    styles = ("-", "--", ":", "-.")
    for ax, (name, history) in zip(axes[0], histories.items()):
        values = np.asarray(history, dtype=float)
        steps = np.arange(values.shape[0]) * every
        for unit in range(values.shape[1]):
            ax.plot(steps, values[:, unit], linestyle=styles[unit % len(styles)], linewidth=1.6,
                    label=f"unit {unit + 1}")
        ax.set(xlabel="iteration", ylabel=f"W1[unit, {feature}]", title=name)
    axes[0][0].legend(fontsize="small")
    fig.suptitle(title)
    return fig


@_not_drawn_in_the_grader
def decision_regions(X: np.ndarray, y: np.ndarray, models: Mapping[str, Callable[[np.ndarray], np.ndarray]],
                     title: str, resolution: int = 80) -> Figure:
    """Two-feature data over each model's prediction, one panel per model.

    ``models`` maps a name to a function from points (k, 2) to probabilities of class 1 (k,); the
    background shades that probability and the solid line is where it crosses 0.5 (none when the
    model predicts one class everywhere).
    """
    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models), 3.5), layout="constrained",
                             squeeze=False, sharey=True)
    pad = 0.5
    (x_lo, y_lo), (x_hi, y_hi) = X.min(axis=0) - pad, X.max(axis=0) + pad
    grid_x, grid_y = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    for ax, (name, predict) in zip(axes[0], models.items()):
        probability = np.asarray(predict(points), dtype=float).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, probability, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu", alpha=0.35)
        if probability.min() < 0.5 < probability.max():
            ax.contour(grid_x, grid_y, probability, levels=[0.5], colors="black", linewidths=1.5)
        _classes(ax, X, y)
        ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="feature 1", title=name)
    axes[0][0].set_ylabel("feature 2")
    axes[0][0].legend(fontsize="small", loc="lower left")
    fig.suptitle(title)
    return fig


@_not_drawn_in_the_grader
def log_curves(histories: Mapping[str, Sequence[float]], title: str, ylabel: str, every: int = 1) -> Figure:
    """Values that grow or shrink by orders of magnitude, on a log scale, one line per run.

    Each history holds one value every ``every`` iterations from the start. A run whose values
    are all 0.0 cannot be drawn on a log scale: the legend says so instead.
    """
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for name, history in histories.items():
        values = np.asarray(history, dtype=float)
        steps = np.arange(values.size) * every
        if not np.any(values > 0):
            ax.plot([], [], label=f"{name}: 0.0 throughout (no line on a log scale)")
            continue
        ax.plot(steps[values > 0], values[values > 0], marker=".", label=name)
    ax.set(yscale="log", xlabel="iteration", ylabel=ylabel, title=title)
    ax.legend(fontsize="small")
    return fig
