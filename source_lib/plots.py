"""Plotting helpers for the notebooks; they work inline in Jupyter and headless (Agg)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


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
