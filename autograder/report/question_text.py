"""One question's verdict as plain text: Gradescope's test output, JUnit's failure text, nbgrader's comments."""

from __future__ import annotations

from autograder.report._text import clean, num, one_line, shorten
from autograder.report.verdict import FailedCases, verdict
from source_lib.judge.results import Outcome, QuestionResult

MESSAGE_LIMIT = 300
FEEDBACK_LIMIT = 2000


def question_passed(question: QuestionResult) -> bool:
    """Full marks, or (for a zero-point question) a passing outcome."""
    if question.max_score <= 0:
        return question.outcome is Outcome.PASSED
    return question.score >= question.max_score - 1e-9


def question_output(question: QuestionResult) -> str:
    """Outcome, then the verdict with each thing said once; hidden cases only counted."""
    parts = [f"Result: {question.outcome.value}, {num(question.score)}/{num(question.max_score)}."]
    if question.override is not None:
        parts.append(f"Set by your instructor: {_long(question.override)}")
    if question_passed(question) or (question.override is not None and not question.cases):
        return "\n".join(parts)
    found = verdict(question)
    parts.extend(_long(note) for note in found.notes)
    parts.extend(f"Likely mistake: {_long(m)}" for m in found.mistakes)
    if found.message:
        parts.append(_long(found.message))
    parts.extend(_failed_line(group) for group in found.failed_public)
    if found.hidden_line:
        hint = f" (on one of them: {short_message(found.hidden_hint)})" if found.hidden_hint else ""
        parts.append(f"{found.hidden_line}{hint}.")
    return "\n".join(parts)


def _failed_line(group: FailedCases) -> str:
    names = ", ".join(shorten(one_line(c), 100) for c in group.case_ids)
    lead = "Failed public case" if len(group.case_ids) == 1 else "Failed public cases"
    return f"{lead}: {names}" + (f": {short_message(group.message)}" if group.message else "")


def _long(text: str) -> str:
    return shorten(clean(text).strip(), FEEDBACK_LIMIT)


def short_message(text: str) -> str:
    """An error or case message on one line, cut to ``MESSAGE_LIMIT`` characters."""
    return shorten(one_line(text), MESSAGE_LIMIT)
