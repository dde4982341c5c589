"""Which submissions look copied: winnowed fingerprints of what students wrote, compared pairwise.

* ``find_similar``   read, fingerprint and compare a class's notebooks: a ``SimilarityReport``
* ``write_outputs``  ``similarity.html`` and ``similarity.csv``, written atomically
* ``SimilarityReport``, ``Pair``, ``Thresholds``   the results and when a pair is flagged

Modules: ``tokens`` (normalised tokens), ``winnow`` (fingerprints), ``answers`` (the cells
students wrote, minus the template), ``index`` (every pair at once), ``cohort`` (z-scores,
percentiles, flags), ``mistakes`` (rare mistakes from a graded batch), ``compare`` (the report),
``highlight`` (fragments for the side-by-side view), ``histogram``, ``page`` and ``sheet`` (outputs).
Student code is only tokenized: never run, compiled or evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.config import CourseLayout
from autograder.notebook import SubmissionFile
from autograder.report.write import atomic_text, write_text
from autograder.similarity.answers import read_template
from autograder.similarity.cohort import DEFAULT_THRESHOLDS, Thresholds
from autograder.similarity.compare import Pair, SimilarityReport, compare
from autograder.similarity.mistakes import Mistakes
from autograder.similarity.page import similarity_html
from autograder.similarity.sheet import write_sheet
from source_lib.judge.spec import Assignment

__all__ = ["Pair", "SimilarityReport", "Thresholds", "Written", "find_similar", "write_outputs"]

HTML, CSV = "similarity.html", "similarity.csv"


@dataclass(frozen=True)
class Written:
    page: Path
    sheet: Path


def find_similar(assignment: Assignment, files: Sequence[SubmissionFile], layout: CourseLayout,
                 mistakes: Mistakes | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                 progress: Callable[[str], None] | None = None) -> SimilarityReport:
    """Compare ``files`` (one per student) against each other, minus the released notebook's code."""
    return compare(assignment, files, read_template(layout.release(assignment.name)), mistakes, thresholds, progress)


def write_outputs(report: SimilarityReport, out: Path) -> Written:
    """Write ``similarity.html`` and ``similarity.csv`` into ``out``; each replaces its old version atomically."""
    page = write_text(out / HTML, similarity_html(report))
    with atomic_text(out / CSV) as sheet:
        write_sheet(report, sheet)
    return Written(page, out / CSV)
