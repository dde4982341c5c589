"""Questions that forbid warnings: a call that returns the right values but warns fails its case."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pytest

from source_lib.export import MAX_WARNINGS, recorded_warnings
from source_lib.judge.calls import judge_case
from source_lib.judge.decode import Call
from source_lib.judge.reference import FunctionReference
from source_lib.judge.spec import Case, FunctionQuestion, Misconception
from source_lib.selfcheck import call_student

PUBLIC = Case("public-1", (np.array([-1000.0, -2.0, 0.0, 3.0]),))
HIDDEN = Case("hidden-1", (np.array([-900.0, 1.0]),), hidden=True)


def stable(z: Any) -> Any:
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def naive(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-z))


def shifted(z: Any) -> Any:
    return stable(z) + 0.25


QUESTION = FunctionQuestion(
    id="sigmoid", title="sigmoid", points=2, function="sigmoid", params=("z",), returns=("s",),
    public_cases=(PUBLIC,), hidden_cases=lambda rng: (HIDDEN,), atol=0.0, forbid_warnings=True,
    misconceptions=(Misconception("shifted", "Shifted by a quarter.", ()),
                    Misconception("overflow_warning", "Your sigmoid overflows.", ())))


def reference(case: Case, solution: Any = stable) -> FunctionReference:
    mutants = {"shifted": {case.id: call_student(shifted, case.args)},
               "overflow_warning": {case.id: call_student(naive, case.args)}}
    return FunctionReference({case.id: call_student(solution, case.args)}, mutants)


@pytest.mark.parametrize("case", [PUBLIC, HIDDEN], ids=["public", "hidden"])
def test_right_values_with_a_warning_are_named_by_the_mutant_that_warns(case: Case) -> None:
    result = judge_case(QUESTION, case, call_student(naive, case.args), reference(case))
    assert not result.passed and result.misconception == "overflow_warning"
    assert judge_case(QUESTION, case, call_student(stable, case.args), reference(case)).passed


def test_without_a_catalogued_mutant_the_warning_itself_is_the_feedback() -> None:
    bare = dataclasses.replace(QUESTION, misconceptions=())
    public = judge_case(bare, PUBLIC, call_student(naive, PUBLIC.args), reference(PUBLIC))
    hidden = judge_case(bare, HIDDEN, call_student(naive, HIDDEN.args), reference(HIDDEN))
    assert not public.passed and "RuntimeWarning: overflow encountered in exp" in public.message
    assert not hidden.passed and "(RuntimeWarning)" in hidden.message and "overflow" not in hidden.message


def test_warnings_count_only_where_the_question_forbids_them_and_the_solution_is_silent() -> None:
    allowed = dataclasses.replace(QUESTION, forbid_warnings=False, misconceptions=())
    assert judge_case(allowed, PUBLIC, call_student(naive, PUBLIC.args), reference(PUBLIC)).passed
    warns_too = reference(PUBLIC, solution=naive)
    assert judge_case(QUESTION, PUBLIC, call_student(naive, PUBLIC.args), warns_too).passed


def test_wrong_values_are_still_named_by_their_own_mistake() -> None:
    result = judge_case(QUESTION, PUBLIC, call_student(shifted, PUBLIC.args), reference(PUBLIC))
    assert result.misconception == "shifted"


def test_recorded_warnings_are_distinct_capped_and_shown_whatever_the_filters() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with recorded_warnings() as texts:
            for k in range(MAX_WARNINGS + 3):
                warnings.warn(f"number {k}", UserWarning, stacklevel=1)
                warnings.warn("number 0", UserWarning, stacklevel=1)
    assert texts == [f"UserWarning: number {k}" for k in range(MAX_WARNINGS)]
    assert call_student(stable, PUBLIC.args).warnings == ()
    assert call_student(naive, PUBLIC.args) != Call("returned")
