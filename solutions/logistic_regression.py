"""Logistic regression from zero initialisation: the one declaration of its graded items.

Points, public and hidden cases, tolerances and the misconception catalogue live
here and drive the student self-check, the nbgrader test cells and the batch
grader. Each misconception is an edit of the solution cell with the same id in
``solutions/logistic_regression.ipynb``; running that mutant gives the outputs a
student with the misconception would produce.
"""

from __future__ import annotations

import numpy as np

from source_lib.judge.spec import (
    STANDARD_FUNCTIONS,
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
    GRADIENT_MISCONCEPTIONS,
    MISSING_1_OVER_M,
    SWAPPED_RETURN,
)

# ---------------------------------------------------------------- part 1: sympy

# What to check, in this assignment's terms, after the judge's generic statement of a mistake no
# misconception names ("Your expression has the wrong sign: <hint>"); see spec.SYMBOLIC_DIAGNOSES.
_SYMBOLIC_HINTS = {
    "sign_flipped": "keep the minus in front of the log terms of J, and check which way round the "
                    "difference between prediction and label comes out.",
    "missing_1_over_m": "J is a mean: did you forget the 1/m in front of the sum?",
    "sign_and_missing_1_over_m": "check the minus in front of the log terms and the 1/m in front of the sum.",
    "extra_1_over_m": "did you divide by m twice?",
    "factor_2": "differentiating ln u gives u'/u, with no factor 2: check the constants.",
    "factor_half": "differentiating ln u gives u'/u, with no factor 1/2: check the constants.",
    "constant_factor": "check the constants, and that every logarithm is the natural one (sympy's log).",
}

_DJ_DW = "dJ_dw = sp.diff(J, w)"
_DJ_DB = "dJ_db = sp.diff(J, b)"
_NO_SIGMOID = ("This is the gradient of linear regression's squared error: the prediction here is "
               "the sigmoid of w x + b, and the cost is the cross-entropy. Differentiate the J of the "
               "notebook.")
_LOG10 = ("Your derivative is off by a constant factor that comes from the logarithm: J uses the "
          "natural logarithm (sympy's log), whose derivative is 1/u, with no extra constant.")

DJ_DW = SymbolicQuestion(
    id="dJ_dw", title="Derivative of J with respect to w", points=2, variable="dJ_dw",
    hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("missing_1_over_m", "Your derivative is m times too large: J is a mean, the "
                      "sum divided by m, and that factor stays when you differentiate.",
                      ((_DJ_DW, "dJ_dw = sp.diff(J, w) * m"),)),
        Misconception("sign_flipped", "Your derivative has the wrong sign: J has a minus in front "
                      "of the log terms (the log of a probability is negative), and it stays when you "
                      "differentiate.", ((_DJ_DW, "dJ_dw = -sp.diff(J, w)"),)),
        Misconception("missing_inner_x", "Each term is missing the inner derivative: the chain "
                      "rule also multiplies by the derivative of w x_i + b with respect to w.",
                      ((_DJ_DW, "dJ_dw = sp.diff(J, b)"),)),
        Misconception("no_sigmoid", _NO_SIGMOID,
                      ((_DJ_DW, "dJ_dw = sp.Sum((w * x[i] + b - y[i]) * x[i], (i, 1, m)) / m"),)),
        Misconception("log10", _LOG10, ((_DJ_DW, "dJ_dw = sp.diff(J, w) / sp.log(10)"),)),
        Misconception("log_terms_swapped", "Your derivative belongs to a cost whose two log terms are "
                      "swapped: the term with y_i should reward a high predicted probability, the term "
                      "with 1 - y_i a low one.",
                      ((_DJ_DW, "dJ_dw = sp.Sum((s_i - 1 + y[i]) * x[i], (i, 1, m)) / m"),)),
    ),
)

DJ_DB = SymbolicQuestion(
    id="dJ_db", title="Derivative of J with respect to b", points=1, variable="dJ_db",
    hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("differentiated_wrt_w", "This looks like the derivative with respect to w: "
                      "differentiate with respect to b, and redo the inner derivative for it.",
                      ((_DJ_DB, "dJ_db = sp.diff(J, w)"),)),
        Misconception("missing_1_over_m", "Your derivative is m times too large: keep the 1/m of J "
                      "when you differentiate.", ((_DJ_DB, "dJ_db = sp.diff(J, b) * m"),)),
        Misconception("sign_flipped", "Your derivative has the wrong sign: keep the minus in front "
                      "of the log terms of J.", ((_DJ_DB, "dJ_db = -sp.diff(J, b)"),)),
        Misconception("no_sigmoid", _NO_SIGMOID,
                      ((_DJ_DB, "dJ_db = sp.Sum(w * x[i] + b - y[i], (i, 1, m)) / m"),)),
    ),
)

