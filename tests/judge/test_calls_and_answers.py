"""judge.calls and judge.answers: cases, partial credit, named mistakes, and named answers.

The expected values are computed here, in the test process, with the formulas of the
solution notebook; the judge itself only ever compares wire values.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from autograder.declarations import load
from source_lib.judge import codec
from source_lib.judge.answers import judge_choice, judge_manual, judge_symbolic, normalise_choice
from source_lib.judge.calls import judge_function
from source_lib.judge.codec import ExprText, Scalar, Text
from source_lib.judge.decode import Call, ErrorInfo, Lookup
from source_lib.judge.reference import FunctionReference, ValueReference
from source_lib.judge.results import Outcome, QuestionResult
from source_lib.judge.spec import (
    Case,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    Misconception,
    SymbolicQuestion,
)

ASSIGNMENT = load("linear_regression")


def _question(question_id: str, kind: type) -> Any:
    found = ASSIGNMENT.question(question_id)
    assert isinstance(found, kind)
    return found


ANSWER_ZERO_INIT: ChoiceQuestion = _question("answer_zero_init", ChoiceQuestion)
COMPUTE_COST: FunctionQuestion = _question("compute_cost", FunctionQuestion)
COMPUTE_GRADIENT: FunctionQuestion = _question("compute_gradient", FunctionQuestion)
DJ_DW: SymbolicQuestion = _question("dJ_dw", SymbolicQuestion)
EXPLAIN_ZERO_INIT: ManualQuestion = _question("explain_zero_init", ManualQuestion)
GRADIENT_DESCENT: FunctionQuestion = _question("gradient_descent", FunctionQuestion)

# ---------------------------------------------------------------- the solution, in-process


def cost(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    errors = X @ w + b - y
    return float(errors @ errors) / (2 * X.shape[0])


def gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    errors = X @ w + b - y
    return X.T @ errors / X.shape[0], float(np.sum(errors)) / X.shape[0]


def descent(X: np.ndarray, y: np.ndarray, w_in: np.ndarray, b_in: float, alpha: float,
            num_iters: int) -> tuple[np.ndarray, float, list[float]]:
    w, b, history = w_in.copy(), b_in, []
    for _ in range(num_iters):
        dj_dw, dj_db = gradient(X, y, w, b)
        w, b = w - alpha * dj_dw, b - alpha * dj_db
        history.append(cost(X, y, w, b))
    return w, b, history


SOLUTIONS: dict[str, Callable[..., Any]] = {"compute_cost": cost, "compute_gradient": gradient,
                                            "gradient_descent": descent}


def wired(value: Any) -> codec.Value:
    """What the sandbox would send back for ``value``."""
    return codec.decode(codec.encode(value))


def cases_of(question: FunctionQuestion) -> tuple[Case, ...]:
    """Public then hidden cases (a question edited with dataclasses.replace keeps its cases)."""
    original = ASSIGNMENT.question(question.id)
    assert isinstance(original, FunctionQuestion)
    return ASSIGNMENT.cases(original)


def returned(value: Any, args: tuple[Any, ...]) -> Call:
    return Call("returned", wired(value), None, tuple(wired(a) for a in args))


def reference(question: FunctionQuestion, mutants: Mapping[str, Callable[[Case], Call]] | None = None
              ) -> FunctionReference:
    """The solution's calls, and each misconception's calls (absent unless given)."""
    solve = SOLUTIONS[question.id]
    cases = cases_of(question)
    expected = {c.id: returned(solve(*c.args), c.args) for c in cases}
    made = mutants or {}
    by_mutant = {m.id: {c.id: made[m.id](c) if m.id in made else Call("absent") for c in cases}
                 for m in question.misconceptions}
    return FunctionReference(expected, by_mutant)


def correct_calls(question: FunctionQuestion) -> dict[str, Call]:
    solve = SOLUTIONS[question.id]
    return {c.id: returned(solve(*c.args), c.args) for c in cases_of(question)}


def judge(question: FunctionQuestion, calls: Mapping[str, Call], ref: FunctionReference | None = None,
          upstream: Mapping[str, QuestionResult] | None = None) -> QuestionResult:
    return judge_function(question, cases_of(question), ref or reference(question), calls, upstream or {})


def numbers_in(text: str) -> set[str]:
    """Decimal numbers with a fractional part (values, not case ids or shapes)."""
    return set(re.findall(r"-?\d+\.\d+", text))


# ---------------------------------------------------------------- judge_function


@pytest.mark.parametrize("question", [COMPUTE_COST, COMPUTE_GRADIENT, GRADIENT_DESCENT], ids=lambda q: q.id)
def test_all_cases_pass_full_points(question: FunctionQuestion) -> None:
    result = judge(question, correct_calls(question))
    assert result.outcome is Outcome.PASSED
    assert result.score == result.max_score == question.points
    assert len(result.cases) == len(cases_of(question)) == 5
    assert all(c.passed and c.credit == 1.0 for c in result.cases)
    assert result.feedback == "All 5 checks passed."


@pytest.mark.parametrize("wrong, score, outcome, tally", [
    ({"public-1"}, 1.6, Outcome.PARTIAL, "4 of 5 checks passed (public 1/2, hidden 3/3)."),
    ({"public-1", "hidden-2"}, 1.2, Outcome.PARTIAL, "3 of 5 checks passed (public 1/2, hidden 2/3)."),
    ({"hidden-1", "hidden-2", "hidden-3"}, 0.8, Outcome.PARTIAL, "2 of 5 checks passed (public 2/2, hidden 0/3)."),
    (None, 0.0, Outcome.FAILED, "0 of 5 checks passed (public 0/2, hidden 0/3)."),
], ids=["one", "two", "hidden", "all"])
def test_partial_credit_is_points_times_mean_credit(wrong: set[str] | None, score: float, outcome: Outcome,
                                                     tally: str) -> None:
    calls = correct_calls(COMPUTE_COST)
    for case in cases_of(COMPUTE_COST):
        if wrong is None or case.id in wrong:
            calls[case.id] = returned(cost(*case.args) * 1.37 + 0.01, case.args)
    result = judge(COMPUTE_COST, calls)
    assert result.score == pytest.approx(score) and result.outcome is outcome
    assert result.feedback.splitlines()[0] == tally
    assert sum(not c.passed for c in result.cases) == (5 if wrong is None else len(wrong))


def _with_credit(question: FunctionQuestion, misconception_id: str, credit: float) -> FunctionQuestion:
    misconceptions = tuple(dataclasses.replace(m, credit=credit) if m.id == misconception_id else m
                           for m in question.misconceptions)
    return dataclasses.replace(question, misconceptions=misconceptions)


def _one_over_m(case: Case) -> Call:
    """The mutant with / m instead of / (2 * m): twice the cost, inputs unchanged."""
    return returned(2 * cost(*case.args), case.args)


@pytest.mark.parametrize("credit", [0.5, 0.0])
def test_catalogue_misconception_earns_its_credit_on_that_case(credit: float) -> None:
    question = _with_credit(COMPUTE_COST, "one_over_m", credit)
    calls = correct_calls(question)
    case = cases_of(question)[0]
    calls[case.id] = returned(2 * cost(*case.args), case.args)
    result = judge(question, calls, reference(question, {"one_over_m": _one_over_m}))
    assert result.score == pytest.approx(question.points * (4 + credit) / 5)
    assert result.outcome is Outcome.PARTIAL
    named = result.cases[0]
    assert (named.passed, named.misconception, named.credit) == (False, "one_over_m", credit)
    assert named.message.startswith("Your cost is twice too large")
    assert result.misconceptions == ("one_over_m",)
    assert "Likely mistake: Your cost is twice too large" in result.feedback


def test_misconception_on_every_case_gives_half_the_points() -> None:
    question = _with_credit(COMPUTE_COST, "one_over_m", 0.5)
    calls = {c.id: returned(2 * cost(*c.args), c.args) for c in cases_of(question)}
    result = judge(question, calls, reference(question, {"one_over_m": _one_over_m}))
    assert result.score == pytest.approx(question.points / 2) and result.outcome is Outcome.PARTIAL
    assert all(c.misconception == "one_over_m" for c in result.cases)


def test_missing_function() -> None:
    result = judge(COMPUTE_COST, {c.id: Call("missing") for c in cases_of(COMPUTE_COST)})
    assert result.outcome is Outcome.MISSING and result.score == 0.0
    assert "`compute_cost` is not defined" in result.feedback


def test_notebook_stopped_before_the_function_ran() -> None:
    result = judge(COMPUTE_COST, {c.id: Call("absent") for c in cases_of(COMPUTE_COST)})
    assert result.outcome is Outcome.TIMEOUT and result.score == 0.0
    assert result.feedback.startswith("Not checked")


def test_stopped_halfway_keeps_the_cases_that_ran() -> None:
    calls = correct_calls(COMPUTE_COST)
    for case in cases_of(COMPUTE_COST)[2:]:
        calls[case.id] = Call("absent")
    result = judge(COMPUTE_COST, calls)
    assert result.score == pytest.approx(0.8) and result.outcome is Outcome.PARTIAL
    assert "On a hidden case: not checked: the notebook stopped before this case ran" in result.feedback


def test_a_ratio_no_misconception_names_gets_the_declarations_advice() -> None:
    """A negated cost matches no catalogued mistake: the generic statement, then the declaration's hint."""
    calls = {c.id: returned(-cost(*c.args), c.args) for c in cases_of(COMPUTE_COST)}
    result = judge(COMPUTE_COST, calls)
    advice = COMPUTE_COST.hints["sign_flipped"]
    assert f"Cost has the wrong sign: {advice}." in result.feedback
    bare = judge(dataclasses.replace(COMPUTE_COST, hints={}), calls)
    assert "Cost has the wrong sign." in bare.feedback and advice not in bare.feedback


