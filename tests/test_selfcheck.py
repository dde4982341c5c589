"""The student's in-notebook check(): verdicts, named mistakes, and nbgrader's scoring rules."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import matplotlib
import nbformat
import numpy as np
import pytest
import sympy as sp

from autograder.release import _hidden_json
from source_lib import data, plots, self_check
from source_lib.selfcheck import Checker, CheckFailed, checker
from tests.fixtures.symbols import J, b, m, w


def compute_cost(X, y, w, b):  # noqa: ANN001, ANN201
    e = X @ w + b - y
    return float(e @ e) / (2 * len(y))


def compute_gradient(X, y, w, b):  # noqa: ANN001, ANN201
    e = X @ w + b - y
    return X.T @ e / len(y), float(e.mean())


def gradient_without_1_over_m(X, y, w, b):  # noqa: ANN001, ANN201
    e = X @ w + b - y
    return X.T @ e, float(e.sum())


def gradient_without_bias(X, y, w, b):  # noqa: ANN001, ANN201
    e = X @ w - y
    return X.T @ e / len(y), float(e.mean())


@pytest.fixture
def namespace() -> dict[str, Any]:
    return {"compute_cost": compute_cost, "compute_gradient": compute_gradient,
            "dJ_dw": sp.diff(J, w), "dJ_db": sp.diff(J, b), "answer_zero_init": "B"}


@pytest.fixture
def check(namespace: dict[str, Any]) -> Checker:
    """The check as nbgrader's autograde and validate run it (NBGRADER_EXECUTION set)."""
    found = checker("linear_regression")
    found.namespace = lambda: namespace
    found.strict = lambda: True
    return found


@pytest.fixture
def student_check(namespace: dict[str, Any]) -> Checker:
    """The check as it runs in the student's own notebook."""
    found = checker("linear_regression")
    found.namespace = lambda: namespace
    found.strict = lambda: False
    return found


