"""``similarity.csv``: every pair, ranked by score (highest first), safe to open in a spreadsheet.

Columns: ``rank, student_a, student_b, score, share_a, share_b, shared_fingerprints,
longest_fragment_tokens, z_score, percentile, flagged``, then ``shared_rare_mistakes`` when a
graded batch was given, one column per question (the pair's score on that question; empty when
either wrote nothing there) and ``note``. A submission that could not be read gets one row at
the end with only its id and, in ``note``, why. Text cells a spreadsheet would take for a formula
get a leading ``'``.
"""

from __future__ import annotations

import csv
from typing import TextIO

import numpy as np

from autograder.report.gradebook import csv_text
from autograder.similarity.answers import ADDED
from autograder.similarity.cohort import Floats
from autograder.similarity.compare import SimilarityReport

FIXED = ("rank", "student_a", "student_b", "score", "share_a", "share_b", "shared_fingerprints",
         "longest_fragment_tokens", "z_score", "percentile", "flagged")


def question_heading(question: str) -> str:
    return "added_cells" if question == ADDED else question


def write_sheet(report: SimilarityReport, out: TextIO) -> None:
    """Write the sheet to ``out`` (a class of a thousand has half a million pairs: columns are formatted at once)."""
    writer = csv.writer(out, lineterminator="\n")
    mistakes = report.mistakes is not None
    questions = [csv_text(question_heading(q)) for q in report.questions]
    writer.writerow([*FIXED, *(["shared_rare_mistakes"] if mistakes else []), *questions, "note"])
    t, ids = report.pairs, np.array([csv_text(d.student) for d in report.documents] or [""], dtype=object)
    flagged = [""] * len(t)
    for row in np.flatnonzero(t.flags):
        flagged[row] = csv_text("; ".join(report.pair(int(row) + 1).reasons))
    shared = ([", ".join(report.shared_mistakes.get((int(i), int(j)), ())) for i, j in zip(t.first, t.second)]
              if mistakes else [])
    columns = [range(1, len(t) + 1), ids[t.first], ids[t.second], _fixed(t.score, 3), _fixed(t.share_first, 3),
               _fixed(t.share_second, 3), t.shared.tolist(), t.fragment.tolist(), _fixed(t.z, 2),
               _fixed(t.percentile, 1), flagged,
               *([[csv_text(m) for m in shared]] if mistakes else []),
               *(_fixed(t.by_question[:, c], 3) for c in range(len(report.questions))), [""] * len(t)]
    writer.writerows(zip(*columns))
    blank = [""] * (len(FIXED) - 2 + int(mistakes) + len(questions))
    for skipped in report.skipped:
        writer.writerow(["", csv_text(skipped.student), *blank, csv_text(f"not compared: {skipped.problem}")])


def _fixed(values: Floats, digits: int) -> list[str]:
    """Each value with ``digits`` decimals; NaN (not comparable) as an empty cell.

    Scores are ratios of small counts, so few values are distinct: each is formatted once.
    """
    distinct, where = np.unique(values, return_inverse=True)
    text = np.array(["" if np.isnan(v) else f"{v:.{digits}f}" for v in distinct.tolist()], dtype=object)
    return list(text[where.ravel()])