SECRET = "leaked 0.123456 from X[3]"


def _raising(hidden_only: bool) -> dict[str, Call]:
    calls = correct_calls(COMPUTE_COST)
    for case in cases_of(COMPUTE_COST):
        if case.hidden or not hidden_only:
            calls[case.id] = Call("raised", None, ErrorInfo("ValueError", SECRET))
    return calls


def test_all_cases_raised_is_an_error() -> None:
    result = judge(COMPUTE_COST, _raising(hidden_only=False))
    assert result.outcome is Outcome.ERROR and result.score == 0.0
    public = [c for c in result.cases if not c.hidden]
    assert public[0].message == f"calling compute_cost(X, y, w, b) raised ValueError: {SECRET}"


def test_hidden_error_messages_never_include_the_exception_text() -> None:
    for hidden_only in (False, True):
        result = judge(COMPUTE_COST, _raising(hidden_only))
        for case in result.cases:
            if case.hidden:
                assert case.message == "calling compute_cost(X, y, w, b) raised ValueError"
                assert SECRET not in case.message
            elif not hidden_only:
                assert SECRET in case.message
    assert SECRET not in result.feedback  # hidden cases only failed in the last run
    assert "On a hidden case: calling compute_cost(X, y, w, b) raised ValueError" in result.feedback