@pytest.fixture(scope="module")
def hidden_blocks(solution_text: str) -> dict[str, str]:
    """The hidden-test data of each question, as nbgrader's autograder restores it."""
    blocks = {}
    for cell in nbformat.reads(solution_text, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and "add_hidden" in cell.source:
            name, payload = _hidden_json(cell.source)
            blocks[json.loads(name.split("(")[1])] = json.dumps(payload)
    return blocks


def test_correct_answers_pass_quietly(check: Checker, capsys: pytest.CaptureFixture[str]) -> None:
    for question in ("compute_cost", "compute_gradient", "dJ_dw", "dJ_db", "answer_zero_init"):
        assert check(question) is None
    out = capsys.readouterr().out
    assert out.count("\u2714") == 4 and "\u2718" not in out
    assert "hidden cases" in out  # students are told hidden cases exist, not what they are
    # a choice is only recorded: no pass mark that would tell the answer
    assert "\u2022 answer_zero_init: Answer B recorded; it is graded after you submit" in out


def test_a_named_mistake_is_reported_without_a_traceback(check: Checker, namespace: dict[str, Any],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    namespace["compute_gradient"] = gradient_without_1_over_m
    with pytest.raises(CheckFailed) as failed:
        check("compute_gradient")
    out = capsys.readouterr().out
    assert "did you forget 1/m?" in out and "\u2718" in out
    assert failed.value._render_traceback_() == [str(failed.value)]


def test_symbolic_check_names_the_mistake_but_never_shows_the_formula(check: Checker, namespace: dict[str, Any],
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    namespace["dJ_dw"] = sp.diff(J, w) * m
    with pytest.raises(CheckFailed):
        check("dJ_dw")
    out = capsys.readouterr().out
    assert "m times too large" in out
    assert "Sum" not in out and "x[i]" not in out


def test_an_uncatalogued_symbolic_mistake_gets_the_declarations_advice(
        check: Checker, namespace: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """Twice dJ/dw is no catalogued misconception: the generic statement, the declaration's hint
    (shipped in the public data) and the sizes the comparison used."""
    namespace["dJ_dw"] = 2 * sp.diff(J, w)
    with pytest.raises(CheckFailed):
        check("dJ_dw")
    out = " ".join(capsys.readouterr().out.split())
    assert ("Your expression is twice the correct one: the 2 from differentiating the square cancels the 2 in "
            "1/(2m). (Checked at random values of the symbols, for m = 1, 2, 3.)") in out


def test_the_public_data_carries_the_declarations_wording() -> None:
    from autograder.declarations import load
    from source_lib.judge import checkdata

    declared = load("linear_regression")
    public = json.loads((Path(__file__).resolve().parent.parent / "source_lib" / "public"
                         / "linear_regression.json").read_text(encoding="utf-8"))
    assert checkdata.symbols_from_json(public["symbols"]) == declared.symbols
    for question in declared.auto_questions:
        rebuilt = checkdata.question_from_json(question.id, public["questions"][question.id])
        assert getattr(rebuilt, "hints", None) == getattr(question, "hints", None)
        assert getattr(rebuilt, "wrong_feedback", None) == getattr(question, "wrong_feedback", None)


@pytest.mark.parametrize("name, value, message", [
    ("dJ_dw", None, "not defined"),
    ("dJ_dw", "Sum(x[i], (i, 1, m))", "remove the quotes"),
    ("answer_zero_init", "E", 'must be one of "A", "B", "C", "D"'),
    ("compute_cost", None, "not defined"),
])
def test_missing_or_malformed_answers_say_what_to_fix(check: Checker, namespace: dict[str, Any], name: str,
                                                      value: Any, message: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    if value is None:
        namespace.pop(name)
    else:
        namespace[name] = value
    with pytest.raises(CheckFailed):
        check(name)
    assert message in capsys.readouterr().out


def test_public_check_of_a_choice_does_not_reveal_the_answer(check: Checker, namespace: dict[str, Any],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    namespace["answer_zero_init"] = "A"  # wrong, but the public check cannot know
    assert check("answer_zero_init") is None
    assert "recorded" in capsys.readouterr().out


def test_with_hidden_cases_partial_credit_is_returned_for_nbgrader(check: Checker, namespace: dict[str, Any],
                                                                   hidden_blocks: dict[str, str]) -> None:
    check.add_hidden("compute_gradient", hidden_blocks["compute_gradient"])
    assert check("compute_gradient") is None  # full marks: nbgrader awards all points
    namespace["compute_gradient"] = gradient_without_bias  # right only on the zero-init case
    assert check("compute_gradient") == pytest.approx(3 / 5)
    namespace["compute_gradient"] = gradient_without_1_over_m
    with pytest.raises(CheckFailed, match="0 of 3 points"):
        check("compute_gradient")


def test_with_hidden_data_a_wrong_choice_is_named(check: Checker, namespace: dict[str, Any],
                                                  hidden_blocks: dict[str, str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    check.add_hidden("answer_zero_init", hidden_blocks["answer_zero_init"])
    assert check("answer_zero_init") is None
    namespace["answer_zero_init"] = "C"
    with pytest.raises(CheckFailed):
        check("answer_zero_init")
    assert "hidden units" in capsys.readouterr().out


def test_unknown_question_and_missing_data_fail_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(CheckFailed, match="no question"):
        self_check("linear_regression")("no_such_question")
    with pytest.raises(CheckFailed, match="ask your instructor"):
        self_check("no_such_assignment")("anything")


def test_student_inputs_are_copies(check: Checker, namespace: dict[str, Any]) -> None:
    seen = []

    def mutating_cost(X, y, w, b):  # noqa: ANN001, ANN202
        w += 1.0
        seen.append(w)
        return compute_cost(X, y, w - 1.0, b)

    namespace["compute_cost"] = mutating_cost
    with pytest.raises(CheckFailed):
        check("compute_cost")  # modifying w is reported, and the public data is untouched
    assert check.data["questions"]["compute_cost"]["cases"][0]["args"][2]["t"] == "array"
    assert len(seen) == 2


# ---------------------------------------------------------------- in the student's notebook


def test_in_the_students_notebook_a_failed_check_prints_and_never_raises(
        student_check: Checker, namespace: dict[str, Any], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    namespace["compute_gradient"] = gradient_without_1_over_m
    namespace.pop("compute_cost")
    assert student_check("compute_gradient") is None
    assert student_check("compute_cost") is None
    assert student_check("no_such_question") is None
    out = capsys.readouterr().out
    assert "did you forget 1/m?" in out and "not defined" in out and "no question 'no_such_question'" in out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # nbgrader keeps its semantics
    with pytest.raises(CheckFailed):
        checker("linear_regression")("no_such_question")


def test_the_grader_sandbox_silences_the_self_check(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import source_lib

    monkeypatch.setenv(source_lib.GRADER_SANDBOX_VARIABLE, "1")
    check = self_check("linear_regression")
    assert check("no_such_question") is None and check.all() is None
    assert capsys.readouterr().out == "" and check._checker is None  # the judge never even loaded


def test_check_all_prints_one_row_per_question(student_check: Checker, namespace: dict[str, Any],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    namespace["compute_gradient"] = gradient_without_1_over_m
    namespace.pop("compute_cost")
    student_check.all()
    lines = capsys.readouterr().out.splitlines()
    questions = student_check.data["order"]
    assert questions[0] == "dJ_dw" and questions[-1] == "answer_zero_init"  # the notebook's order
    rows = [line for line in lines[1:-1] if line.lstrip()[:1] in ("\u2714", "\u2718", "\u2022")]
    by_id = {line.split()[1]: line for line in rows}
    assert list(by_id) == questions
    assert all(len(line) <= 120 for line in lines[1:-1])  # long verdicts wrap, none is cut
    assert "".join(lines).count("\u2026") == 0
    assert by_id["dJ_dw"].lstrip().startswith("\u2714")
    assert by_id["compute_gradient"].lstrip().startswith("\u2718") and "1/m" in by_id["compute_gradient"]
    assert "not answered yet" in by_id["compute_cost"]
    assert by_id["answer_zero_init"].lstrip().startswith("\u2022")
    assert "2 of 7 checked answers pass" in lines[-1]  # dJ_dw and dJ_db; at-zero answers are missing


def test_a_function_that_fails_because_of_its_callee_names_the_callee(
        student_check: Checker, namespace: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    def gradient_descent(X, y, w_in, b_in, alpha, num_iters):  # noqa: ANN001, ANN202
        compute = namespace["compute_gradient"]
        w, b, history = w_in.copy(), b_in, []
        for _ in range(num_iters):
            dj_dw, dj_db = compute(X, y, w, b)
            w, b = w - alpha * dj_dw, b - alpha * dj_db
            history.append(namespace["compute_cost"](X, y, w, b))
        return w, b, history

    namespace["gradient_descent"] = gradient_descent
    student_check("gradient_descent")
    assert "\u2714 gradient_descent" in capsys.readouterr().out  # correct callees: no note
    namespace["compute_gradient"] = gradient_without_1_over_m
    student_check("gradient_descent")
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("\u2718 gradient_descent: `gradient_descent` builds on your `compute_gradient`")
    assert "fix it first" in first


def test_an_answer_derived_from_a_wrong_earlier_answer_names_the_earlier_one(
        student_check: Checker, namespace: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    wrong = -sp.diff(J, w)
    namespace["dJ_dw"] = wrong
    namespace["dJ_dw_at_zero"] = wrong.subs({w: 0, b: 0})
    student_check("dJ_dw_at_zero")
    out = capsys.readouterr().out
    assert "builds on your `dJ_dw`, which does not pass its checks yet: fix it first" in out
    namespace["dJ_dw"] = sp.diff(J, w)
    namespace["dJ_dw_at_zero"] = sp.diff(J, w).subs({w: 0, b: 0})
    student_check("dJ_dw_at_zero")
    assert "\u2714 dJ_dw_at_zero" in capsys.readouterr().out


def test_a_misspelt_name_is_pointed_out(student_check: Checker, namespace: dict[str, Any],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    namespace["compute_grad"] = namespace.pop("compute_gradient")
    student_check("compute_gradient")
    assert "You defined `compute_grad`: is it a typo? The name must be exactly `compute_gradient`." in (
        capsys.readouterr().out)


@pytest.mark.parametrize("value", [2.5, 0.5, sp.Rational(3, 4)])
def test_a_number_where_an_expression_is_expected_is_told_so(student_check: Checker, namespace: dict[str, Any],
                                                             value: Any, capsys: pytest.CaptureFixture[str]) -> None:
    namespace["dJ_dw"] = value
    student_check("dJ_dw")
    assert "`dJ_dw` is a number, not an expression" in capsys.readouterr().out


def test_plots_render_headless() -> None:
    assert matplotlib.get_backend().lower() == "agg"
    history = [1.0 / k for k in range(1, 50)]
    figure = plots.convergence({"zeros": history, "random": history[::-1]}, minimum=0.01, title="t")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG") and len(buffer.getvalue()) > 5000


def test_data_helpers_give_the_minimum_norm_solution() -> None:
    rng = np.random.default_rng(1)
    X, y_ = data.make_rank_deficient(30, rng)
    assert np.linalg.matrix_rank(X) == 2
    w_mn, b_mn = data.least_squares(X, y_)
    shifted = (w_mn + np.array([1.0, 1.0, -1.0]), b_mn)  # a null-space direction: same fit
    assert np.allclose(X @ shifted[0] + shifted[1], X @ w_mn + b_mn)
    assert data.norm((w_mn, b_mn)) < data.norm(shifted)
    assert data.steps_to_reach([3.0, 2.0, 1.0], 2.5) == 2 and data.steps_to_reach([3.0], 1.0) is None