_AT_ZERO_W = "dJ_dw.subs({w: 0, b: 0})"
_AT_ZERO_B = "dJ_db.subs({w: 0, b: 0})"
_ASSUMED_ZERO = ("Do not assume the gradient at zero vanishes: substitute the zero initialisation "
                 "into your derivative and see what is left.")
_LINEAR_AT_ZERO = ("This is what linear regression's gradient gives at zero, where the prediction is "
                   "0. Here the prediction at w = b = 0 is the sigmoid of 0: what is that?")

DJ_DW_AT_ZERO = SymbolicQuestion(
    id="dJ_dw_at_zero", title="dJ/dw at w = b = 0", points=1, variable="dJ_dw_at_zero", uses=("dJ_dw",),
    hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: it should be its "
                      "value at the zero initialisation, with both parameters set.",
                      ((_AT_ZERO_W, "dJ_dw"),)),
        Misconception("only_w_substituted", "You set w = 0 but kept b: at zero initialisation both "
                      "w and b start at 0.", ((_AT_ZERO_W, "dJ_dw.subs({w: 0})"),)),
        Misconception("assumed_zero", _ASSUMED_ZERO, ((_AT_ZERO_W, "sp.Integer(0)"),)),
        Misconception("linear_prediction", _LINEAR_AT_ZERO,
                      ((_AT_ZERO_W, "-sp.Sum(x[i] * y[i], (i, 1, m)) / m"),)),
    ),
)

DJ_DB_AT_ZERO = SymbolicQuestion(
    id="dJ_db_at_zero", title="dJ/db at w = b = 0", points=1, variable="dJ_db_at_zero", uses=("dJ_db",),
    hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: it should be its "
                      "value at the zero initialisation.", ((_AT_ZERO_B, "dJ_db"),)),
        Misconception("only_w_substituted", "You set w = 0 but kept b: at zero initialisation both "
                      "w and b start at 0.", ((_AT_ZERO_B, "dJ_db.subs({w: 0})"),)),
        Misconception("assumed_zero", _ASSUMED_ZERO, ((_AT_ZERO_B, "sp.Integer(0)"),)),
        Misconception("linear_prediction", _LINEAR_AT_ZERO,
                      ((_AT_ZERO_B, "-sp.Sum(y[i], (i, 1, m)) / m"),)),
    ),
)

_J_AT_ZERO = "J_at_zero = sp.simplify(J.subs({w: 0, b: 0}).doit())"

J_AT_ZERO = SymbolicQuestion(
    id="J_at_zero", title="The cost J at w = b = 0", points=1, variable="J_at_zero", hints=_SYMBOLIC_HINTS,
    misconceptions=(
        Misconception("one_half", "1/2 is the predicted probability at zero weights, not the cost: "
                      "put that probability into the log terms of J.",
                      ((_J_AT_ZERO, "J_at_zero = sp.Rational(1, 2)"),)),
        Misconception("zero", "The cost at zero weights is not 0: zero weights predict the same "
                      "probability for every example, and J charges a price for it whatever the labels.",
                      ((_J_AT_ZERO, "J_at_zero = sp.Integer(0)"),)),
        Misconception("log10", "Your value uses the logarithm in base 10: J uses the natural "
                      "logarithm (sympy's log, NumPy's np.log).",
                      ((_J_AT_ZERO, "J_at_zero = sp.log(2) / sp.log(10)"),)),
        Misconception("sign_flipped", "Your cost is negative: a cross-entropy never is. Keep the "
                      "minus in front of the log terms.",
                      ((_J_AT_ZERO, "J_at_zero = -sp.simplify(J.subs({w: 0, b: 0}).doit())"),)),
        Misconception("sum_not_mean", "Your value is m times too large: J is a mean over the "
                      "examples, divided by m.",
                      ((_J_AT_ZERO, "J_at_zero = sp.simplify((m * J).subs({w: 0, b: 0}).doit())"),)),
    ),
)

# ---------------------------------------------------------------- part 2: numpy