def test_hidden_wrong_values_are_never_quoted() -> None:
    calls = correct_calls(COMPUTE_GRADIENT)
    for case in cases_of(COMPUTE_GRADIENT):
        dj_dw, dj_db = gradient(*case.args)
        calls[case.id] = returned((dj_dw + 0.3, dj_db - 0.2), case.args)
    result = judge(COMPUTE_GRADIENT, calls)
    for case, _expected in zip(result.cases, cases_of(COMPUTE_GRADIENT)):
        assert not case.passed
        if case.hidden:
            assert case.message == "dj_dw has the right shape but wrong values."
            assert numbers_in(case.message) == set()
        else:
            assert numbers_in(case.message)  # public cases do show got/expected
    hidden_lines = [ln for ln in result.feedback.splitlines() if ln.startswith("On a hidden case")]
    assert hidden_lines and not numbers_in(hidden_lines[0])


def test_generic_hint_names_the_dimension() -> None:
    calls = correct_calls(COMPUTE_COST)
    case = cases_of(COMPUTE_COST)[0]  # public-1
    m = case.args[0].shape[0]
    right = cost(*case.args)
    calls[case.id] = returned(m * right, case.args)
    result = judge(COMPUTE_COST, calls)
    assert result.cases[0].message == (f"cost is wrong: got {m * right:.6g}, expected {right:.6g}. "
                                       "Cost is m times too large: did you forget to divide by m?")


def test_column_vector_gradient_message() -> None:
    calls = correct_calls(COMPUTE_GRADIENT)
    case = cases_of(COMPUTE_GRADIENT)[1]
    dj_dw, dj_db = gradient(*case.args)
    calls[case.id] = returned((dj_dw.reshape(-1, 1), dj_db), case.args)
    message = judge(COMPUTE_GRADIENT, calls).cases[1].message
    n = case.args[0].shape[1]
    assert f"dj_dw has shape ({n}, 1), a column vector; it should be one-dimensional, shape ({n},)" in message


