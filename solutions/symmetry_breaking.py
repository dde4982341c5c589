"""Symmetry breaking: the one declaration of its graded items.

Points, public and hidden cases, tolerances, property checks and the misconception catalogue live
here and drive the student self-check, the nbgrader test cells and the batch grader. Each
misconception is an edit of the solution cell with the same id in ``solutions/symmetry_breaking.ipynb``.
Random initialisations are graded by properties (shapes, distinct rows, scale, same seed same
values), so any correct use of the given generator passes.
"""

from __future__ import annotations

import numpy as np

from source_lib.judge.codec import Generator
from source_lib.judge.properties import AllEqual, DiffersFromCase, DistinctRows, SameAsCase, SameLayout, Scale
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
                      (("sp.simplify(dL_dw1.doit().subs(zero))", "dL_dw1"),)),
    ),
)

DL_DV1_AT_ZERO = SymbolicQuestion(
    id="dL_dv1_at_zero", title="dL/dv1 with every parameter at 0", points=1, variable="dL_dv1_at_zero",
    uses=("dL_dv1",),
    misconceptions=(
        Misconception("not_substituted", "This is still the general derivative: set every parameter to 0.",
                      (("sp.simplify(dL_dv1.doit().subs(zero))", "dL_dv1"),)),
    ),
)

DL_DB_AT_ZERO = SymbolicQuestion(
    id="dL_db_at_zero", title="dL/db with every parameter at 0", points=1, variable="dL_db_at_zero",
    uses=("dL_db",),
    misconceptions=(
        Misconception("everything_zero", "Not every gradient vanishes at zero: the output bias sees the "
                      "prediction sigma(0) against the label. Substitute and see what is left.",
                      (("sp.simplify(dL_db.doit().subs(zero))", "sp.Integer(0)"),)),
    ),
)

SYMMETRY_GAP = SymbolicQuestion(
    id="symmetry_gap", title="dL/dw1 - dL/dw2 when the two units start alike", points=2,
    variable="symmetry_gap", uses=("dL_dw1",),
    misconceptions=(
        Misconception("not_substituted", "Set the second unit's parameters equal to the first's "
                      "(w2 = w1, c2 = c1, v2 = v1) before you compare the two derivatives.",
                      (("symmetry_gap = (dL_dw1 - dL_dw2).doit().subs({w2: w1, c2: c1, v2: v1})",
                        "symmetry_gap = dL_dw1 - dL_dw2"),)),
    ),
)

# ---------------------------------------------------------------- part 2: the network in NumPy

_RANDOM = (SameLayout(), DistinctRows("W1"), AllEqual("b1"), AllEqual("b2"))


def _init_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    """Exact starts compared by value; random starts by their properties, on large layers so the
    empirical scale is close to the asked one, with two generators of one seed and one of another."""
    n_x, n_h = int(rng.integers(60, 100)), int(rng.integers(20, 35))
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
_HE_W1 = "        W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(2.0 / n_x)"

