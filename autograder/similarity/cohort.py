"""Where a pair stands in its class, and when it is worth a person's look.

Constrained exercises make honest solutions look alike, so a score means little on its own: each
pair is also placed against every pair of the class, by z-score (standard deviations above the
mean) and percentile (the share of pairs scoring at most as much). A pair is flagged for any of:

* ``OVERLAP``: it stands out (z at least ``score_z``) and shares at least ``score_min`` of the
  smaller submission, or shares at least ``score_alone`` whatever the class looks like;
* ``FRAGMENT``: its longest shared fragment is at least ``fragment_min`` tokens and stands out
  (z at least ``fragment_z``): a copy padded with junk keeps its long fragments;
* ``MISTAKES``: both students made the same rare catalogued mistake (``mistakes``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autograder.similarity.winnow import Ints

Floats = npt.NDArray[np.float64]

OVERLAP, FRAGMENT, MISTAKES = 1, 2, 4


@dataclass(frozen=True)
class Thresholds:
    """When a pair is flagged (see the module's docstring); any one reason is enough."""

    score_z: float = 3.0
    score_min: float = 0.5
    score_alone: float = 0.9
    fragment_z: float = 3.0
    fragment_min: int = 40


DEFAULT_THRESHOLDS = Thresholds()


def z_scores(values: Floats) -> Floats:
    """Standard deviations above the mean of ``values`` (all 0 when they do not vary)."""
    if len(values) == 0:
        return np.zeros(0)
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros(len(values))


def percentiles(values: Floats) -> Floats:
    """For each value, the percentage of ``values`` at most as large (100 for the largest)."""
    if len(values) == 0:
        return np.zeros(0)
    ranked = np.sort(values)
    return 100.0 * np.searchsorted(ranked, values, side="right") / len(values)


def flags(score: Floats, score_z: Floats, fragment: Ints, fragment_z: Floats, mistaken: npt.NDArray[np.bool_],
          thresholds: Thresholds) -> Ints:
    """Each pair's reasons to be looked at, as a bit mask of OVERLAP, FRAGMENT and MISTAKES."""
    t = thresholds
    overlap = ((score_z >= t.score_z) & (score >= t.score_min)) | (score >= t.score_alone)
    long = (fragment >= t.fragment_min) & (fragment_z >= t.fragment_z)
    marks: Ints = (overlap * OVERLAP + long * FRAGMENT + mistaken * MISTAKES).astype(np.int64)
    return marks