def test_swapped_gradient_return_is_diagnosed() -> None:
    calls = correct_calls(COMPUTE_GRADIENT)
    case = cases_of(COMPUTE_GRADIENT)[2]  # hidden
    dj_dw, dj_db = gradient(*case.args)
    calls[case.id] = returned((dj_db, dj_dw), case.args)
    message = judge(COMPUTE_GRADIENT, calls).cases[2].message
    assert "The two values are in the wrong order: return (dj_dw, dj_db)" in message


@pytest.mark.parametrize("question, param", [(COMPUTE_COST, "X"), (COMPUTE_COST, "y"), (COMPUTE_COST, "w"),
                                             (GRADIENT_DESCENT, "w_in")])
def test_modified_input_fails_the_case(question: FunctionQuestion, param: str) -> None:
    calls = correct_calls(question)
    case = cases_of(question)[0]
    index = question.params.index(param)
    after = list(case.args)
    after[index] = np.asarray(after[index]) + 1.0
    calls[case.id] = Call("returned", wired(SOLUTIONS[question.id](*case.args)), None,
                          tuple(wired(a) for a in after))
    result = judge(question, calls)
    first = result.cases[0]
    assert not first.passed and first.credit == 0.0
    assert first.message.startswith(f"{question.function} modified its input {param}: work on a copy")
    assert result.score == pytest.approx(question.points * 4 / 5)


def test_missing_args_after_counts_as_modified() -> None:
    calls = correct_calls(COMPUTE_COST)
    case = cases_of(COMPUTE_COST)[0]
    calls[case.id] = Call("returned", wired(cost(*case.args)), None, ())
    assert "modified its input X, y, w" in judge(COMPUTE_COST, calls).cases[0].message


def test_mutating_descent_matches_its_misconception() -> None:
    def mutates(case: Case) -> Call:
        w, b, history = descent(*case.args)
        after = list(case.args)
        after[2] = w  # `w = w_in` then `w -= ...`: the caller's array ends at the final w
        return Call("returned", wired((w, b, history)), None, tuple(wired(a) for a in after))

    ref = reference(GRADIENT_DESCENT, {"mutates_w_in": mutates})
    calls = {c.id: mutates(c) for c in cases_of(GRADIENT_DESCENT)}
    result = judge(GRADIENT_DESCENT, calls, ref)
    assert result.misconceptions == ("mutates_w_in",) and result.score == 0.0
    # the zero-init public case starts from zeros; the mutated w_in still differs from them
    assert all(c.misconception == "mutates_w_in" for c in result.cases)


def test_wrong_history_length() -> None:
    calls = correct_calls(GRADIENT_DESCENT)
    case = cases_of(GRADIENT_DESCENT)[0]
    w, b, history = descent(*case.args)
    calls[case.id] = returned((w, b, history[:-1]), case.args)
    message = judge(GRADIENT_DESCENT, calls).cases[0].message
    assert "J_history has 4 entries but should have 5" in message


def test_malformed_call_fails_closed() -> None:
    calls = correct_calls(COMPUTE_COST)
    calls["public-2 (zero init)"] = Call("malformed")
    result = judge(COMPUTE_COST, calls)
    assert result.score == pytest.approx(1.6)
    assert "could not be read back" in result.cases[1].message


def _upstream(score: float) -> dict[str, QuestionResult]:
    return {"compute_cost": QuestionResult("compute_cost", "compute_cost", score, 2.0, Outcome.PARTIAL, ""),
            "compute_gradient": QuestionResult("compute_gradient", "compute_gradient", 3.0, 3.0,
                                               Outcome.PASSED, "")}


