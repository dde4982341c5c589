"""Judge named answers: sympy expressions, multiple choice, and written (manual) answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from source_lib.judge.codec import Text, describe
from source_lib.judge.decode import Lookup
from source_lib.judge.reference import ValueReference, expression_source
from source_lib.judge.results import CaseResult, Outcome, QuestionResult
from source_lib.judge.spec import ChoiceQuestion, ManualQuestion, SymbolicQuestion
from source_lib.judge.summary import question_result

# (question, student's sympy text) -> verdict with the keys of judge.symbolic.judge_answer
SymbolicVerdict = Callable[[SymbolicQuestion, str], Mapping[str, Any]]


def judge_symbolic(question: SymbolicQuestion, reference: ValueReference, lookup: Lookup,
                   verdict_of: SymbolicVerdict, upstream: Mapping[str, QuestionResult] | None = None) -> QuestionResult:
    """Equivalence by the symbolic judge; a matching mutant names the mistake.

    ``upstream`` (earlier results) lets a wrong answer derived from a wrong earlier one
    name that earlier one first.
    """
    early = _not_found(question.variable, question, lookup, upstream)
    if early:
        return early
    assert lookup.value is not None
    source = expression_source(lookup.value)
    if source is None:
        hint = " (remove the quotes: text is not an expression)" if isinstance(lookup.value, Text) else ""
        return _single(question, False, f"`{question.variable}` should be a sympy expression; "
                                        f"it is {describe(lookup.value)}{hint}.")
    verdict = verdict_of(question, source)
    if verdict.get("equivalent") is True:
        return _single(question, True, "Correct: equivalent to the expected expression.")
    if not verdict.get("parsed", False):
        return _single(question, False, str(verdict.get("parse_error") or "Your expression could not be read."),
                       upstream=upstream)
    for misconception in question.misconceptions:
        if misconception.id in verdict.get("mutants", ()):
            return _single(question, False, misconception.feedback, misconception.id, misconception.credit,
                           upstream)
    if verdict.get("constant"):
        return _single(question, False, f"`{question.variable}` is a number, not an expression: the answer "
                                        "still depends on the symbols and the data of the problem. Build it "
                                        "from them with sympy, without plugging in values.", upstream=upstream)
    message = verdict.get("message") or "Not equivalent to the expected expression."
    checked = verdict.get("checked")
    where = f", for {checked}" if checked else ""
    return _single(question, False, f"{message} (Checked at random values of the symbols{where}.)",
                   upstream=upstream)


def judge_choice(question: ChoiceQuestion, reference: ValueReference, lookup: Lookup) -> QuestionResult:
    """The chosen letter against the solution's; a wrong letter may name a misconception."""
    early = _not_found(question.variable, question, lookup)
    if early:
        return early
    letter = normalise_choice(lookup.value)
    options = ", ".join(f'"{k}"' for k in question.choices)
    if letter not in question.choices:
        return _single(question, False, f"`{question.variable}` must be one of {options} (a string).")
    if letter == normalise_choice(reference.expected):
        return _single(question, True, "Correct.")
    for misconception in question.misconceptions:
        if normalise_choice(reference.mutants.get(misconception.id)) == letter:
            return _single(question, False, misconception.feedback, misconception.id, misconception.credit)
    return _single(question, False, question.wrong_feedback)


def normalise_choice(value: object) -> str | None:
    """'b', ' B ', 'B)' and 'B.' all mean option B."""
    if not isinstance(value, Text):
        return None
    text = value.value.strip().rstrip(").").strip().upper()
    return text if len(text) == 1 else None


def judge_manual(question: ManualQuestion, answer: str, release_text: str) -> QuestionResult:
    """Record the written answer for the instructor; it scores nothing here."""
    text = answer.strip()
    answered = bool(text) and text != release_text.strip()
    feedback = ("Graded by your instructor." if answered
                else "Not answered yet: write your explanation in the answer cell.")
    return QuestionResult(question.id, question.title, 0.0, float(question.points), Outcome.MANUAL,
                          feedback, manual=True, answer_text=text if answered else "")


def _not_found(name: str, question: SymbolicQuestion | ChoiceQuestion, lookup: Lookup,
               upstream: Mapping[str, QuestionResult] | None = None) -> QuestionResult | None:
    if lookup.status == "found" and lookup.value is not None:
        return None
    if lookup.status == "absent":
        return question_result(question, (), Outcome.TIMEOUT,
                               "Not checked: the notebook stopped before this answer was read.")
    if lookup.status == "malformed":
        return _single(question, False, f"`{name}` could not be read back (it was sent twice or garbled).")
    return question_result(question, (), Outcome.MISSING, not_defined(name), upstream=upstream)


def not_defined(name: str) -> str:
    """What to do about an answer that was never defined (unanswered, misnamed, or its cell failed)."""
    return (f"`{name}` is not defined: write it in its answer cell (in place of `raise NotImplementedError()`) "
            "and run that cell, keeping the name exactly; if the cell shows an error, fix that first.")


def _single(question: SymbolicQuestion | ChoiceQuestion, passed: bool, message: str,
            misconception: str | None = None, credit: float = 0.0,
            upstream: Mapping[str, QuestionResult] | None = None) -> QuestionResult:
    case = CaseResult(question.id, passed, False, message, misconception, 1.0 if passed else credit)
    return question_result(question, (case,), None, upstream=upstream)
