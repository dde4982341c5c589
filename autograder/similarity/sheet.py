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
import math
from typing import TextIO

from autograder.report._text import clean
from autograder.report.gradebook import defuse
from autograder.similarity.answers import ADDED
from autograder.similarity.compare import SimilarityReport

FIXED = ("rank", "student_a", "student_b", "score", "share_a", "share_b", "shared_fingerprints",
         "longest_fragment_tokens", "z_score", "percentile", "flagged")


def question_heading(question: str) -> str:
    return "added_cells" if question == ADDED else question


def write_sheet(report: SimilarityReport, out: TextIO) -> None:
    """Write the sheet to ``out``, one row at a time (a class of a thousand has half a million pairs)."""
    writer = csv.writer(out, lineterminator="\n")
    mistakes = report.mistakes is not None
    questions = [_text(question_heading(q)) for q in report.questions]
    writer.writerow([*FIXED, *(["shared_rare_mistakes"] if mistakes else []), *questions, "note"])
    t, ids = report.pairs, [_text(d.student) for d in report.documents]
    for row in range(len(t)):
        i, j = int(t.first[row]), int(t.second[row])
        reasons = report.pair(row + 1).reasons if t.flags[row] else ()
        writer.writerow([
            row + 1, ids[i], ids[j], f"{t.score[row]:.3f}", f"{t.share_first[row]:.3f}", f"{t.share_second[row]:.3f}",
            int(t.shared[row]), int(t.fragment[row]), f"{t.z[row]:.2f}", f"{t.percentile[row]:.1f}",
            _text("; ".join(reasons)),
            *([_text(", ".join(report.shared_mistakes.get((i, j), ())))] if mistakes else []),
            *("" if math.isnan(s) else f"{s:.3f}" for s in t.by_question[row]), ""])
    blank = [""] * (len(FIXED) - 2 + int(mistakes) + len(questions))
    for skipped in report.skipped:
        writer.writerow(["", _text(skipped.student), *blank, _text(f"not compared: {skipped.problem}")])


def _text(value: str) -> str:
    return defuse(clean(value).replace("\n", " ").replace("\t", " "))
