"""The class-wide grade sheet as CSV, safe to open in a spreadsheet.

Columns: ``student,status,score,max_score,<question ids>,reason`` (with a due date,
``submitted_at,late_days,late_penalty`` before ``reason``; ``score`` is after the penalty). A manual
question's cell says ``manual``; a question without a result is left empty.
Text cells that a spreadsheet would read as a formula get a leading ``'``.
Not named ``csv.py``, which would shadow the standard module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TextIO

from autograder.report._text import num, one_line, shorten, single_line
from source_lib.judge.results import SECONDS_PER_DAY, QuestionResult, SubmissionResult

REASON_LIMIT = 300
LATE_COLUMNS = ("submitted_at", "late_days", "late_penalty")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def grades_csv(results: Sequence[SubmissionResult], question_ids: Sequence[str]) -> str:
    """One row per submission, in the order given; with a due date, when each came in and what it cost."""
    buffer = io.StringIO()
    write_grades_csv(results, question_ids, buffer)
    return buffer.getvalue()


def write_grades_csv(results: Sequence[SubmissionResult], question_ids: Sequence[str], out: TextIO) -> None:
    """Write ``grades_csv``'s sheet to ``out``, one submission in memory at a time."""
    late = any(r.lateness is not None for r in results)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "status", "score", "max_score", *(csv_text(q) for q in question_ids),
                     *(LATE_COLUMNS if late else ()), "reason"])
    for result in results:
        writer.writerow(_row(result, question_ids, late))


def _row(result: SubmissionResult, question_ids: Sequence[str], late: bool) -> list[str]:
    by_id = {q.question_id: q for q in result.questions}
    cells = [_cell(by_id.get(qid)) for qid in question_ids]
    return [csv_text(result.student), result.status.value, num(result.score, 6),
            num(result.max_score, 6), *cells, *(_late_cells(result) if late else ()),
            csv_text(shorten(one_line(result.reason), REASON_LIMIT))]


def _late_cells(result: SubmissionResult) -> list[str]:
    found = result.lateness
    if found is None:
        return ["", "", ""]
    return [found.submitted_at, num(found.late_seconds / SECONDS_PER_DAY, 3), num(found.penalty, 6)]


def _cell(question: QuestionResult | None) -> str:
    if question is None:
        return ""
    return "manual" if question.manual else num(question.score, 6)


def csv_text(value: str) -> str:
    """A one-line text cell no spreadsheet will evaluate (inner spaces kept: ids must match)."""
    return defuse(single_line(value))


def defuse(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value
