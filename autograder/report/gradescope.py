"""Gradescope's ``results.json``: one test per question, short text, nothing the student printed.

The only student-derived text here is the student id and the error messages of
their own code (cut to ``MESSAGE_LIMIT`` characters). Each question says its
verdict once and never an internal misconception id; hidden cases are only
counted. Manually graded questions appear without a score.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from autograder.report._text import isolation_level, lateness_sentence, num, one_line, shorten
from autograder.report.question_text import MESSAGE_LIMIT, question_output, question_passed, short_message
from autograder.report.student_text import cell_place
from source_lib.judge.results import CellError, QuestionResult, Status, SubmissionResult

_NOTEBOOK_STATUSES = (Status.UNGRADABLE, Status.TIMEOUT, Status.CRASHED, Status.GRADER_ERROR)
_STATUS_TEXT = {
    Status.GRADED: "The notebook ran to the end and every question was graded.",
    Status.TIMEOUT: "The time limit stopped the notebook; answers defined before it still count.",
    Status.CRASHED: "The notebook's process ended early; answers defined before it still count.",
    Status.UNGRADABLE: "The file could not be read as a notebook, so nothing was graded.",
    Status.GRADER_ERROR: "The grader failed on this submission; this is not your fault. "
                         "Your instructor will regrade it.",
}


def results_json(result: SubmissionResult) -> dict[str, Any]:
    """The Gradescope ``results.json`` document for one submission."""
    tests = [_question_test(q) for q in result.questions]
    if result.status in _NOTEBOOK_STATUSES:
        tests.insert(0, _notebook_test(result))
    return {
        "score": result.score,
        "execution_time": int(round(max(0.0, result.seconds))),
        "output": _summary(result),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": _extra_data(result),
    }


def _summary(result: SubmissionResult) -> str:
    manual = sum(1 for q in result.questions if q.manual)
    lines = [f"Status: {result.status.value}. Score: {num(result.score)}/{num(result.max_score)}"
             " (auto-graded)."]
    if result.lateness is not None:
        lines.append(lateness_sentence(result.lateness))
    if result.reason:
        lines.append(f"Reason: {shorten(one_line(result.reason), MESSAGE_LIMIT)}")
    if manual:
        lines.append(f"{manual} question(s) will be graded by the instructor.")
    lines.append(f"Grader {one_line(result.grader_version)}, "
                 f"isolation: {isolation_level(result.isolation)}.")
    return "\n".join(lines)


def _question_test(question: QuestionResult) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": _test_name(question)}
    if question.manual:
        entry["output"] = "This question is graded by the instructor."
    else:
        entry["score"] = question.score
        entry["max_score"] = question.max_score
        entry["status"] = "passed" if question_passed(question) else "failed"
        entry["output"] = question_output(question)
    entry["output_format"] = "text"
    entry["visibility"] = "visible"
    return entry


def _test_name(question: QuestionResult) -> str:
    qid, title = one_line(question.question_id), one_line(question.title)
    return shorten(f"{qid} {title}" if title and title != qid else qid, 200)


def _notebook_test(result: SubmissionResult) -> dict[str, Any]:
    lines = [f"Status: {result.status.value}. {_STATUS_TEXT[result.status]}"]
    if result.reason:
        lines.append(f"Reason: {shorten(one_line(result.reason), MESSAGE_LIMIT)}")
    lines.extend(f"- {_cell_error_text(e)}" for e in result.cell_errors)
    return {"name": "Notebook", "status": "failed", "output": "\n".join(lines),
            "output_format": "text", "visibility": "visible"}


def _cell_error_text(error: CellError) -> str:
    return f"{cell_place(error)}: {one_line(error.error_type)}: {short_message(error.message)}"


def _extra_data(result: SubmissionResult) -> dict[str, Any]:
    return {
        "student": one_line(result.student),
        "status": result.status.value,
        "reason": shorten(one_line(result.reason), MESSAGE_LIMIT),
        "grader_version": one_line(result.grader_version),
        "isolation": isolation_level(result.isolation),
        "isolation_detail": _json_safe(result.isolation),
        "sha256": one_line(result.sha256),
        "compute_seconds": float(result.compute_seconds),
        "cell_errors": [{"cell": e.cell, "line": e.line, "question": e.question, "where": cell_place(e),
                         "error_type": one_line(e.error_type), "message": short_message(e.message)}
                        for e in result.cell_errors],
        "warnings": [shorten(one_line(w), MESSAGE_LIMIT) for w in result.warnings],
        "lateness": None if result.lateness is None else {**asdict(result.lateness), "raw_score": result.raw_score},
    }


def _json_safe(value: Any, depth: int = 0) -> Any:
    """Plain JSON values only: strings cleaned, unknown objects as text, NaN as null."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth < 8 and isinstance(value, dict):
        return {shorten(one_line(str(k)), 100): _json_safe(v, depth + 1) for k, v in value.items()}
    if depth < 8 and isinstance(value, (list, tuple)):
        return [_json_safe(v, depth + 1) for v in value]
    return shorten(one_line(str(value)), MESSAGE_LIMIT)
