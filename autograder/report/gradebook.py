"""The class-wide grade sheet as CSV, safe to open in a spreadsheet.

Columns: ``student,status,score,max_score,<question ids>,reason``. A manual
question's cell says ``manual``; a question without a result is left empty.
Text cells that a spreadsheet would read as a formula get a leading ``'``.
Not named ``csv.py``, which would shadow the standard module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from autograder.report._text import clean, num, one_line, shorten
from source_lib.judge.results import QuestionResult, SubmissionResult

REASON_LIMIT = 300
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def grades_csv(results: Sequence[SubmissionResult], question_ids: Sequence[str]) -> str:
    """One row per submission, in the order given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "status", "score", "max_score",
                     *(_text(q) for q in question_ids), "reason"])
    for result in results:
        writer.writerow(_row(result, question_ids))
    return buffer.getvalue()


def _row(result: SubmissionResult, question_ids: Sequence[str]) -> list[str]:
    by_id = {q.question_id: q for q in result.questions}
    cells = [_cell(by_id.get(qid)) for qid in question_ids]
    return [_text(result.student), result.status.value, num(result.score, 6),
            num(result.max_score, 6), *cells, _text(shorten(one_line(result.reason), REASON_LIMIT))]


def _cell(question: QuestionResult | None) -> str:
    if question is None:
        return ""
    return "manual" if question.manual else num(question.score, 6)


def _text(value: str) -> str:
    """A one-line text cell no spreadsheet will evaluate (inner spaces kept: ids must match)."""
    return defuse(clean(value).replace("\n", " ").replace("\t", " "))


def defuse(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value