def _sizes(rng: np.random.Generator) -> tuple[int, int]:
    """m examples and n features with m / n never 1/2, 1 or 2: there a factor m, n or 2 would
    coincide (dividing by n instead of m, say, would look like a factor 2)."""
    m = int(rng.integers(7, 13))
    n = int(rng.choice([k for k in range(2, 5) if m not in (k, 2 * k)]))
    return m, n


def _labels(rng: np.random.Generator, m: int) -> np.ndarray:
    """0/1 labels with both classes and unbalanced proportions (never half and half)."""
    share = float(rng.choice([rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8)]))
    positives = min(max(round(share * m), 1), m - 1)
    if 2 * positives == m:
        positives += 1 if share > 0.5 else -1
    y = np.zeros(m)
    y[rng.choice(m, size=positives, replace=False)] = 1.0
    return y


def _data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random classification data whose classes overlap; features on different scales."""
    m, n = _sizes(rng)
    y = _labels(rng, m)
    X = rng.normal(0.0, 1.0, size=(m, n)) * rng.uniform(0.5, 2.0, size=n)
    X += np.outer(y - 0.5, rng.normal(0.0, 1.0, size=n))
    return X, y


def _moderate(X: np.ndarray, rng: np.random.Generator, largest: float) -> tuple[np.ndarray, float]:
    """(w, b) with b != 0 and every |X @ w + b| <= largest: no probability is 0 or 1 in floats."""
    w = rng.normal(0.0, 0.7, size=X.shape[1])
    b = float(rng.uniform(0.3, 1.2) * rng.choice([-1.0, 1.0]))
    scale = largest / max(largest, float(np.max(np.abs(X @ w + b))))
    return w * scale, b * scale


def _cost_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    """No zero start: the cost there is the same number for any data, the value of J_at_zero, and
    a failed case would quote it as the expected cost."""
    cases = []
    for k in range(4):
        X, y = _data(rng)
        w, b = _moderate(X, rng, 6.0)
        cases.append(Case(f"hidden-{k + 1}", (X, y, w, b)))
    return tuple(cases)


def _gradient_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = list(_cost_cases(rng)[:3])
    X, y = _data(rng)
    cases.append(Case("hidden-4 (zero init)", (X, y, np.zeros(X.shape[1]), 0.0)))
    return tuple(cases)


def _descent_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k in range(3):
        X, y = _data(rng)
        w_in, b_in = (np.zeros(X.shape[1]), 0.0) if k == 0 else _moderate(X, rng, 3.0)
        alpha = float(rng.uniform(0.1, 0.5))
        cases.append(Case(f"hidden-{k + 1}", (X, y, w_in, b_in, alpha, int(rng.integers(8, 16)))))
    return tuple(cases)


def _sigmoid_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    """A 2-D array, each tail on its own, a number. A tail case holds values between 20 and 60, up to
    700, and beyond the overflow of np.exp (|z| > 709.8): the comparison's tolerance scales with the
    largest value of a case, so only a tail alone shows whether tiny values are right."""
    def tail() -> np.ndarray:
        parts = [rng.uniform(low, high, size=2) for low, high in ((20.0, 60.0), (60.0, 700.0), (710.0, 1200.0))]
        return rng.permutation(np.concatenate(parts))

    return (
        Case("hidden-1", (rng.uniform(-6.0, 6.0, size=(3, 4)),)),
        Case("hidden-2", (-tail(),)),
        Case("hidden-3", (tail(),)),
        Case("hidden-4", (float(rng.uniform(-5.0, 5.0)),)),
    )


def _predict_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    """Small weights, and a bias that puts some examples just above the threshold (z in (0, 0.5))
    and others just below it, none exactly on it."""
    cases = []
    for k in range(3):
        X, _ = _data(rng)
        w = rng.normal(0.0, 0.4, size=X.shape[1])
        z = X @ w
        order = np.argsort(z)
        j = order[int(rng.integers(1, len(z) - 1))]
        b = float(-z[j] + rng.uniform(0.05, 0.3))
        cases.append(Case(f"hidden-{k + 1}", (X, w, b)))
    return tuple(cases)


# 7 examples (3 of class 1), 3 features: m / n = 7/3, so a factor m, n, 2 or ln 10 is told apart;
# z = X @ w + b stays within [-2.25, 2] in public-1 and within [0.25, 2] in the cost's public-2.
_X_PUBLIC = np.array([[1.0, 2.0, 0.0], [2.0, 0.0, 1.0], [0.0, 1.0, -1.0], [-1.0, 1.0, 1.0],
                      [1.0, -2.0, 2.0], [-2.0, 0.0, -1.0], [0.0, -1.0, 1.0]])
_Y_PUBLIC = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
_PUBLIC_1 = Case("public-1", (_X_PUBLIC, _Y_PUBLIC, np.array([0.5, -0.25, 0.75]), -0.5))
_COST_PUBLIC_CASES = (_PUBLIC_1, Case("public-2", (_X_PUBLIC, _Y_PUBLIC, np.array([-0.5, 0.25, 0.5]), 0.75)))
_GRADIENT_PUBLIC_CASES = (_PUBLIC_1, Case("public-2 (zero init)", (_X_PUBLIC, _Y_PUBLIC, np.zeros(3), 0.0)))

# What to check after the judge's generic statement of a constant-ratio mistake no misconception
# names ("dj_dw has the wrong sign: <hint>"); see spec.FUNCTION_DIAGNOSES.
_FUNCTION_HINTS = {
    "sign_flipped": "check (prediction - y) versus (y - prediction), and the minus in front of the log terms",
    "factor_2": "the cross-entropy has no factor 1/2 or 2: check the constants",
    "factor_half": "the cross-entropy has no factor 1/2 or 2: check the constants",
}

_S = "s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"

SIGMOID = FunctionQuestion(
    id="sigmoid", title="sigmoid", points=2, function="sigmoid", params=("z",), returns=("s",),
    public_cases=(
        Case("public-1", (np.array([-4.0, -1.5, 0.0, 0.5, 3.0]),)),
        Case("public-2 (far below 0)", (np.array([-1000.0, -700.0, -40.0, -25.0]),)),
        Case("public-3 (far above 0)", (np.array([25.0, 40.0, 700.0, 1000.0]),)),
        Case("public-4 (a number)", (2.0,)),
    ),
    hidden_cases=_sigmoid_cases, immutable=("z",), atol=0.0, forbid_warnings=True,
    # wrong_below_zero before sign_flipped: on negative z alone both give sigma(|z|), and a case
    # names the first misconception it matches.
    misconceptions=(
        Misconception("overflow", "Your sigmoid gives NaN for large positive z: the exponential "
                      "overflows to inf, and inf / inf is not a number. Rewrite it so that no "
                      "exponential can grow beyond 1.", ((_S, "s = np.exp(z) / (1.0 + np.exp(z))"),)),
        Misconception("overflow_warning", "Your sigmoid overflows for very negative z: np.exp(-z) "
                      "becomes inf and NumPy warns. The value still rounds to 0 there, but a sigmoid "
                      "used inside a cost or a network must not leave the range of floats: rewrite "
                      "it so that no exponential can grow beyond 1.",
                      ((_S, "s = 1.0 / (1.0 + np.exp(-z))"),)),
        Misconception("wrong_below_zero", "Your sigmoid is only right for z >= 0: for negative z "
                      "it returns the value at -z (above 1/2 instead of below). The two halves need "
                      "different formulas.",
                      ((_S, "s = 1.0 / (1.0 + e)"),)),
        Misconception("sign_flipped", "Your sigmoid is mirrored: it gives probabilities near 1 for "
                      "very negative z. Check the sign of the exponent.",
                      ((_S, "s = np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))"),)),
        Misconception("cancellation_below_zero", "Your sigmoid loses its precision for very "
                      "negative z: it subtracts two nearly equal numbers close to 1, and the tiny "
                      "true value drowns in the rounding. Compute it without that subtraction.",
                      ((_S, "s = 1.0 - 1.0 / (1.0 + np.exp(z))"),)),
    ),
)

_LOSSES = "losses = -y * np.log(f) - (1 - y) * np.log(1 - f)"

COMPUTE_COST = FunctionQuestion(
    id="compute_cost", title="compute_cost", points=2, function="compute_cost",
    params=("X", "y", "w", "b"), returns=("cost",), uses=("sigmoid",),
    public_cases=_COST_PUBLIC_CASES, hidden_cases=_cost_cases, immutable=("X", "y", "w"),
    hints=_FUNCTION_HINTS,
    misconceptions=(
        Misconception("missing_1_over_m", "Your cost is m times too large: J is the mean of the "
                      "losses over the examples, not their sum.",
                      (("return float(np.sum(losses)) / m", "return float(np.sum(losses))"),)),
        Misconception("divided_by_n", "You divided by n (the number of features) instead of m (the "
                      "number of examples): check which axis of X counts the examples.",
                      (("m = X.shape[0]", "m = X.shape[1]"),)),
        Misconception("sign_flipped", "Your cost is negative: the log of a probability is negative, "
                      "so the cross-entropy puts a minus in front of each log term.",
                      ((_LOSSES, "losses = y * np.log(f) + (1 - y) * np.log(1 - f)"),)),
        Misconception("log10", "You used the logarithm in base 10: the cross-entropy uses the "
                      "natural logarithm, np.log.",
                      ((_LOSSES, "losses = -y * np.log10(f) - (1 - y) * np.log10(1 - f)"),)),
        Misconception("log_terms_swapped", "The two log terms are swapped between the classes: an "
                      "example with y = 1 should cost little when its predicted probability is high.",
                      ((_LOSSES, "losses = -y * np.log(1 - f) - (1 - y) * np.log(f)"),)),
        Misconception("one_class_only", "Your cost only charges the examples with y = 1: the "
                      "examples with y = 0 need their own log term.",
                      ((_LOSSES, "losses = -y * np.log(f)"),)),
        Misconception("squared_error", "This is the squared-error cost of linear regression: "
                      "logistic regression passes X @ w + b through the sigmoid and scores the "
                      "probability with the cross-entropy.",
                      ((_LOSSES, "losses = (X @ w + b - y) ** 2 / 2"),)),
        Misconception("bias_ignored", "Your cost ignores b: the probability is the sigmoid of "
                      "X @ w + b.", (("f = sigmoid(X @ w + b)", "f = sigmoid(X @ w)"),)),
    ),
)

_ERRORS = "errors = sigmoid(X @ w + b) - y"

COMPUTE_GRADIENT = FunctionQuestion(
    id="compute_gradient", title="compute_gradient", points=3, function="compute_gradient",
    params=("X", "y", "w", "b"), returns=("dj_dw", "dj_db"), uses=("sigmoid",),
    public_cases=_GRADIENT_PUBLIC_CASES, hidden_cases=_gradient_cases, immutable=("X", "y", "w"),
    hints=_FUNCTION_HINTS,
    misconceptions=(
        MISSING_1_OVER_M,
        Misconception("sign_flipped", "Your gradient has the wrong sign: check which way round you "
                      "take the difference between prediction and label. With the wrong one, "
                      "gradient descent walks uphill.",
                      ((_ERRORS, "errors = y - sigmoid(X @ w + b)"),)),
        SWAPPED_RETURN,
        Misconception("no_sigmoid", "This is the gradient of linear regression: in logistic "
                      "regression the prediction is the sigmoid of X @ w + b, not X @ w + b itself.",
                      ((_ERRORS, "errors = X @ w + b - y"),)),
        Misconception("bias_ignored", "Your gradient ignores b: the prediction is the sigmoid of "
                      "X @ w + b.", ((_ERRORS, "errors = sigmoid(X @ w) - y"),)),
        Misconception("labels_swapped", "Your gradient belongs to a cost with the classes swapped: "
                      "compare the prediction with the label y itself.",
                      ((_ERRORS, "errors = sigmoid(X @ w + b) - (1 - y)"),)),
        *GRADIENT_MISCONCEPTIONS,
    ),
)

GRADIENT_DESCENT = FunctionQuestion(
    id="gradient_descent", title="gradient_descent", points=3, function="gradient_descent",
    params=("X", "y", "w_in", "b_in", "alpha", "num_iters"), returns=("w", "b", "J_history"),
    public_cases=(
        Case("public-1 (zero init)", (_X_PUBLIC, _Y_PUBLIC, np.zeros(3), 0.0, 0.5, 6)),
        Case("public-2", (_X_PUBLIC, _Y_PUBLIC, np.array([0.2, -0.1, 0.3]), 0.5, 0.3, 4)),
    ),
    hidden_cases=_descent_cases, immutable=("X", "y", "w_in"), uses=("compute_cost", "compute_gradient"),
    hints=_FUNCTION_HINTS,
    misconceptions=(
        *DESCENT_MISCONCEPTIONS,
    ),
)

# z = X @ w + b of the first case: [0.25, 0.8, 0.3, -0.3, 0.75, -0.1, 0.4]; three examples fall
# between the two thresholds 0 and 0.5, so comparing z (not the probability) with 0.5 shows, and
# no z (with or without b) is within 0.05 of either threshold.
_PREDICT_W = np.array([0.3, -0.2, -0.15])

PREDICT = FunctionQuestion(
    id="predict", title="predict", points=2, function="predict", params=("X", "w", "b"),
    returns=("labels",), uses=("sigmoid",),
    public_cases=(
        Case("public-1", (_X_PUBLIC, _PREDICT_W, 0.35)),
        Case("public-2", (_X_PUBLIC, np.array([1.5, -0.5, 1.0]), -0.75)),
    ),
    hidden_cases=_predict_cases, immutable=("X", "w"),
    misconceptions=(
        Misconception("threshold_on_z", "You compared X @ w + b itself with 0.5: 0.5 is a "
                      "threshold for the probability, so either pass X @ w + b through the sigmoid "
                      "first or use the value of X @ w + b where that probability is 0.5.",
                      (("probabilities = sigmoid(X @ w + b)", "probabilities = X @ w + b"),)),
        Misconception("probabilities_returned", "You returned probabilities: predict must return "
                      "labels, 0 or 1 for each example.",
                      (("return (probabilities >= 0.5).astype(int)", "return probabilities"),)),
        Misconception("labels_inverted", "Your labels are inverted: an example whose probability "
                      "of class 1 is high should be predicted as 1.",
                      ((">= 0.5", "< 0.5"),)),
        Misconception("bias_ignored", "Your predictions ignore b: the probability is the sigmoid "
                      "of X @ w + b.",
                      (("probabilities = sigmoid(X @ w + b)", "probabilities = sigmoid(X @ w)"),)),
    ),
)

# ---------------------------------------------------------------- part 4: concepts

ANSWER_ZERO_INIT = ChoiceQuestion(
    id="answer_zero_init", title="Why zero initialisation is fine here", points=1,
    variable="answer_zero_init",
    wrong_feedback="Not the best answer: compare it with what you derived in Part 1 and saw in Part 3.",
    choices={
        "A": "Because the gradient at w = b = 0 is zero, so the weights start at a minimum.",
        "B": "Because the cost is convex and each weight's gradient depends on its own feature: "
             "from zero, as from any other start, gradient descent heads for the same decision "
             "boundary, and the start only changes the path.",
        "C": "Because the cost at w = b = 0 is already the lowest cost any weights can reach.",
        "D": "It is not fine: like a neural network, logistic regression needs small random weights "
             "to break the symmetry between its weights.",
    },
    misconceptions=(
        Misconception("gradient_zero_at_zero", "Look at the gradient at zero you derived in Part 1: "
                      "is it zero for data with labels that are not half ones? Then think about what "
                      "the first step does.",
                      (('answer_zero_init = "B"', 'answer_zero_init = "A"'),)),
        Misconception("zero_is_minimum", "Compare J at zero from Part 1 with the final costs of the "
                      "experiments in Part 3: does gradient descent stay where it starts?",
                      (('answer_zero_init = "B"', 'answer_zero_init = "C"'),)),
        Misconception("symmetry_in_single_neuron", "Symmetry is a problem of hidden units that "
                      "share inputs. Ask whether two weights of this model can ever receive the "
                      "same gradient just because they start equal.",
                      (('answer_zero_init = "B"', 'answer_zero_init = "D"'),)),
    ),
)

EXPLAIN_ZERO_INIT = ManualQuestion(
    id="explain_zero_init", title="Explain: zero init, separable data, and a hidden layer", points=2,
)

ASSIGNMENT = Assignment(
    name="logistic_regression",
    title="Logistic regression from zero initialisation",
    seed=20261206,
    symbols=Symbols(reals=("w", "b"), size="m", index="i", indexed=("x", "y"),
                    functions=STANDARD_FUNCTIONS + ("tanh",)),  # the sigmoid may be written with tanh
    questions=(DJ_DW, DJ_DB, DJ_DW_AT_ZERO, DJ_DB_AT_ZERO, J_AT_ZERO, SIGMOID, COMPUTE_COST,
               COMPUTE_GRADIENT, GRADIENT_DESCENT, PREDICT, ANSWER_ZERO_INIT, EXPLAIN_ZERO_INIT),
)
