"""Symmetry breaking (WORK IN PROGRESS, issue 8): the one declaration of its graded items.

Points, public and hidden cases, tolerances and the misconception catalogue live here and drive
the student self-check, the nbgrader test cells and the batch grader. Each misconception is an
edit of the solution cell with the same id in ``solutions/symmetry_breaking.ipynb``.

Still to do: the experiments, the two multiple-choice questions and the manual explanation, the
remaining misconceptions of the issue's list, samples and correct forms (see wip/README.md).
"""

from __future__ import annotations

import numpy as np

from source_lib.judge.codec import Generator
from source_lib.judge.properties import AllEqual, DiffersFromCase, DistinctRows, SameAsCase, SameLayout, Scale
from source_lib.judge.spec import (
    STANDARD_FUNCTIONS,
    Assignment,
    Case,
    FunctionQuestion,
    Misconception,
    SymbolicQuestion,
    Symbols,
)

# ---------------------------------------------------------------- part 1: sympy, one example

_DL_DW1 = "dL_dw1 = sp.diff(L, w1)"
_ZERO = "zero = {w1: 0, w2: 0, c1: 0, c2: 0, v1: 0, v2: 0, b: 0}"

DL_DW1 = SymbolicQuestion(
    id="dL_dw1", title="Derivative of L with respect to w1", points=2, variable="dL_dw1",
    misconceptions=(
        Misconception("tanh_derivative_dropped", "The chain rule goes through tanh too: the derivative "
                      "of tanh(u) is not 1. Multiply by tanh's own derivative at w1 x + c1.",
                      ((_DL_DW1, "dL_dw1 = (yhat - y) * v1 * x"),)),
        Misconception("v1_dropped", "The path from w1 to the loss passes through the output weight v1: "
                      "the chain rule multiplies by it.",
                      ((_DL_DW1, "dL_dw1 = (yhat - y) * (1 - h1**2) * x"),)),
        Misconception("sign_flipped", "Your derivative has the wrong sign: keep the minus in front of the "
                      "log terms of L.", ((_DL_DW1, "dL_dw1 = -sp.diff(L, w1)"),)),
    ),
)

DL_DV1 = SymbolicQuestion(
    id="dL_dv1", title="Derivative of L with respect to v1", points=1, variable="dL_dv1",
    misconceptions=(
        Misconception("sign_flipped", "Your derivative has the wrong sign: keep the minus in front of the "
                      "log terms of L.", (("dL_dv1 = sp.diff(L, v1)", "dL_dv1 = -sp.diff(L, v1)"),)),
    ),
)

DL_DB = SymbolicQuestion(
    id="dL_db", title="Derivative of L with respect to b", points=1, variable="dL_db",
    misconceptions=(
        Misconception("sign_flipped", "Your derivative has the wrong sign: keep the minus in front of the "
                      "log terms of L.", (("dL_db = sp.diff(L, b)", "dL_db = -sp.diff(L, b)"),)),
    ),
)

DL_DW1_AT_ZERO = SymbolicQuestion(
    id="dL_dw1_at_zero", title="dL/dw1 with every parameter at 0", points=1, variable="dL_dw1_at_zero",
    uses=("dL_dw1",),
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: set every parameter to 0.",
                      (("sp.simplify(dL_dw1.subs(zero))", "dL_dw1"),)),
    ),
)

DL_DV1_AT_ZERO = SymbolicQuestion(
    id="dL_dv1_at_zero", title="dL/dv1 with every parameter at 0", points=1, variable="dL_dv1_at_zero",
    uses=("dL_dv1",),
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: set every parameter to 0.",
                      (("sp.simplify(dL_dv1.subs(zero))", "dL_dv1"),)),
    ),
)

DL_DB_AT_ZERO = SymbolicQuestion(
    id="dL_db_at_zero", title="dL/db with every parameter at 0", points=1, variable="dL_db_at_zero",
    uses=("dL_db",),
    misconceptions=(
        Misconception("everything_zero", "Not every gradient vanishes at zero: the output bias sees the "
                      "prediction sigma(0) against the label. Substitute and see what is left.",
                      (("sp.simplify(dL_db.subs(zero))", "sp.Integer(0)"),)),
    ),
)

SYMMETRY_GAP = SymbolicQuestion(
    id="symmetry_gap", title="dL/dw1 - dL/dw2 when the two units start alike", points=2,
    variable="symmetry_gap", uses=("dL_dw1",),
    misconceptions=(
        Misconception("not_substituted", "Set the second unit's parameters equal to the first's "
                      "(w2 = w1, c2 = c1, v2 = v1) before you compare the two derivatives.",
                      (("(dL_dw1 - dL_dw2).subs({w2: w1, c2: c1, v2: v1})", "dL_dw1 - dL_dw2"),)),
    ),
)