def test_a_failing_function_names_the_failing_functions_it_calls_first() -> None:
    note = ("`gradient_descent` builds on your `compute_cost`, which does not pass its checks yet: "
            "fix it first, then check this one again.")
    calls = {c.id: Call("raised", None, ErrorInfo("NameError", "x")) for c in cases_of(GRADIENT_DESCENT)}
    failing = judge(GRADIENT_DESCENT, calls, upstream=_upstream(0.0))
    assert failing.feedback.startswith(note) and failing.fix_first == ("compute_cost",)
    assert "builds on" not in judge(GRADIENT_DESCENT, calls, upstream=_upstream(2.0)).feedback
    # a function that passes needs no note, even when a callee is imperfect
    passing = judge(GRADIENT_DESCENT, correct_calls(GRADIENT_DESCENT), upstream=_upstream(1.0))
    assert "builds on" not in passing.feedback and passing.fix_first == ()
    both_weak = {**_upstream(0.0), "compute_gradient": dataclasses.replace(_upstream(0.0)["compute_gradient"],
                                                                          score=1.0)}
    assert judge(GRADIENT_DESCENT, calls, upstream=both_weak).feedback.startswith(
        "`gradient_descent` builds on your `compute_cost` and `compute_gradient`, which do not pass their "
        "checks yet: fix them first")


def test_an_unwritten_function_is_told_to_replace_the_stub_not_to_fix_its_callees() -> None:
    calls = {c.id: Call("raised", None, ErrorInfo("NotImplementedError", "")) for c in cases_of(GRADIENT_DESCENT)}
    result = judge(GRADIENT_DESCENT, calls, upstream=_upstream(0.0))
    assert result.outcome is Outcome.MISSING and result.score == 0 and result.fix_first == ()
    assert result.feedback == ("`gradient_descent` is not written yet: replace `raise NotImplementedError()` "
                               "in its cell with your code, then run that cell.")
    calls[cases_of(GRADIENT_DESCENT)[0].id] = Call("raised", None, ErrorInfo("ValueError", "shapes"))
    assert judge(GRADIENT_DESCENT, calls).outcome is Outcome.ERROR  # a real error is reported as one


# ---------------------------------------------------------------- judge_symbolic


SYMBOLIC_REF = ValueReference(ExprText("Sum((b + w*x[i] - y[i])*x[i], (i, 1, m))/m"),
                              {"sign_flipped": ExprText("-Sum((b + w*x[i] - y[i])*x[i], (i, 1, m))/m")})


class Verdicts:
    """A stub symbolic judge: returns a fixed verdict and remembers what it was asked."""

    def __init__(self, verdict: Mapping[str, Any]) -> None:
        self.verdict, self.asked = verdict, []

    def __call__(self, question: Any, source: str) -> Mapping[str, Any]:
        self.asked.append(source)
        return self.verdict


def test_symbolic_equivalent() -> None:
    stub = Verdicts({"parsed": True, "equivalent": True})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", ExprText("w*x")), stub)
    assert stub.asked == ["w*x"]
    assert result.outcome is Outcome.PASSED and result.score == DJ_DW.points
    assert result.feedback == "Correct: equivalent to the expected expression."


def test_symbolic_parse_failure() -> None:
    stub = Verdicts({"parsed": False, "equivalent": False, "parse_error": "`foo` is not a known name"})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", ExprText("foo")), stub)
    assert result.outcome is Outcome.FAILED and result.score == 0.0
    assert result.feedback == "`foo` is not a known name"


def test_symbolic_matched_mutant_names_the_mistake() -> None:
    stub = Verdicts({"parsed": True, "equivalent": False, "mutants": ["sign_flipped"]})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", ExprText("-w")), stub)
    assert result.misconceptions == ("sign_flipped",) and result.score == 0.0
    assert result.feedback.startswith("Likely mistake: Your derivative has the wrong sign")


def test_symbolic_matched_mutant_with_credit() -> None:
    question = dataclasses.replace(DJ_DW, misconceptions=tuple(
        dataclasses.replace(m, credit=0.5) for m in DJ_DW.misconceptions))
    stub = Verdicts({"parsed": True, "equivalent": False, "mutants": ["missing_1_over_m"]})
    result = judge_symbolic(question, SYMBOLIC_REF, Lookup("found", ExprText("m*w")), stub)
    assert result.score == pytest.approx(question.points / 2) and result.outcome is Outcome.PARTIAL


def test_symbolic_not_equivalent_without_a_match() -> None:
    stub = Verdicts({"parsed": True, "equivalent": False, "mutants": [], "message": "Differs at m = 2.",
                     "checked": "m = 1, 2, 3"})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", ExprText("w")), stub)
    assert result.outcome is Outcome.FAILED and result.misconceptions == ()
    assert result.feedback == "Differs at m = 2. (Checked at random values of the symbols, for m = 1, 2, 3.)"


