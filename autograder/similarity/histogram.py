"""The histogram of every pair's score, as inline SVG (no script, no image file, no network).

Bars count the pairs per score bin; the dashed line is where a score stands ``z`` standard
deviations above the class's mean; a red mark under the axis is a flagged pair. Each bar has a
tooltip (an SVG ``<title>``) with its range and count.
"""

from __future__ import annotations

import numpy as np

from autograder.similarity.cohort import Floats

BINS = 20
_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 720, 220, 48, 34, 14


def histogram_svg(scores: Floats, flagged: Floats, z_line: float | None) -> str:
    """An SVG element: ``scores`` binned over [0, 1], ``flagged`` scores marked, a line at ``z_line``."""
    counts = np.histogram(np.clip(scores, 0.0, 1.0), bins=BINS, range=(0.0, 1.0))[0]
    top = max(1, int(counts.max()) if len(counts) else 1)
    plot_w, plot_h = _WIDTH - _LEFT - 10, _HEIGHT - _BOTTOM - _TOP
    bar = plot_w / BINS
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
             f'aria-label="Histogram of the scores of {len(scores)} pairs" class="hist">']
    for k, count in enumerate(counts):
        height = plot_h * count / top
        x, y = _LEFT + k * bar, _TOP + plot_h - height
        low, high = k / BINS, (k + 1) / BINS
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{height:.1f}" class="bar">'
                     f'<title>{count} pair(s) scoring {low:.2f} to {high:.2f}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" class="count">{count}</text>')
    base = _TOP + plot_h
    parts.append(f'<line x1="{_LEFT}" y1="{base}" x2="{_LEFT + plot_w}" y2="{base}" class="axis"/>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _LEFT + tick * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" class="axis"/>'
                     f'<text x="{x:.1f}" y="{base + 26}" class="tick">{tick:g}</text>')
    parts.append(f'<text x="12" y="{_TOP + plot_h / 2:.1f}" class="label" transform="rotate(-90 12 '
                 f'{_TOP + plot_h / 2:.1f})">pairs</text>')
    if z_line is not None and 0.0 <= z_line <= 1.0:
        x = _LEFT + z_line * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{base}" class="zline"/>'
                     f'<text x="{x + 4:.1f}" y="{_TOP + 10}" class="zlabel">z = 3</text>')
    for score in flagged:
        x = _LEFT + float(np.clip(score, 0.0, 1.0)) * plot_w
        parts.append(f'<path d="M{x:.1f} {base + 6} l-4 7 h8 z" class="flag"><title>a flagged pair: '
                     f'{score:.2f}</title></path>')
    parts.append("</svg>")
    return "".join(parts)