# ---------------------------------------------------------------- part 2: the network in NumPy

_RANDOM = (SameLayout(), DistinctRows("W1"), AllEqual("b1"), AllEqual("b2"))


def _init_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    """Exact starts compared by value; random starts by their properties, on large layers so the
    empirical scale is close to the asked one, with two generators of one seed and one of another."""
    n_x, n_h = int(rng.integers(150, 250)), int(rng.integers(30, 60))
    seed, other = (int(s) for s in rng.integers(0, 2**31, size=2))
    cases = [Case("hidden-zeros", (3, 5, "zeros", Generator(seed)), hidden=True),
             Case("hidden-constant", (4, 3, "constant", Generator(seed)), hidden=True)]
    for method, w1_scale in (("random", 0.01), ("he", float(np.sqrt(2.0 / n_x)))):
        first = f"hidden-{method}-1"
        cases += [
            Case(first, (n_x, n_h, method, Generator(seed)), True, (*_RANDOM, Scale("W1", w1_scale))),
            Case(f"hidden-{method}-2", (n_x, n_h, method, Generator(seed)), True,
                 (*_RANDOM, Scale("W1", w1_scale), SameAsCase(case=first))),
            Case(f"hidden-{method}-3", (n_x, n_h, method, Generator(other)), True,
                 (*_RANDOM, Scale("W1", w1_scale), DiffersFromCase(case=first))),
        ]
    return tuple(cases)


_INIT_RANDOM = '        W1, W2 = 0.01 * rng.standard_normal((n_h, n_x)), 0.01 * rng.standard_normal(n_h)'

INITIALIZE_PARAMETERS = FunctionQuestion(
    id="initialize_parameters", title="initialize_parameters", points=3, function="initialize_parameters",
    params=("n_x", "n_h", "method", "rng"), returns=("params",),
    public_cases=(
        Case("public-1 (zeros)", (2, 3, "zeros", Generator(1))),
        Case("public-2 (constant)", (2, 3, "constant", Generator(1))),
        Case("public-3 (random)", (40, 30, "random", Generator(1)), properties=(*_RANDOM, Scale("W1", 0.01, 0.3))),
    ),
    hidden_cases=_init_cases,
    misconceptions=(
        Misconception("zeros_for_random", "Your random start is all zeros: every hidden unit starts the "
                      "same, so they get the same gradients and stay the same. Draw the weights from rng.",
                      ((_INIT_RANDOM, "        W1, W2 = np.zeros((n_h, n_x)), np.zeros(n_h)"),)),
        Misconception("tiled_row", "Every hidden unit starts with the same random row: the units are "
                      "still symmetric. Draw a separate row for each unit.",
                      ((_INIT_RANDOM, "        W1 = np.tile(0.01 * rng.standard_normal(n_x), (n_h, 1))\n"
                                      "        W2 = 0.01 * rng.standard_normal(n_h)"),)),
        Misconception("global_random", "You drew from np.random, not from the rng you were given: the "
                      "same seed must give the same parameters, another seed others.",
                      ((_INIT_RANDOM, "        W1, W2 = 0.01 * np.random.standard_normal((n_h, n_x)), "
                                      "0.01 * np.random.standard_normal(n_h)"),)),
        Misconception("transposed", "W1 has one row per hidden unit and one column per input: its shape is "
                      "(n_h, n_x).",
                      ((_INIT_RANDOM, "        W1, W2 = 0.01 * rng.standard_normal((n_x, n_h)), "
                                      "0.01 * rng.standard_normal(n_h)"),)),
        Misconception("no_scale", "Your random weights are 100 times too large: the random start multiplies "
                      "the standard normal draws by 0.01.",
                      ((_INIT_RANDOM, "        W1, W2 = rng.standard_normal((n_h, n_x)), rng.standard_normal(n_h)"),)),
    ),
)

# TODO (wip): FORWARD_PROPAGATION, COMPUTE_COST, BACKWARD_PROPAGATION, UPDATE_PARAMETERS, TRAIN,
# HIDDEN_UNIT_SPREAD with their cases and the misconceptions; part 3 experiments; part 4.

ASSIGNMENT = Assignment(
    name="symmetry_breaking",
    title="Symmetry breaking: why a hidden layer must not start at zero",
    seed=20261208,
    symbols=Symbols(reals=("x", "y", "w1", "w2", "c1", "c2", "v1", "v2", "b"),
                    functions=STANDARD_FUNCTIONS + ("tanh", "cosh")),
    questions=(DL_DW1, DL_DV1, DL_DB, DL_DW1_AT_ZERO, DL_DV1_AT_ZERO, DL_DB_AT_ZERO, SYMMETRY_GAP,
               INITIALIZE_PARAMETERS),
)
