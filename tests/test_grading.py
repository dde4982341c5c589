"""End to end through the real sandbox and judge, linear_regression's particulars (the conformance suite
checks the solution, the blank release, every mutant and the correct forms of every assignment)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from autograder.validate import mutant_notebooks, solution_answers, student_notebook
from source_lib.judge.results import Outcome, SubmissionResult
from source_lib.judge.spec import Assignment, FunctionQuestion, SymbolicQuestion

Grade = Callable[..., dict]


def question(result: SubmissionResult, question_id: str):  # noqa: ANN201
    return next(q for q in result.questions if q.question_id == question_id)


@pytest.fixture(scope="module")
def baseline(grade: Grade, notebook_with: Callable[..., str], release_text: str) -> dict[str, SubmissionResult]:
    explained = "The cost is convex, so every start reaches the same minimum."
    return grade({"correct": notebook_with(explain_zero_init=explained), "blank": release_text})


def test_manual_question_is_recorded_not_scored(baseline: dict[str, SubmissionResult]) -> None:
    manual = question(baseline["correct"], "explain_zero_init")
    assert manual.manual and manual.outcome is Outcome.MANUAL and manual.score == 0
    assert "convex" in manual.answer_text
    assert question(baseline["blank"], "explain_zero_init").answer_text == ""


def test_mutants_of_one_question_do_not_cost_independent_questions(grade: Grade, assignment: Assignment,
                                                                   solution_text: str, release_text: str) -> None:
    mutant = mutant_notebooks(assignment, solution_text)["compute_cost--one_over_m"]
    result = grade({"mutant": student_notebook(release_text, solution_answers(mutant))})["mutant"]
    assert question(result, "compute_cost").score < question(result, "compute_cost").max_score
    assert question(result, "compute_gradient").score == 3
    assert question(result, "dJ_dw").score == 2


def test_public_case_feedback_quotes_values_but_hidden_cases_do_not(grade: Grade,
                                                                     notebook_with: Callable[..., str]) -> None:
    wrong = notebook_with(compute_cost="def compute_cost(X, y, w, b):\n    return 42.0")
    judged = question(grade({"wrong": wrong})["wrong"], "compute_cost")
    public = [c for c in judged.cases if not c.hidden]
    hidden = [c for c in judged.cases if c.hidden]
    assert all("expected" in c.message and "42" in c.message for c in public)
    assert hidden and all("expected" not in c.message and "42" not in c.message for c in hidden)


def test_gradient_descent_feedback_points_at_a_broken_gradient(grade: Grade, notebook_with: Callable[..., str]) -> None:
    broken = notebook_with(compute_gradient="def compute_gradient(X, y, w, b):\n"
                                            "    e = X @ w + b - y\n    return X.T @ e, e.sum()")
    judged = question(grade({"s": broken})["s"], "gradient_descent")
    assert judged.score < judged.max_score
    assert judged.feedback.startswith("`gradient_descent` builds on your `compute_gradient`")


def test_an_answer_whose_own_cell_raised_is_told_the_error_not_that_it_is_unanswered(
        grade: Grade, notebook_with: Callable[..., str]) -> None:
    submitted = notebook_with(dJ_dw="dJ_dw = 2.5", dJ_dw_at_zero="dJ_dw_at_zero = dJ_dw.subs({w: 0, b: 0})",
                              answer_zero_init="answer_zero_init = B")
    result = grade({"s": submitted})["s"]
    derived = question(result, "dJ_dw_at_zero")
    assert derived.score == 0 and derived.fix_first == ("dJ_dw",)
    assert derived.feedback.splitlines() == [
        "`dJ_dw_at_zero` builds on your `dJ_dw`, which does not pass its checks yet: fix it first, "
        "then check this one again.",
        "Your answer cell raised AttributeError: 'float' object has no attribute 'subs' on line 1, "
        "so `dJ_dw_at_zero` was never defined: fix that error and run the cell again."]
    assert "`dJ_dw` is a number, not an expression" in question(result, "dJ_dw").feedback
    choice = question(result, "answer_zero_init").feedback
    assert choice.startswith("Your answer cell raised NameError: name 'B' is not defined")


def test_uncatalogued_mistakes_read_the_declarations_advice(grade: Grade, assignment: Assignment,
                                                             notebook_with: Callable[..., str]) -> None:
    """The generic judge states the mistake; the declaration (hints=) says what to check, through the
    time-boxed symbolic judge and the function judge alike."""
    submitted = notebook_with(dJ_dw="dJ_dw = 2 * sp.diff(J, w)",
                              compute_cost="def compute_cost(X, y, w, b):\n"
                                           "    e = X @ w + b - y\n    return -float(e @ e) / (2 * X.shape[0])")
    result = grade({"s": submitted})["s"]
    dj_dw, compute_cost = assignment.question("dJ_dw"), assignment.question("compute_cost")
    assert isinstance(dj_dw, SymbolicQuestion) and isinstance(compute_cost, FunctionQuestion)
    symbolic_hint = dj_dw.hints["factor_2"]
    assert question(result, "dJ_dw").feedback == (
        f"Your expression is twice the correct one: {symbolic_hint} "
        "(Checked at random values of the symbols, for m = 1, 2, 3.)")
    function_hint = compute_cost.hints["sign_flipped"]
    assert f"Cost has the wrong sign: {function_hint}." in question(result, "compute_cost").feedback