INITIALIZE_PARAMETERS = FunctionQuestion(
    id="initialize_parameters", title="initialize_parameters", points=3, function="initialize_parameters",
    params=("n_x", "n_h", "method", "rng"), returns=("params",),
    public_cases=(
        Case("public-1 (zeros)", (2, 3, "zeros", Generator(1))),
        Case("public-2 (constant)", (2, 3, "constant", Generator(1))),
        Case("public-3 (random)", (40, 30, "random", Generator(1)), properties=(*_RANDOM, Scale("W1", 0.01, 0.3))),
        Case("public-4 (random, same seed)", (40, 30, "random", Generator(1)),
             properties=(*_RANDOM, Scale("W1", 0.01, 0.3), SameAsCase(case="public-3 (random)"))),
        Case("public-5 (random, another seed)", (40, 30, "random", Generator(2)),
             properties=(*_RANDOM, Scale("W1", 0.01, 0.3), DiffersFromCase(case="public-3 (random)"))),
        Case("public-6 (he)", (50, 30, "he", Generator(3)), properties=(*_RANDOM, Scale("W1", 0.2))),
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
        Misconception("random_biases", "Your random start draws the biases and leaves the weights at zero: "
                      "with equal weights the hidden units stay alike. Draw the weights, keep the biases 0.",
                      ((_INIT_RANDOM, "        W1, W2 = np.zeros((n_h, n_x)), np.zeros(n_h)\n"
                                      "        return {\"W1\": W1, \"b1\": 0.01 * rng.standard_normal(n_h), "
                                      "\"W2\": W2, \"b2\": 0.0}"),)),
        Misconception("he_one_over_n", "Your He weights are too small: He's scale for W1 is sqrt(2 / n_x), "
                      "twice the variance of 1 / n_x.", ((_HE_W1, _HE_W1.replace("2.0 / n_x", "1.0 / n_x")),)),
        Misconception("he_hidden_size", "W1's He scale depends on how many inputs each hidden unit has, "
                      "n_x, not on the number of hidden units.",
                      ((_HE_W1, _HE_W1.replace("2.0 / n_x", "2.0 / n_h")),)),
    ),
)

ACTIVATIONS = ("tanh", "relu", "sigmoid")


def _network(rng: np.random.Generator, scale: float = 0.8) -> tuple[np.ndarray, np.ndarray, dict]:
    """Non-square data (m/n_x never 1 or 2), balanced-ish labels, parameters with distinct units."""
    m, n_x, n_h = int(rng.integers(7, 12)), 3, int(rng.integers(4, 6))
    X = rng.normal(0.0, 1.0, size=(m, n_x))
    y = (rng.random(m) < 0.4).astype(float)
    y[:2] = (0.0, 1.0)  # both classes
    params = {"W1": rng.normal(0.0, scale, size=(n_h, n_x)), "b1": rng.normal(0.0, 0.3, size=n_h),
              "W2": rng.normal(0.0, scale, size=n_h), "b2": float(rng.normal(0.0, 0.3))}
    return X, y, params


def _forward_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k, activation in enumerate(ACTIVATIONS):
        X, _, params = _network(rng)
        cases.append(Case(f"hidden-{k + 1} ({activation})", (X, params, activation), hidden=True))
    return tuple(cases)


def _solution_forward(X: np.ndarray, params: dict, activation: str) -> dict:
    """The cache the solution's forward pass gives, to build backward cases from (trusted side)."""
    g = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    Z1 = X @ params["W1"].T + params["b1"]
    A1 = g[activation](Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": 1 / (1 + np.exp(-Z2))}


def _backward_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k, activation in enumerate(ACTIVATIONS):
        X, y, params = _network(rng)
        cases.append(Case(f"hidden-{k + 1} ({activation})",
                          (X, y, params, _solution_forward(X, params, activation), activation), hidden=True))
    return tuple(cases)


def _update_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k in range(2):
        _, _, params = _network(rng)
        grads = {"d" + name: rng.normal(0.0, 0.5, size=np.shape(value)) if np.ndim(value) else
                 float(rng.normal(0.0, 0.5)) for name, value in params.items()}
        cases.append(Case(f"hidden-{k + 1}", (params, grads, float(rng.uniform(0.1, 1.0))), hidden=True))
    return tuple(cases)


def _train_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k, activation in enumerate(("tanh", "relu")):
        X, y, params = _network(rng, scale=0.5)
        cases.append(Case(f"hidden-{k + 1} ({activation})", (X, y, params, activation,
                                                             float(rng.uniform(0.2, 0.8)), int(rng.integers(5, 12))),
                          hidden=True))
    return tuple(cases)


_X_PUBLIC = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-1.0, 1.0, 0.5], [0.0, -2.0, 1.0],
                      [2.0, 0.5, -1.5], [-0.5, 1.5, 0.0], [1.0, -0.5, -1.0]])
_Y_PUBLIC = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0])
_PARAMS_PUBLIC = {"W1": np.array([[0.4, -0.3, 0.2], [-0.5, 0.1, 0.3], [0.2, 0.6, -0.4], [0.1, -0.2, -0.3]]),
                  "b1": np.array([0.1, -0.2, 0.05, 0.0]), "W2": np.array([0.7, -0.4, 0.5, -0.6]), "b2": 0.15}

