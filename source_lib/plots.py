"""Plotting helpers for the notebooks; they work inline in Jupyter and headless (Agg)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def loss_curves(histories: Mapping[str, Sequence[float]], title: str) -> Figure:
    """One cost-per-iteration line per run, on a log scale so late convergence stays visible."""
    fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    for name, history in histories.items():
        ax.plot(range(1, len(history) + 1), history, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost J(w, b)")
    ax.set_title(title)
    ax.legend()
    return fig