def test_symbolic_note_names_the_sizes_the_verdict_was_checked_at() -> None:
    """The sizes come from the verdict (the declared Symbols), never from the judge's own text."""
    stub = Verdicts({"parsed": True, "equivalent": False, "mutants": [], "message": "Differs.",
                     "checked": "n = 2, 5"})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", ExprText("w")), stub)
    assert result.feedback == "Differs. (Checked at random values of the symbols, for n = 2, 5.)"
    bare = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", ExprText("w")),
                          Verdicts({"parsed": True, "equivalent": False, "mutants": [], "message": "Differs."}))
    assert bare.feedback == "Differs. (Checked at random values of the symbols.)"


def test_symbolic_text_gets_the_quote_hint_and_is_never_judged() -> None:
    stub = Verdicts({"parsed": True, "equivalent": True})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", Text("w*x")), stub)
    assert stub.asked == [] and result.score == 0.0
    assert "should be a sympy expression; it is a string (remove the quotes" in result.feedback


@pytest.mark.parametrize("number, source", [(Scalar(0, "int"), "0"), (Scalar(-3, "numpy.int64"), "-3"),
                                            (Scalar(0.5, "float"), "0.5")])
def test_plain_number_is_accepted_as_expression_text(number: Scalar, source: str) -> None:
    stub = Verdicts({"parsed": True, "equivalent": True})
    assert judge_symbolic(DJ_DW, SYMBOLIC_REF, Lookup("found", number), stub).outcome is Outcome.PASSED
    assert stub.asked == [source]


@pytest.mark.parametrize("lookup, outcome, fragment", [
    (Lookup("found", Scalar(True, "bool")), Outcome.FAILED, "it is a bool."),
    (Lookup("missing"), Outcome.MISSING, "`dJ_dw` is not defined"),
    (Lookup("absent"), Outcome.TIMEOUT, "Not checked"),
    (Lookup("malformed"), Outcome.FAILED, "could not be read back"),
], ids=["bool", "missing", "absent", "malformed"])
def test_symbolic_unusable_answers(lookup: Lookup, outcome: Outcome, fragment: str) -> None:
    stub = Verdicts({"parsed": True, "equivalent": True})
    result = judge_symbolic(DJ_DW, SYMBOLIC_REF, lookup, stub)
    assert stub.asked == [] and result.score == 0.0 and result.outcome is outcome
    assert fragment in result.feedback


# ---------------------------------------------------------------- judge_choice


CHOICE_REF = ValueReference(Text("B"), {"gradient_zero_at_zero": Text("A"),
                                        "symmetry_in_single_neuron": Text("C")})


@pytest.mark.parametrize("answer", ["B", "b", " b ", "B)", "B.", "b).", "\tB\n"])
def test_choice_correct_letter(answer: str) -> None:
    result = judge_choice(ANSWER_ZERO_INIT, CHOICE_REF, Lookup("found", Text(answer)))
    assert result.outcome is Outcome.PASSED and result.score == 1.0 and result.feedback == "Correct."


@pytest.mark.parametrize("answer, misconception", [("A", "gradient_zero_at_zero"), ("c)", "symmetry_in_single_neuron")])
def test_choice_wrong_letter_with_a_misconception(answer: str, misconception: str) -> None:
    result = judge_choice(ANSWER_ZERO_INIT, CHOICE_REF, Lookup("found", Text(answer)))
    assert result.score == 0.0 and result.misconceptions == (misconception,)
    assert result.feedback.startswith("Likely mistake: ")


def test_choice_wrong_letter_without_a_misconception() -> None:
    result = judge_choice(ANSWER_ZERO_INIT, CHOICE_REF, Lookup("found", Text("D")))  # no mutant for D here
    assert result.score == 0.0 and result.misconceptions == ()
    assert result.feedback == ANSWER_ZERO_INIT.wrong_feedback  # the declaration's words
    generic = dataclasses.replace(ANSWER_ZERO_INIT, wrong_feedback=ChoiceQuestion("q", "q", 1, "q", {}).wrong_feedback)
    text = judge_choice(generic, CHOICE_REF, Lookup("found", Text("D"))).feedback
    assert text.startswith("Not the best answer") and "Part" not in text


@pytest.mark.parametrize("value", [Text("E"), Text("AB"), Text(""), Text("option B"), Scalar(2, "int"),
                                   ExprText("B"), Scalar(True, "bool")],
                         ids=["E", "AB", "empty", "sentence", "int", "expr", "bool"])
