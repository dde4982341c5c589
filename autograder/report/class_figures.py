"""The class report's figures as PNG bytes, drawn with matplotlib's Agg canvas.

Each figure is its own ``Figure`` on a ``FigureCanvasAgg``: no pyplot, no backend switch, nothing
global changed. They read in black and white (grey levels, hatching, line styles, labelled axes:
no meaning carried by colour alone), and the PNG carries no software tag, so the same statistics
give the same bytes. Text comes from the declaration (question ids), never from students, and is
drawn without mathtext, so a ``$`` stays a dollar.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from autograder.report._text import num, shorten
from autograder.report.class_stats import ClassStats

DPI = 120
WIDTH = 7.5   # inches: 900 px, shown at up to 100 % of the page's width
_LABEL = 28   # characters of a question id on an axis
_INK, _DARK, _LIGHT = "#000000", "#4d4d4d", "#bdbdbd"


def score_histogram(stats: ClassStats) -> bytes | None:
    """The graded students' automatic scores, with the mean and median marked; None without any."""
    summary, hist = stats.summary, stats.histogram
    if not summary.n or not hist.counts:
        return None
    figure = Figure(figsize=(WIDTH, 3.4), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    widths = [b - a for a, b in zip(hist.edges[:-1], hist.edges[1:])]
    axes.bar(hist.edges[:-1], hist.counts, width=widths, align="edge", color=_LIGHT, edgecolor=_INK,
             linewidth=0.8, label="students")
    if summary.mean is not None:
        axes.axvline(summary.mean, color=_INK, linestyle="--", linewidth=1.6, label=f"mean {num(summary.mean)}")
    if summary.median is not None:
        axes.axvline(summary.median, color=_INK, linestyle=":", linewidth=2.0, label=f"median {num(summary.median)}")
    axes.set_xlim(0, summary.max_score)
    axes.set_ylim(0, max(hist.counts) * 1.15 + 0.5)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=15, steps=[1, 2, 2.5, 5, 10]))
    axes.set_xlabel(f"automatic points (of {num(summary.max_score)})")
    axes.set_ylabel("graded students")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize="small")
    _tidy(axes)
    return _png(figure)


def question_shares(stats: ClassStats) -> bytes | None:
    """Per auto-graded question, the shares of full, partial and zero marks as stacked bars."""
    rows = [q for q in stats.questions if not q.manual and q.n]
    if not rows:
        return None
    figure = Figure(figsize=(WIDTH, 1.3 + 0.32 * len(rows)), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(rows))
    left = [0.0] * len(rows)
    # full: dark and plain; partial: light with diagonals; zero: white with crosses (tells apart in grey)
    for label, attr, face, hatch in (("full marks", "full", _DARK, ""), ("partial", "partial", _LIGHT, "///"),
                                     ("zero", "zero", "white", "xx")):
        shares = [100.0 * getattr(q, attr) / q.n for q in rows]
        axes.barh(positions, shares, left=left, height=0.7, color=face, edgecolor=_INK, hatch=hatch,
                  linewidth=0.8, label=label)
        left = [a + b for a, b in zip(left, shares)]
    axes.set_yticks(list(positions), [shorten(q.id, _LABEL) for q in rows], parse_math=False, fontsize="small")
    axes.invert_yaxis()  # the notebook's first question on top
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_formatter(PercentFormatter())
    axes.set_xlabel("share of graded students")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False, fontsize="small")
    _tidy(axes)
    return _png(figure)


def _tidy(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
