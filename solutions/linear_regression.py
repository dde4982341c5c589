"""Linear regression from zero initialisation: the one declaration of its graded items.

Points, public and hidden cases, tolerances and the misconception catalogue live
here and drive the student self-check, the nbgrader test cells and the batch
grader. Each misconception is an edit of the solution cell with the same id in
``solutions/linear_regression.ipynb``; running that mutant gives the outputs a
student with the misconception would produce.
"""

from __future__ import annotations

import numpy as np

from source_lib.judge.spec import (
    Assignment,
    Case,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    Misconception,
    SymbolicQuestion,
    Symbols,
)

from .descent_mistakes import (
    DESCENT_MISCONCEPTIONS,
    GRADIENT_LINES,
    GRADIENT_MISCONCEPTIONS,
    MISSING_1_OVER_M,
    SWAPPED_RETURN,
)

# ---------------------------------------------------------------- part 1: sympy

# What to check, in this assignment's terms, after the judge's generic statement of a mistake no
# misconception names ("Your expression has the wrong sign: <hint>"); see spec.SYMBOLIC_DIAGNOSES.
_SYMBOLIC_HINTS = {
    "sign_flipped": "check the order of (prediction - y) and the chain rule.",
    "missing_1_over_m": "did you forget the 1/m in front of the sum?",
    "sign_and_missing_1_over_m": "check the sign (prediction - y) and the 1/m in front of the sum.",
    "factor_2": "the 2 from differentiating the square cancels the 2 in 1/(2m).",
    "factor_half": "did you drop the factor 2 from the chain rule (the derivative of a square)?",
}

_DJ_DW = "dJ_dw = sp.diff(J, w)"
_DJ_DB = "dJ_db = sp.diff(J, b)"

DJ_DW = SymbolicQuestion(
    id="dJ_dw", title="Derivative of J with respect to w", points=2, variable="dJ_dw", hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("missing_1_over_m", "Your derivative is m times too large: J has 1/(2m) "
                      "in front of the sum, and that factor stays when you differentiate.",
                      ((_DJ_DW, "dJ_dw = sp.diff(J, w) * m"),)),
        Misconception("dropped_chain_rule_2", "Your derivative is half the correct value: "
                      "differentiating a square brings down a factor. Check what happens to it "
                      "and to the constant in front of the sum.",
                      ((_DJ_DW, "dJ_dw = sp.diff(J, w) / 2"),)),
        Misconception("missing_inner_x", "Each term is missing the inner derivative: the chain "
                      "rule also multiplies by the derivative of the prediction with respect to w.",
                      ((_DJ_DW, "dJ_dw = sp.diff(J, b)"),)),
        Misconception("sign_flipped", "Your derivative has the wrong sign: check which way round "
                      "the difference inside the square is, and keep it that way when you differentiate.",
                      ((_DJ_DW, "dJ_dw = -sp.diff(J, w)"),)),
    ),
)

DJ_DB = SymbolicQuestion(
    id="dJ_db", title="Derivative of J with respect to b", points=1, variable="dJ_db", hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("differentiated_wrt_w", "This looks like the derivative with respect to w: "
                      "differentiate with respect to b, and redo the inner derivative for it.",
                      ((_DJ_DB, "dJ_db = sp.diff(J, w)"),)),
        Misconception("missing_1_over_m", "Your derivative is m times too large: keep the "
                      "1/(2m) of J when you differentiate.",
                      ((_DJ_DB, "dJ_db = sp.diff(J, b) * m"),)),
        Misconception("sign_flipped", "Your derivative has the wrong sign: check which way round "
                      "the difference inside the square is.",
                      ((_DJ_DB, "dJ_db = -sp.diff(J, b)"),)),
    ),
)

_AT_ZERO_W = "dJ_dw.subs({w: 0, b: 0})"
_AT_ZERO_B = "dJ_db.subs({w: 0, b: 0})"

DJ_DW_AT_ZERO = SymbolicQuestion(
    id="dJ_dw_at_zero", title="dJ/dw at w = b = 0", points=1, variable="dJ_dw_at_zero", uses=("dJ_dw",),
    hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: it should be "
                      "its value at the zero initialisation, with both parameters set.",
                      ((_AT_ZERO_W, "dJ_dw"),)),
        Misconception("only_w_substituted", "You set w = 0 but kept b: at zero initialisation "
                      "both w and b start at 0.",
                      ((_AT_ZERO_W, "dJ_dw.subs({w: 0})"),)),
        Misconception("assumed_zero", "Do not assume the gradient at zero vanishes: substitute "
                      "the zero initialisation into your derivative and see what is left.",
                      ((_AT_ZERO_W, "sp.Integer(0)"),)),
    ),
)