FORWARD_PROPAGATION = FunctionQuestion(
    id="forward_propagation", title="forward_propagation", points=2, function="forward_propagation",
    params=("X", "params", "activation"), returns=("A2", "cache"),
    public_cases=tuple(Case(f"public-{k + 1} ({a})", (_X_PUBLIC, _PARAMS_PUBLIC, a))
                       for k, a in enumerate(ACTIVATIONS)),
    hidden_cases=_forward_cases, immutable=("X", "params"),
    misconceptions=(
        Misconception("no_bias", "Your hidden layer ignores b1: each unit adds its own bias to its weighted input.",
                      (("    Z1 = X @ params[\"W1\"].T + params[\"b1\"]", "    Z1 = X @ params[\"W1\"].T"),)),
        Misconception("linear_output", "A2 should be a probability: the output unit applies the sigmoid to Z2.",
                      (("    A2 = sigmoid(Z2)", "    A2 = Z2"),)),
    ),
)

def _cost_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    cases = []
    for k in range(2):
        m = int(rng.integers(7, 13))
        y = (rng.random(m) < 0.4).astype(float)
        y[:2] = (0.0, 1.0)
        cases.append(Case(f"hidden-{k + 1}", (rng.uniform(0.05, 0.95, size=m), y), hidden=True))
    return tuple(cases)


_COST = "    return float(-np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2)))"

COMPUTE_COST = FunctionQuestion(
    id="compute_cost", title="compute_cost", points=1, function="compute_cost", params=("A2", "y"),
    returns=("cost",), public_cases=(Case("public-1", (np.array([0.9, 0.2, 0.6, 0.3, 0.7, 0.4, 0.1]), _Y_PUBLIC)),),
    hidden_cases=_cost_cases, immutable=("A2", "y"),
    misconceptions=(
        Misconception("sum_not_mean", "Your cost is m times too large: it is the mean of the losses, not "
                      "their sum.", ((_COST, "    return float(-np.sum(y * np.log(A2) + (1 - y) * np.log(1 - A2)))"),)),
        Misconception("sign_flipped", "Your cost is negative: the cross-entropy has a minus in front of the "
                      "log terms.", ((_COST, "    return float(np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2)))"),)),
    ),
)

_DW2 = '    dW2 = cache["A1"].T @ dZ2 / m'
_DZ1 = '    dZ1 = np.outer(dZ2, params["W2"]) * activation_derivative(cache["A1"], cache["Z1"], activation)'

BACKWARD_PROPAGATION = FunctionQuestion(
    id="backward_propagation", title="backward_propagation", points=3, function="backward_propagation",
    params=("X", "y", "params", "cache", "activation"), returns=("grads",),
    public_cases=tuple(Case(f"public-{k + 1} ({a})", (_X_PUBLIC, _Y_PUBLIC, _PARAMS_PUBLIC,
                                                     _solution_forward(_X_PUBLIC, _PARAMS_PUBLIC, a), a))
                       for k, a in enumerate(ACTIVATIONS)),
    hidden_cases=_backward_cases, immutable=("X", "y", "params", "cache"), uses=("forward_propagation",),
    misconceptions=(
        Misconception("sigmoid_derivative_for_tanh", "For tanh units you used the sigmoid's derivative "
                      "A1 (1 - A1): re-derive tanh's own derivative and write it in terms of A1 = tanh(Z1).",
                      (("        return 1.0 - A1 ** 2", "        return A1 * (1.0 - A1)"),)),
        Misconception("dW2_from_Z1", "dW2 weighs the output errors by what the output unit receives, the "
                      "activations A1, not the pre-activations Z1.",
                      ((_DW2, '    dW2 = cache["Z1"].T @ dZ2 / m'),)),
        Misconception("missing_1_over_m", "Your gradients are m times too large: the cost is a mean over "
                      "the examples.", ((_DW2, '    dW2 = cache["A1"].T @ dZ2'),
                                        ("    dW1 = dZ1.T @ X / m", "    dW1 = dZ1.T @ X"))),
        Misconception("db1_wrong_axis", "db1 has one entry per hidden unit: check which axis of dZ1 you summed, "
                      "the examples' or the units'.",
                      (("    db1 = np.sum(dZ1, axis=0) / m", "    db1 = np.sum(dZ1, axis=1) / m"),)),
        Misconception("no_activation_derivative", "dZ1 is missing the derivative of the hidden activation: "
                      "the chain rule goes through g as well.",
                      ((_DZ1, '    dZ1 = np.outer(dZ2, params["W2"])'),)),
    ),
)

