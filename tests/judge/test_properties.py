"""Property checks: random initialisations graded by what they must satisfy, mistakes named by what they measure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from source_lib.judge import checkdata, codec
from source_lib.judge.calls import judge_function
from source_lib.judge.codec import Generator
from source_lib.judge.decode import Call
from source_lib.judge.properties import (
    AllEqual,
    DiffersFromCase,
    DistinctRows,
    SameAsCase,
    SameLayout,
    Scale,
)
from source_lib.judge.reference import FunctionReference
from source_lib.judge.spec import Assignment, Case, FunctionQuestion, Misconception, Symbols
from source_lib.selfcheck import call_student

Init = Callable[[int, int, Any], dict[str, Any]]


def correct(n_x: int, n_h: int, rng: Any) -> dict[str, Any]:
    return {"W1": 0.01 * rng.standard_normal((n_h, n_x)), "b1": np.zeros(n_h),
            "W2": 0.01 * rng.standard_normal(n_h), "b2": 0.0}


def other_order(n_x: int, n_h: int, rng: Any) -> dict[str, Any]:
    W2 = rng.normal(0.0, 0.01, size=n_h)
    return {"b2": 0.0, "W2": W2, "W1": rng.normal(0.0, 0.01, size=(n_h, n_x)), "b1": np.zeros(n_h)}


MUTANTS: dict[str, Init] = {
    "zeros": lambda n_x, n_h, rng: {"W1": np.zeros((n_h, n_x)), "b1": np.zeros(n_h), "W2": np.zeros(n_h), "b2": 0.0},
    "tiled_row": lambda n_x, n_h, rng: {**correct(n_x, n_h, rng),
                                        "W1": np.tile(0.01 * rng.standard_normal(n_x), (n_h, 1))},
    "global_random": lambda n_x, n_h, rng: {**correct(n_x, n_h, np.random)},  # not the rng it was given
    "transposed": lambda n_x, n_h, rng: {**correct(n_x, n_h, rng), "W1": 0.01 * rng.standard_normal((n_x, n_h))},
    "no_scale": lambda n_x, n_h, rng: {**correct(n_x, n_h, rng), "W1": rng.standard_normal((n_h, n_x))},
    "random_bias": lambda n_x, n_h, rng: {**correct(n_x, n_h, rng), "b1": 0.01 * rng.standard_normal(n_h)},
}

RANDOM = (SameLayout(), DistinctRows("W1"), AllEqual("b1"))
# in-process the generators are real; a declaration writes Generator(seed), which every side rebuilds
CASES = (
    Case("public-1", (3, 4, codec.plain(Generator(1))), properties=RANDOM),
    Case("hidden-1", (300, 40, codec.plain(Generator(5))), hidden=True,
         properties=(*RANDOM, Scale("W1", 0.01))),
    # each case measures everything, so that a case tells the mistakes apart on its own
    Case("hidden-2", (300, 40, codec.plain(Generator(5))), hidden=True,
         properties=(*RANDOM, SameAsCase(case="hidden-1"))),
    Case("hidden-3", (300, 40, codec.plain(Generator(6))), hidden=True,
         properties=(*RANDOM, DiffersFromCase(case="hidden-1"))),
)
QUESTION = FunctionQuestion(
    id="init", title="init", points=3, function="init", params=("n_x", "n_h", "rng"), returns=("params",),
    public_cases=CASES[:1], hidden_cases=lambda rng: CASES[1:],
    misconceptions=tuple(Misconception(mid, f"feedback for {mid}", ()) for mid in MUTANTS))


def calls(function: Init) -> dict[str, Call]:
    return {case.id: call_student(function, case.args) for case in CASES}


REFERENCE = FunctionReference(calls(correct), {mid: calls(fn) for mid, fn in MUTANTS.items()})


@pytest.mark.parametrize("function", [correct, other_order], ids=["solution", "other order of draws"])
def test_every_correct_use_of_the_generator_passes(function: Init) -> None:
    result = judge_function(QUESTION, CASES, REFERENCE, calls(function), {})
    assert result.score == result.max_score, [c.message for c in result.cases if not c.passed]


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_each_mistake_is_named_by_what_it_measures_though_its_draws_differ(mutant: str) -> None:
    def redrawn(n_x: int, n_h: int, rng: Any) -> dict[str, Any]:
        rng.standard_normal(7)  # other draws than the mutant's: only the properties can match
        return MUTANTS[mutant](n_x, n_h, rng)

    result = judge_function(QUESTION, CASES, REFERENCE, calls(redrawn), {})
    assert result.score < result.max_score
    assert mutant in result.misconceptions, [c.message for c in result.cases]


def test_without_a_catalogue_the_failing_property_is_the_feedback_and_hidden_sizes_stay_hidden() -> None:
    bare = FunctionQuestion(**{**QUESTION.__dict__, "misconceptions": ()})
    result = judge_function(bare, CASES, FunctionReference(REFERENCE.expected, {}), calls(MUTANTS["transposed"]), {})
    public, hidden = result.cases[0], result.cases[1]
    assert "params['W1'] has shape (3, 4), expected (4, 3): its rows and columns are swapped" in public.message
    assert "hidden unit" not in public.message  # generic wording: the declaration's feedback names the model
    assert "rows and columns are swapped" in hidden.message and "300" not in hidden.message
    scaled = judge_function(bare, CASES, FunctionReference(REFERENCE.expected, {}), calls(MUTANTS["no_scale"]), {})
    assert "spread (standard deviation) of params['W1'] is" in scaled.cases[1].message
    global_draws = judge_function(bare, CASES, FunctionReference(REFERENCE.expected, {}),
                                  calls(MUTANTS["global_random"]), {})
    assert "the same for generators of different seeds" in global_draws.cases[3].message


def test_properties_travel_in_the_public_check_data() -> None:
    """A declaration's case holds a Generator(seed) marker; the self-check rebuilds the generator."""
    declared = Case("hidden-1", (300, 40, Generator(5)), hidden=True, properties=CASES[1].properties)
    entry = checkdata._cases(QUESTION, (declared,), _References())[0]
    case = checkdata.case_from_json(entry)
    assert case.properties == CASES[1].properties and case.hidden
    assert isinstance(case.args[2], np.random.Generator)
    assert case.args[2].random() == np.random.default_rng(5).random()


class _References:
    def function(self, question_id: str) -> FunctionReference:
        return REFERENCE


def test_hidden_cases_keep_their_properties_when_the_assignment_builds_them() -> None:
    assignment = Assignment("mini", "Mini", 3, Symbols(reals=("w",)), (QUESTION,))
    built = assignment.cases(QUESTION)
    assert [c.hidden for c in built] == [False, True, True, True]
    assert [c.properties for c in built[1:]] == [c.properties for c in CASES[1:]]