DJ_DB_AT_ZERO = SymbolicQuestion(
    id="dJ_db_at_zero", title="dJ/db at w = b = 0", points=1, variable="dJ_db_at_zero", uses=("dJ_db",),
    hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: it should be "
                      "its value at the zero initialisation.", ((_AT_ZERO_B, "dJ_db"),)),
        Misconception("only_w_substituted", "You set w = 0 but kept b: at zero initialisation "
                      "both w and b start at 0.",
                      ((_AT_ZERO_B, "dJ_db.subs({w: 0})"),)),
        Misconception("assumed_zero", "Do not assume the gradient at zero vanishes: substitute "
                      "the zero initialisation into your derivative and see what is left.",
                      ((_AT_ZERO_B, "sp.Integer(0)"),)),
    ),
)

# ---------------------------------------------------------------- part 2: numpy


def _data(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Random data with a nonzero bias, so swaps, transposes and b-bugs show.

    m / n is never 1/2, 1 or 2: there a factor m, n or 2 would coincide (dividing by n
    instead of m, say, would look like a factor 2).
    """
    m = int(rng.integers(5, 10))
    n = int(rng.choice([k for k in range(2, 5) if m not in (k, 2 * k)]))
    X = rng.normal(0.0, 1.0, size=(m, n))
    w_true = rng.normal(0.0, 1.0, size=n)
    y = X @ w_true + rng.normal(1.5, 0.5) + rng.normal(0.0, 0.3, size=m)
    return X, y


def _cost_and_gradient_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k in range(3):
        X, y = _data(rng)
        w = rng.normal(0.0, 0.5, size=X.shape[1])
        b = float(rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0]))
        cases.append(Case(f"hidden-{k + 1}", (X, y, w, b)))
    return tuple(cases)


def _descent_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k in range(3):
        X, y = _data(rng)
        w_in = np.zeros(X.shape[1]) if k == 0 else rng.normal(0.0, 0.3, size=X.shape[1])
        b_in = 0.0 if k == 0 else float(rng.uniform(-1.0, 1.0))
        iters = int(rng.integers(8, 16))
        cases.append(Case(f"hidden-{k + 1}", (X, y, w_in, b_in, 0.05, iters)))
    return tuple(cases)


# 5 examples, 3 features: m / n = 5/3, so a factor m, n or 2 in a mistake is told apart.
_X_PUBLIC = np.array([[1.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, 3.0], [3.0, 1.0, 1.0], [1.0, 3.0, 2.0]])
_Y_PUBLIC = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
_PUBLIC_CASES = (
    Case("public-1", (_X_PUBLIC, _Y_PUBLIC, np.array([0.5, -0.25, 0.75]), 1.0)),
    Case("public-2 (zero init)", (_X_PUBLIC, _Y_PUBLIC, np.zeros(3), 0.0)),
)

_ERRORS = "errors = X @ w + b - y"

# What to check after the judge's generic statement of a constant-ratio mistake no misconception
# names ("dj_dw has the wrong sign: <hint>"); see spec.FUNCTION_DIAGNOSES.
_FUNCTION_HINTS = {
    "sign_flipped": "check (prediction - y) versus (y - prediction)",
    "factor_2": "check the factor 1/2 in the cost",
    "factor_half": "check the factor 2 from the square",
}

COMPUTE_COST = FunctionQuestion(
    id="compute_cost", title="compute_cost", points=2, function="compute_cost",
    params=("X", "y", "w", "b"), returns=("cost",),
    public_cases=_PUBLIC_CASES, hidden_cases=_cost_and_gradient_cases, immutable=("X", "y", "w"),
    hints=_FUNCTION_HINTS,
    misconceptions=(
        Misconception("one_over_m", "Your cost is twice too large: J uses 1/(2m), not 1/m.",
                      (("/ (2 * m)", "/ m"),)),
        Misconception("precedence_2m", "Operator precedence: `/ 2 * m` divides by 2 and then "
                      "MULTIPLIES by m. Group the whole denominator.", (("/ (2 * m)", "/ 2 * m"),)),
        Misconception("sum_not_mean", "Your cost is m times too large: did you forget to divide "
                      "by m (J is a mean over the examples)?", (("/ (2 * m)", "/ 2"),)),
        Misconception("absolute_not_squared", "The cost sums SQUARED errors, not their absolute "
                      "values.", (("float(errors @ errors)", "float(np.sum(np.abs(errors)))"),)),
        Misconception("bias_ignored", "Your cost ignores b: the prediction is X @ w + b.",
                      ((_ERRORS, "errors = X @ w - y"),)),
        Misconception("divided_by_n", "You divided by n (the number of features) instead of m "
                      "(the number of examples): check which axis of X counts the examples.",
                      (("m = X.shape[0]", "m = X.shape[1]"),)),
    ),
)


COMPUTE_GRADIENT = FunctionQuestion(
    id="compute_gradient", title="compute_gradient", points=3, function="compute_gradient",
    params=("X", "y", "w", "b"), returns=("dj_dw", "dj_db"),
    public_cases=_PUBLIC_CASES, hidden_cases=_cost_and_gradient_cases, immutable=("X", "y", "w"),
    hints=_FUNCTION_HINTS,
    misconceptions=(
        MISSING_1_OVER_M,
        Misconception("two_over_m", "Your gradient is twice too large: check what the factor the "
                      "square brings down does with the constant in front of J.",
                      ((GRADIENT_LINES, "dj_dw = 2 * X.T @ errors / m\n    dj_db = 2 * float(np.sum(errors)) / m"),)),
        Misconception("sign_flipped", "Your gradient has the wrong sign: check which way round "
                      "you take the error. With the wrong one, gradient descent walks uphill.",
                      ((_ERRORS, "errors = y - (X @ w + b)"),)),
        SWAPPED_RETURN,
        Misconception("bias_ignored", "Your gradient ignores b: the prediction includes the bias.",
                      ((_ERRORS, "errors = X @ w - y"),)),
        *GRADIENT_MISCONCEPTIONS,
    ),
)

GRADIENT_DESCENT = FunctionQuestion(
    id="gradient_descent", title="gradient_descent", points=3, function="gradient_descent",
    params=("X", "y", "w_in", "b_in", "alpha", "num_iters"), returns=("w", "b", "J_history"),
    public_cases=(
        Case("public-1 (zero init)", (_X_PUBLIC, _Y_PUBLIC, np.zeros(3), 0.0, 0.05, 5)),
        Case("public-2", (_X_PUBLIC, _Y_PUBLIC, np.array([0.2, -0.1, 0.3]), 0.5, 0.02, 3)),
    ),
    hidden_cases=_descent_cases, immutable=("X", "y", "w_in"), uses=("compute_cost", "compute_gradient"),
    hints=_FUNCTION_HINTS,
    misconceptions=(
        *DESCENT_MISCONCEPTIONS,
    ),
)

# ---------------------------------------------------------------- part 4: concepts

ANSWER_ZERO_INIT = ChoiceQuestion(
    id="answer_zero_init", title="Why zero initialisation is fine here", points=1,
    variable="answer_zero_init",
    wrong_feedback="Not the best answer: compare it with your experiments in Part 3.",
    choices={
        "A": "Because the gradient at w = b = 0 is zero, so the weights start at the optimum.",
        "B": "Because the cost is convex: from every start gradient descent reaches the lowest cost, "
             "and zero only changes the path (and, when several weights give that cost, which of "
             "them it ends at).",
        "C": "Because zero weights break the symmetry between the features.",
        "D": "It is not fine: linear regression must start from small random weights.",
    },
    misconceptions=(
        Misconception("gradient_zero_at_zero", "Look at the gradient at zero you derived in "
                      "Part 1: is it really zero for this data? Then think about what the first step does.",
                      (('answer_zero_init = "B"', 'answer_zero_init = "A"'),)),
        Misconception("symmetry_in_single_neuron", "Symmetry is a problem of hidden units that "
                      "share inputs. Ask whether two weights of this model can ever receive the "
                      "same gradient just because they start equal.",
                      (('answer_zero_init = "B"', 'answer_zero_init = "C"'),)),
        Misconception("random_required", "Look again at the experiments of Part 3: does any start, "
                      "zero included, fail to reach the lowest cost?",
                      (('answer_zero_init = "B"', 'answer_zero_init = "D"'),)),
    ),
)

EXPLAIN_ZERO_INIT = ManualQuestion(
    id="explain_zero_init", title="Explain: zero init here vs. in a neural network", points=2,
)

ASSIGNMENT = Assignment(
    name="linear_regression",
    title="Linear regression from zero initialisation",
    seed=20261129,
    symbols=Symbols(reals=("w", "b"), size="m", index="i", indexed=("x", "y")),
    questions=(DJ_DW, DJ_DB, DJ_DW_AT_ZERO, DJ_DB_AT_ZERO, COMPUTE_COST, COMPUTE_GRADIENT,
               GRADIENT_DESCENT, ANSWER_ZERO_INIT, EXPLAIN_ZERO_INIT),
)