def test_choice_not_a_letter(value: codec.Value) -> None:
    result = judge_choice(ANSWER_ZERO_INIT, CHOICE_REF, Lookup("found", value))
    assert result.score == 0.0 and result.outcome is Outcome.FAILED
    assert result.feedback == '`answer_zero_init` must be one of "A", "B", "C", "D" (a string).'


def test_choice_not_defined_or_not_reached() -> None:
    assert judge_choice(ANSWER_ZERO_INIT, CHOICE_REF, Lookup("missing")).outcome is Outcome.MISSING
    assert judge_choice(ANSWER_ZERO_INIT, CHOICE_REF, Lookup("absent")).outcome is Outcome.TIMEOUT


def test_normalise_choice() -> None:
    assert normalise_choice(Text(" c. ")) == "C"
    assert normalise_choice(Text("B))")) == "B"
    assert normalise_choice(Scalar(1, "int")) is None and normalise_choice(None) is None


# ---------------------------------------------------------------- judge_manual


RELEASE = "YOUR ANSWER HERE"


@pytest.mark.parametrize("answer, answered", [
    ("Zero is fine because the cost is convex.", True),
    ("  Zero is fine.\n", True),
    (RELEASE, False),
    ("\n  YOUR ANSWER HERE  \n", False),
    ("", False),
    ("   \n", False),
])
def test_manual_answer(answer: str, answered: bool) -> None:
    result = judge_manual(EXPLAIN_ZERO_INIT, answer, RELEASE)
    assert result.manual and result.outcome is Outcome.MANUAL
    assert result.score == 0.0 and result.max_score == EXPLAIN_ZERO_INIT.points
    if answered:
        assert result.feedback == "Graded by your instructor."
        assert result.answer_text == answer.strip()
    else:
        assert result.feedback.startswith("Not answered yet") and result.answer_text == ""


# ---------------------------------------------------------------- 0/1 labels: booleans or numbers


PREDICT = FunctionQuestion(
    id="predict", title="predict", points=2, function="predict", params=("z",), returns=("labels",),
    public_cases=(Case("public-1", (np.array([-2.0, -0.2, 0.3, 1.5]),)),), hidden_cases=lambda rng: (),
    misconceptions=(Misconception("inverted", "Your labels are the wrong way round.", ()),))
PREDICT_CASES = PREDICT.public_cases


def _labels(z: np.ndarray) -> np.ndarray:
    return (z >= 0).astype(int)  # the reference returns int 0/1


def _predict_reference() -> FunctionReference:
    case = PREDICT_CASES[0]
    inverted = returned((case.args[0] < 0).astype(float), case.args)
    return FunctionReference({case.id: returned(_labels(*case.args), case.args)}, {"inverted": {case.id: inverted}})


@pytest.mark.parametrize("convert", [lambda a: a.astype(bool), lambda a: a.astype(float), lambda a: a],
                         ids=["bool", "float", "int"])
def test_labels_as_booleans_or_numbers_all_pass(convert: Callable[[np.ndarray], np.ndarray]) -> None:
    case = PREDICT_CASES[0]
    calls = {case.id: returned(convert(_labels(*case.args)), case.args)}
    result = judge_function(PREDICT, PREDICT_CASES, _predict_reference(), calls, {})
    assert result.outcome is Outcome.PASSED, result.feedback


def test_boolean_labels_with_a_catalogued_mistake_are_named() -> None:
    case = PREDICT_CASES[0]
    calls = {case.id: returned(case.args[0] < 0, case.args)}  # booleans; the mutant returned floats
    result = judge_function(PREDICT, PREDICT_CASES, _predict_reference(), calls, {})
    assert result.misconceptions == ("inverted",)


def test_probabilities_are_not_labels() -> None:
    case = PREDICT_CASES[0]
    calls = {case.id: returned(1 / (1 + np.exp(-case.args[0])), case.args)}
    result = judge_function(PREDICT, PREDICT_CASES, _predict_reference(), calls, {})
    assert result.outcome is Outcome.FAILED and "labels is wrong" in result.feedback
    boolean_reference = FunctionReference({case.id: returned(_labels(*case.args).astype(bool), case.args)}, {})
    question = dataclasses.replace(PREDICT, misconceptions=())
    result = judge_function(question, PREDICT_CASES, boolean_reference, calls, {})
    assert "should hold booleans (True/False) or the numbers 0 and 1" in result.feedback
