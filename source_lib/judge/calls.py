"""Judge a function question: every case, partial credit, named mistakes.

A case passes when the return value matches the solution's (shape, dtype,
finiteness, tolerance) and no input that must stay unchanged was modified.
A failing case earns the credit of the catalogued misconception it matches,
if any (0 by default). The question earns its points times the mean credit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from source_lib.judge.codec import Value
from source_lib.judge.decode import Call
from source_lib.judge.diagnose import generic_diagnosis, matching_misconceptions
from source_lib.judge.numeric import compare_returns, same_array
from source_lib.judge.properties import evaluate_properties, measures_agree
from source_lib.judge.reference import FunctionReference
from source_lib.judge.results import CaseResult, Outcome, QuestionResult
from source_lib.judge.spec import Case, FunctionQuestion
from source_lib.judge.summary import question_result

NOT_WRITTEN = "NotImplementedError"  # what nbgrader's stub of an unanswered cell raises


def judge_function(question: FunctionQuestion, cases: tuple[Case, ...], reference: FunctionReference,
                   calls: Mapping[str, Call], upstream: Mapping[str, QuestionResult]) -> QuestionResult:
    """Judge every case of ``question`` from the student's observed calls."""
    statuses = {call.status for call in calls.values()}
    if statuses == {"missing"}:
        return question_result(question, (), Outcome.MISSING,
                               f"`{question.function}` is not defined: run the cell that defines it, "
                               "and keep the function's name exactly as given.")
    if all(call.error is not None and call.error.type == NOT_WRITTEN for call in calls.values()):
        return question_result(question, (), Outcome.MISSING,
                               f"`{question.function}` is not written yet: replace `raise {NOT_WRITTEN}()` "
                               "in its cell with your code, then run that cell.")
    results = tuple(judge_case(question, case, calls[case.id], reference, calls) for case in cases)
    if statuses == {"absent"}:
        return question_result(question, results, Outcome.TIMEOUT,
                               "Not checked: the notebook stopped before this function could be called.")
    outcome = Outcome.ERROR if statuses == {"raised"} else None
    return question_result(question, results, outcome, upstream=upstream)


def judge_case(question: FunctionQuestion, case: Case, call: Call, reference: FunctionReference,
               others: Mapping[str, Call] | None = None) -> CaseResult:
    """One call of the student's function against the solution's call on the same inputs.

    ``others`` are the student's calls on the question's other cases (for properties that
    compare two results, such as "the same seed gives the same parameters").
    """
    expected = reference.expected[case.id]
    if call.status != "returned" or call.value is None or expected.value is None:
        return _failed(case, _not_returned(question, case, call))
    if case.properties:
        return _judge_properties(question, case, call, reference, others or {})
    tol = question.tolerance
    check = compare_returns(call.value, expected.value, question.returns, tol, public=not case.hidden)
    changed = _changed_inputs(question, call, expected)
    warned = question.forbid_warnings and bool(call.warnings) and not expected.warnings
    if check.passed and not changed and not warned:
        return CaseResult(case.id, True, case.hidden, "passed", credit=1.0)
    mutants = {mid: by_case[case.id] for mid, by_case in reference.mutants.items()}
    immutable = tuple(question.params.index(p) for p in question.immutable)
    for misconception in question.misconceptions:
        if misconception.id in matching_misconceptions(call, {misconception.id: mutants[misconception.id]},
                                                       question.returns, immutable, tol, question.forbid_warnings):
            return CaseResult(case.id, False, case.hidden, misconception.feedback,
                              misconception.id, misconception.credit)
    if check.passed and not changed:
        return _failed(case, _warned_message(question, case, call))
    message = check.message if not check.passed else _changed_message(question, changed)
    hint = None if check.passed else generic_diagnosis(call.value, expected.value, question.returns,
                                                       _dims(case), tol, question.hints)
    if not hint:
        return _failed(case, f"{message}.")
    stop = "" if hint.endswith(("?", ".", "!")) else "."
    return _failed(case, f"{message}. {hint[0].upper() + hint[1:]}{stop}")


def _judge_properties(question: FunctionQuestion, case: Case, call: Call, reference: FunctionReference,
                      others: Mapping[str, Call]) -> CaseResult:
    """Every property of the case; a failure is named by the mutant whose measurements all agree."""
    expected = reference.expected[case.id].value
    assert call.value is not None and expected is not None  # checked by the caller
    outcomes = evaluate_properties(case.properties, call.value, expected, _returned(others), question.returns[0],
                                   not case.hidden)
    changed = _changed_inputs(question, call, reference.expected[case.id])
    if all(o.passed for o in outcomes) and not changed:
        return CaseResult(case.id, True, case.hidden, "passed", credit=1.0)
    for misconception in question.misconceptions:
        by_case = reference.mutants[misconception.id]
        mutant = by_case[case.id]
        if mutant.status != "returned" or mutant.value is None:
            continue
        theirs = evaluate_properties(case.properties, mutant.value, expected, _returned(by_case),
                                     question.returns[0], not case.hidden)
        if not all(o.passed for o in theirs) and measures_agree(outcomes, theirs):
            return CaseResult(case.id, False, case.hidden, misconception.feedback, misconception.id,
                              misconception.credit)
    failing = next((o.message for o in outcomes if not o.passed), None)
    return _failed(case, f"{failing or _changed_message(question, changed)}.")


def _returned(calls: Mapping[str, Call]) -> dict[str, Value]:
    return {cid: c.value for cid, c in calls.items() if c.status == "returned" and c.value is not None}


def _failed(case: Case, message: str) -> CaseResult:
    return CaseResult(case.id, False, case.hidden, message, None, 0.0)


def _not_returned(question: FunctionQuestion, case: Case, call: Call) -> str:
    signature = f"{question.function}({', '.join(question.params)})"
    if call.status == "raised" and call.error is not None:
        detail = f": {call.error.message}" if call.error.message and not case.hidden else ""
        return f"calling {signature} raised {call.error.type}{detail}"
    if call.status == "missing":
        return f"`{question.function}` is not defined"
    if call.status == "malformed":
        return "the answer for this case could not be read back (it was sent twice or garbled)"
    return "not checked: the notebook stopped before this case ran"


def _changed_inputs(question: FunctionQuestion, call: Call, expected: Call) -> list[str]:
    changed = []
    for name in question.immutable:
        index = question.params.index(name)
        if index >= len(call.args_after) or index >= len(expected.args_after):
            changed.append(name)
        elif not same_array(call.args_after[index], expected.args_after[index]):
            changed.append(name)
    return changed


def _changed_message(question: FunctionQuestion, changed: list[str]) -> str:
    names = ", ".join(changed)
    return (f"{question.function} modified its input {names}: work on a copy of it, "
            "so that the caller's array stays as it was")


def _warned_message(question: FunctionQuestion, case: Case, call: Call) -> str:
    # On a hidden case only the category: the message may describe the input.
    shown = call.warnings[0] if not case.hidden else call.warnings[0].partition(":")[0]
    return (f"`{question.function}` returned the right values but raised a warning ({shown}): "
            "it must give its result without warnings, for every input.")


def _dims(case: Case) -> dict[str, int]:
    """Sizes the ratio probe can name: rows (m) and columns (n) of the first array argument."""
    first = case.args[0] if case.args else None
    if isinstance(first, np.ndarray) and first.ndim == 2:
        return {"m": first.shape[0], "n": first.shape[1]}
    return {}

