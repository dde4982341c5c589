"""Plain-text summaries for the terminal: a batch table and one progress line per submission.

No colour codes; student text is cleaned, so it cannot move the cursor or recolour
the terminal. Widths count wide (CJK) characters as two columns.
"""

from __future__ import annotations

import io
import shutil
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from autograder.report._text import num, one_line
from source_lib.judge.results import QuestionResult, SubmissionResult

STUDENT_WIDTH = 16
_STATUS_WIDTH = 12  # len("grader_error")
_MAX_STUDENT = 24
_MAX_QUESTION = 8
_MIN_NOTES = 12
_GAP = "  "


def summary_table(results: Sequence[SubmissionResult], question_ids: Sequence[str],
                  width: int | None = None) -> str:
    """An aligned table: student, status, score, one column per question (Q1, Q2, ...), notes."""
    buffer = io.StringIO()
    write_summary_table(results, question_ids, buffer, width)
    return buffer.getvalue()


def write_summary_table(results: Sequence[SubmissionResult], question_ids: Sequence[str], out: TextIO,
                        width: int | None = None) -> None:
    """Write ``summary_table``'s table to ``out``: one pass for the column widths, one for the rows,
    so a batch of any size is never held whole in memory."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    header = ["student", "status", "score", *(f"Q{k}" for k in range(1, len(question_ids) + 1)), "notes"]
    natural = [display_width(cell) for cell in header]
    for result in results:
        natural = [max(w, display_width(cell)) for w, cell in zip(natural, _row(result, question_ids))]
    widths = _widths(natural, width)
    right = [False, False, True, *([True] * len(question_ids)), False]
    out.write(_line(header, widths, right).rstrip() + "\n")
    out.write(_line(["-" * w for w in widths], widths, right).rstrip() + "\n")
    for result in results:
        out.write(_line(_row(result, question_ids), widths, right).rstrip() + "\n")
    out.write("\n" + "  ".join(f"Q{k} {one_line(q)}" for k, q in enumerate(question_ids, start=1)).rstrip() + "\n")


def progress_line(done: int, total: int, result: SubmissionResult, seconds: float) -> str:
    """One line per finished submission, e.g. ``[ 3/50] alice   graded   17.5/20  0.21s``."""
    digits = len(str(total))
    return (f"[{done:>{digits}}/{total}] {fit(one_line(result.student), STUDENT_WIDTH)} "
            f"{result.status.value:<{_STATUS_WIDTH}} {_score(result):>8}  {seconds:.2f}s")


def _row(result: SubmissionResult, question_ids: Sequence[str]) -> list[str]:
    by_id = {q.question_id: q for q in result.questions}
    cells = [_cell(by_id.get(qid)) for qid in question_ids]
    return [one_line(result.student), result.status.value, _score(result), *cells, _notes(result)]


def _score(result: SubmissionResult) -> str:
    return f"{num(result.score)}/{num(result.max_score)}"


def _cell(question: QuestionResult | None) -> str:
    if question is None:
        return ""
    return "-" if question.manual else f"{num(question.score)}/{num(question.max_score)}"


def _notes(result: SubmissionResult) -> str:
    if result.reason.strip():
        return one_line(result.reason)
    names = dict.fromkeys(m for q in result.questions for m in q.misconceptions)
    return one_line(", ".join(list(names)[:3]))


def _widths(natural: list[int], total: int) -> list[int]:
    """The columns' natural widths, capped; the notes column takes what is left of ``total``."""
    widths = list(natural)
    widths[0] = min(widths[0], _MAX_STUDENT)
    for i in range(3, len(widths) - 1):
        widths[i] = min(widths[i], _MAX_QUESTION)
    used = sum(widths[:-1]) + len(_GAP) * (len(widths) - 1)
    widths[-1] = max(_MIN_NOTES, min(widths[-1], total - used))
    return widths


def _line(cells: list[str], widths: list[int], right: list[bool]) -> str:
    return _GAP.join(fit(c, w, r) for c, w, r in zip(cells, widths, right))


def display_width(text: str) -> int:
    """Terminal columns: wide characters count two, combining marks zero."""
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut ``text`` to exactly ``width`` columns (a cut ends with ``…``)."""
    if display_width(text) > width:
        out, used = "", 0
        for ch in text:
            if used + _char_width(ch) > width - 1:
                break
            out, used = out + ch, used + _char_width(ch)
        text = out + "\u2026"
    pad = " " * max(0, width - display_width(text))
    return pad + text if right else text + pad