UPDATE_PARAMETERS = FunctionQuestion(
    id="update_parameters", title="update_parameters", points=2, function="update_parameters",
    params=("params", "grads", "learning_rate"), returns=("params",),
    public_cases=(Case("public-1", (_PARAMS_PUBLIC, {"dW1": np.full((4, 3), 0.5), "db1": np.arange(4.0),
                                                     "dW2": np.array([1.0, -1.0, 0.5, 0.0]), "db2": -0.5}, 0.1)),),
    hidden_cases=_update_cases, immutable=("params", "grads"),
    misconceptions=(
        Misconception("gradient_added", "You added the gradient: gradient descent subtracts the learning "
                      "rate times the gradient.",
                      (('params[name] - learning_rate * grads["d" + name]',
                        'params[name] + learning_rate * grads["d" + name]'),)),
        Misconception("in_place", "Your update changed the params passed in: return new arrays and leave the "
                      "caller's dict as it was (the experiments reuse one start for several runs).",
                      (('    return {name: params[name] - learning_rate * grads["d" + name] for name in params}',
                        '    for name in params:\n        params[name] -= learning_rate * grads["d" + name]\n'
                        '    return params'),)),
    ),
)

_TRAIN_UPDATE = "        params = update_parameters(params, grads, learning_rate)\n    return params, costs"
_COST_AFTER_UPDATE = "\n        costs.append(compute_cost(forward_propagation(X, params, activation)[0], y))\n"

TRAIN = FunctionQuestion(
    id="train", title="train", points=3, function="train",
    params=("X", "y", "params", "activation", "learning_rate", "num_iters"), returns=("params", "costs"),
    public_cases=(Case("public-1 (tanh)", (_X_PUBLIC, _Y_PUBLIC, _PARAMS_PUBLIC, "tanh", 0.5, 4)),),
    hidden_cases=_train_cases, immutable=("X", "y", "params"),
    uses=("forward_propagation", "compute_cost", "backward_propagation", "update_parameters"),
    tolerances={"costs": (1e-6, 1e-9)},
    misconceptions=(
        Misconception("cost_after_update", "costs[k] is the cost of iteration k's forward pass, before its "
                      "update: costs[0] is the cost at the start.",
                      (("        costs.append(compute_cost(A2, y))\n", ""),
                       (_TRAIN_UPDATE, _TRAIN_UPDATE.replace("\n", _COST_AFTER_UPDATE, 1))),),
        Misconception("reinitialised", "train must start from the params it is given: creating new "
                      "parameters inside it throws the caller's start away.",
                      (("    costs = []\n", "    costs = []\n    params = initialize_parameters(X.shape[1], "
                        "params[\"W1\"].shape[0], \"random\", np.random.default_rng(0))\n"),)),
    ),
)

HIDDEN_UNIT_SPREAD = FunctionQuestion(
    id="hidden_unit_spread", title="hidden_unit_spread", points=1, function="hidden_unit_spread",
    params=("W1",), returns=("spread",),
    public_cases=(Case("public-1", (_PARAMS_PUBLIC["W1"],)),
                  Case("public-2 (equal rows)", (np.tile([0.5, -1.0, 2.0], (4, 1)),))),
    hidden_cases=lambda rng: (Case("hidden-1", (rng.normal(size=(5, 3)),), hidden=True),),
    immutable=("W1",),
    misconceptions=(
        Misconception("over_columns", "Compare the hidden units, the rows of W1: for each column (input), "
                      "how far apart are the rows?",
                      (("np.max(W1, axis=0) - np.min(W1, axis=0)", "np.max(W1, axis=1) - np.min(W1, axis=1)"),)),
    ),
)

