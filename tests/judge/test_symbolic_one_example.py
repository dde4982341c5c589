"""Sympy answers about one example (no size, index or data): the two-hidden-unit network's loss.

The notebook of symmetry_breaking declares real symbols only; answers are compared at random
points of those symbols, with tanh and every spelling of the sigmoid accepted.
"""

from __future__ import annotations

import pytest
import sympy as sp

from source_lib.errors import AssignmentError
from source_lib.judge.spec import STANDARD_FUNCTIONS, Assignment, Symbols
from source_lib.judge.symbolic import checked_at, judge_answer, sample_points
from source_lib.judge.symparse import ParseFailure, parse

SYMBOLS = Symbols(reals=("x", "y", "w1", "w2", "c1", "c2", "v1", "v2", "b"),
                  functions=STANDARD_FUNCTIONS + ("tanh", "cosh", "sech"))
x, y, w1, w2, c1, c2, v1, v2, b = sp.symbols("x y w1 w2 c1 c2 v1 v2 b", real=True)
h1, h2 = sp.tanh(w1 * x + c1), sp.tanh(w2 * x + c2)
yhat = 1 / (1 + sp.exp(-(v1 * h1 + v2 * h2 + b)))
L = -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat))
REFERENCE = sp.sstr(sp.diff(L, w1))


def verdict(student: str) -> dict:
    return judge_answer(student, REFERENCE, {"no_tanh_derivative": sp.sstr((yhat - y) * v1 * x)}, SYMBOLS, 7, 4)


@pytest.mark.parametrize("student", [
    REFERENCE,
    "(1/(1 + exp(-(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b))) - y) * v1 * (1 - tanh(w1*x + c1)**2) * x",
    "(1/(1 + exp(-(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b))) - y) * v1 * x / cosh(w1*x + c1)**2",
    "(exp(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b)/(1 + exp(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b))"
    " - y) * v1 * (1 - tanh(w1*x + c1)**2) * x",
    "(1/(1 + exp(-(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b))) - y) * v1 * x * sech(w1*x + c1)**2",
], ids=["diff", "1 - tanh**2", "sech**2 as 1/cosh**2", "exp(z)/(1 + exp(z))", "sech**2"])
def test_equivalent_forms_are_accepted(student: str) -> None:
    assert verdict(student)["equivalent"], verdict(student)


def test_sech_without_its_square_is_not_equivalent() -> None:
    assert not verdict("(1/(1 + exp(-(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b))) - y) * v1 * x"
                       " * sech(w1*x + c1)")["equivalent"]


def test_a_catalogued_mistake_is_named_and_no_size_is_mentioned() -> None:
    wrong = verdict("(1/(1 + exp(-(v1*tanh(w1*x + c1) + v2*tanh(w2*x + c2) + b))) - y) * v1 * x")
    assert not wrong["equivalent"] and wrong["mutants"] == ["no_tanh_derivative"]
    points = sample_points(SYMBOLS, 4, 7)
    assert {p.size for p in points} == {1} and len(points) == 4 and checked_at(SYMBOLS, points) == ""


def test_a_sum_or_data_is_refused_where_there_is_one_example() -> None:
    refused = parse("Sum(x, (i, 1, 3))", SYMBOLS)
    assert isinstance(refused, ParseFailure) and "one example" in refused.message
    assert isinstance(parse("m * x", SYMBOLS), sp.Expr)  # an unknown name is parsed, then named when judged
    assert verdict("m * x")["equivalent"] is False


def test_data_without_a_size_and_index_is_refused_in_the_declaration() -> None:
    broken = Assignment("a", "A", 1, Symbols(reals=("w",), indexed=("x",)), ())
    with pytest.raises(AssignmentError, match="need a size and an index"):
        broken.check()