# ---------------------------------------------------------------- part 4: concepts

ANSWER_FIRST_STEP = ChoiceQuestion(
    id="answer_first_step", title="Which parameters move first from all zeros", points=1,
    variable="answer_first_step",
    wrong_feedback="Not the best answer: look at dL_dw1_at_zero, dL_dv1_at_zero and dL_db_at_zero from Part 1.",
    choices={
        "A": "All of them: every gradient is (prediction - label) times something nonzero.",
        "B": "Only the output bias b2: the hidden units output tanh(0) = 0, so W2 sees no signal, and W1 and b1 "
             "are multiplied by W2 = 0.",
        "C": "None: at zero every gradient is zero, so nothing moves.",
        "D": "W2 and b2, but not W1 and b1.",
    },
    misconceptions=(
        Misconception("everything_moves", "Check your derivatives at zero from Part 1: which of them are "
                      "not zero, and why does tanh(0) matter?",
                      (('answer_first_step = "B"', 'answer_first_step = "A"'),)),
        Misconception("nothing_moves", "Not every gradient vanishes at zero: look again at each of your "
                      "three derivatives at zero from Part 1, for labels that are not half ones.",
                      (('answer_first_step = "B"', 'answer_first_step = "C"'),)),
        Misconception("output_weights_move", "The output weights see the hidden units' outputs: what is "
                      "tanh(0)?", (('answer_first_step = "B"', 'answer_first_step = "D"'),)),
    ),
)

ANSWER_CONSTANT_START = ChoiceQuestion(
    id="answer_constant_start", title="What a layer trained from a constant start computes", points=1,
    variable="answer_constant_start",
    wrong_feedback="Not the best answer: look at hidden_unit_spread after training from the constant start.",
    choices={
        "A": "The same as a layer with one hidden unit: the four units stay identical, whatever the data.",
        "B": "Four different features, as from a random start, only learnt more slowly.",
        "C": "Nothing: the cost stays at ln 2.",
        "D": "The same as logistic regression on the inputs, because tanh is almost linear near 0.",
    },
    misconceptions=(
        Misconception("slower_but_different", "Look at symmetry_gap and at the unit-weight panel of the "
                      "constant start: can equal units ever become different?",
                      (('answer_constant_start = "A"', 'answer_constant_start = "B"'),)),
        Misconception("stuck_at_ln2", "That is the all-zeros start. From the constant start the cost does "
                      "fall: compare the two curves.",
                      (('answer_constant_start = "A"', 'answer_constant_start = "C"'),)),
    ),
)

EXPLAIN_SYMMETRY = ManualQuestion(
    id="explain_symmetry", title="Explain: why a hidden layer must not start at zero", points=2,
)

ASSIGNMENT = Assignment(
    name="symmetry_breaking",
    title="Symmetry breaking: why a hidden layer must not start at zero",
    seed=20261208,
    symbols=Symbols(reals=("x", "y", "w1", "w2", "c1", "c2", "v1", "v2", "b"),
                    functions=STANDARD_FUNCTIONS + ("tanh", "cosh", "sech")),
    questions=(DL_DW1, DL_DV1, DL_DB, DL_DW1_AT_ZERO, DL_DV1_AT_ZERO, DL_DB_AT_ZERO, SYMMETRY_GAP,
               INITIALIZE_PARAMETERS, FORWARD_PROPAGATION, COMPUTE_COST, BACKWARD_PROPAGATION, UPDATE_PARAMETERS, TRAIN,
               HIDDEN_UNIT_SPREAD, ANSWER_FIRST_STEP, ANSWER_CONSTANT_START, EXPLAIN_SYMMETRY),
)
