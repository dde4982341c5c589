"""Build solutions/symmetry_breaking.ipynb (the nbgrader source notebook) from the cells below.

Run from the checkout: python wip/build_notebook.py. Test cells are left empty: `autograder
release` writes them from the declaration.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

NAME = "symmetry_breaking"


def md(grade_id: str, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip(), metadata={"nbgrader": {
        "grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False}})


def code(grade_id: str, source: str, *, solution: bool = False, locked: bool = True) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source.strip(), metadata={"nbgrader": {
        "grade": False, "grade_id": grade_id, "locked": locked and not solution, "schema_version": 3,
        "solution": solution}})


def test(question: str, points: int) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("", metadata={"nbgrader": {
        "grade": True, "grade_id": f"test_{question}", "locked": True, "points": points, "schema_version": 3,
        "solution": False}})


def answer(grade_id: str, body: str, shown: str = "") -> nbformat.NotebookNode:
    tail = f"\n{shown}" if shown else ""
    return code(grade_id, f"### BEGIN SOLUTION\n{body.strip()}\n### END SOLUTION{tail}", solution=True)


CELLS = [
    md("intro", r"""
# Symmetry breaking: why a hidden layer must not start at zero

The linear and logistic assignments showed that one neuron may start at w = 0, b = 0: its cost is
convex and the gradient at zero is not zero. A network with a hidden layer is different. Here you
derive, with sympy, what happens to two hidden units that start alike, implement a two-layer
network in NumPy, and watch the symmetry hold, or break, as it trains.
"""),
    code("setup", """
import numpy as np
import sympy as sp
import matplotlib.pyplot as plt

from source_lib import data, plots, self_check

check = self_check("symmetry_breaking")
check_all = check.all
"""),
    md("part1", r"""
## Part 1 — Two hidden units, one example, derived with sympy

One example (x, y) with a label y equal to 0 or 1. Two tanh hidden units and a sigmoid output:

$$h_k = \tanh(w_k x + c_k), \qquad \hat y = \sigma(v_1 h_1 + v_2 h_2 + b), \qquad
L = -\big(y \log \hat y + (1 - y) \log(1 - \hat y)\big).$$
"""),
    code("symbols", """
x, y, w1, w2, c1, c2, v1, v2, b = sp.symbols("x y w1 w2 c1 c2 v1 v2 b", real=True)
h1, h2 = sp.tanh(w1 * x + c1), sp.tanh(w2 * x + c2)
yhat = 1 / (1 + sp.exp(-(v1 * h1 + v2 * h2 + b)))
L = -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat))
L
"""),
    md("q_dL_dw1", "**Question 1.1 (2 points).** Define `dL_dw1`, the derivative of L with respect to w1."),
    answer("dL_dw1", "dL_dw1 = sp.diff(L, w1)", "dL_dw1"), test("dL_dw1", 2),
    md("q_dL_dv1", "**Question 1.2 (1 point).** Define `dL_dv1`, the derivative of L with respect to v1."),
    answer("dL_dv1", "dL_dv1 = sp.diff(L, v1)", "dL_dv1"), test("dL_dv1", 1),
    md("q_dL_db", "**Question 1.3 (1 point).** Define `dL_db`, the derivative of L with respect to b."),
    answer("dL_db", "dL_db = sp.diff(L, b)", "dL_db"), test("dL_db", 1),
    md("q_at_zero", """
**Question 1.4 (1 + 1 + 1 points).** Every parameter starts at 0. Define `dL_dw1_at_zero`,
`dL_dv1_at_zero` and `dL_db_at_zero`: your three derivatives with w1 = w2 = c1 = c2 = v1 = v2 = b = 0.
"""),
    answer("dL_dw1_at_zero", "zero = {w1: 0, w2: 0, c1: 0, c2: 0, v1: 0, v2: 0, b: 0}\n"
                             "dL_dw1_at_zero = sp.simplify(dL_dw1.doit().subs(zero))", "dL_dw1_at_zero"),
    test("dL_dw1_at_zero", 1),
    answer("dL_dv1_at_zero", "dL_dv1_at_zero = sp.simplify(dL_dv1.doit().subs(zero))", "dL_dv1_at_zero"),
    test("dL_dv1_at_zero", 1),
    answer("dL_db_at_zero", "dL_db_at_zero = sp.simplify(dL_db.doit().subs(zero))", "dL_db_at_zero"),
    test("dL_db_at_zero", 1),
    md("q_symmetry_gap", """
**Question 1.5 (2 points).** Suppose the two units start alike: w1 = w2, c1 = c2, v1 = v2. Define
`symmetry_gap`, the difference dL/dw1 - dL/dw2 there (derive dL/dw2 the same way).
"""),
    answer("symmetry_gap", "dL_dw2 = sp.diff(L, w2)\n"
                           "symmetry_gap = (dL_dw1 - dL_dw2).doit().subs({w2: w1, c2: c1, v2: v1})",
           "symmetry_gap"),
    test("symmetry_gap", 2),
    md("part2", r"""
## Part 2 — A two-layer network in NumPy

Rows are examples: `X` has shape (m, n_x), `y` shape (m,) with labels 0/1. The parameters are a
dict: `W1` (n_h, n_x) with one row per hidden unit, `b1` (n_h,), `W2` (n_h,), `b2` a float. The
hidden activation is "tanh", "relu" or "sigmoid"; the output unit is a sigmoid.
"""),
    md("q_initialize_parameters", """
**Question 2.1 (3 points).** `initialize_parameters(n_x, n_h, method, rng)`: "zeros" (everything 0),
"constant" (every weight 0.5, biases 0), "random" (weights 0.01 times standard normal draws from
`rng`, a `numpy.random.Generator`; biases 0), "he" (`W1` scaled by sqrt(2 / n_x), `W2` by
sqrt(2 / n_h); biases 0). Draw every random number from `rng`.
"""),
    code("initialize_parameters", '''
def initialize_parameters(n_x, n_h, method, rng):
    """The parameters dict of a network with n_x inputs and n_h hidden units."""
    ### BEGIN SOLUTION
    if method == "zeros":
        W1, W2 = np.zeros((n_h, n_x)), np.zeros(n_h)
    elif method == "constant":
        W1, W2 = np.full((n_h, n_x), 0.5), np.full(n_h, 0.5)
    elif method == "random":
        W1, W2 = 0.01 * rng.standard_normal((n_h, n_x)), 0.01 * rng.standard_normal(n_h)
    elif method == "he":
        W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(2.0 / n_x)
        W2 = rng.standard_normal(n_h) * np.sqrt(2.0 / n_h)
    else:
        raise ValueError(f"unknown method {method!r}")
    return {"W1": W1, "b1": np.zeros(n_h), "W2": W2, "b2": 0.0}
    ### END SOLUTION
''', solution=True),
    test("initialize_parameters", 3),
    md("q_forward_propagation", """
**Question 2.2 (2 points).** `forward_propagation(X, params, activation) -> (A2, cache)`: `A2` (m,)
the output probabilities; `cache` a dict with `Z1`, `A1` (m, n_h), `Z2`, `A2` (m,).
"""),
    code("forward_propagation", '''
def sigmoid(z):
    """The logistic function, without overflow for any z."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activate(Z, activation):
    """The hidden layer's activation g(Z)."""
    ### BEGIN SOLUTION
    if activation == "tanh":
        return np.tanh(Z)
    if activation == "relu":
        return np.maximum(Z, 0.0)
    if activation == "sigmoid":
        return sigmoid(Z)
    raise ValueError(f"unknown activation {activation!r}")
    ### END SOLUTION


def forward_propagation(X, params, activation):
    """Output probabilities A2 (m,) and the cache of the intermediate values."""
    ### BEGIN SOLUTION
    Z1 = X @ params["W1"].T + params["b1"]
    A1 = activate(Z1, activation)
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    ### END SOLUTION
''', solution=True),
    test("forward_propagation", 2),
    md("q_compute_cost", "**Question 2.3 (1 point).** `compute_cost(A2, y) -> float`: the mean binary cross-entropy."),
    code("compute_cost", '''
def compute_cost(A2, y):
    """Mean binary cross-entropy of the probabilities A2 against the labels y."""
    ### BEGIN SOLUTION
    return float(-np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2)))
    ### END SOLUTION
''', solution=True),
    test("compute_cost", 1),
    md("q_backward_propagation", """
**Question 2.4 (3 points).** `backward_propagation(X, y, params, cache, activation) -> grads`: a dict
`dW1`, `db1`, `dW2`, `db2`, each with the shape of its parameter.
"""),
    code("backward_propagation", '''
def activation_derivative(A1, Z1, activation):
    """g'(Z1), from the activation's output A1 where that is simpler."""
    ### BEGIN SOLUTION
    if activation == "tanh":
        return 1.0 - A1 ** 2
    if activation == "relu":
        return (Z1 > 0).astype(float)
    if activation == "sigmoid":
        return A1 * (1.0 - A1)
    raise ValueError(f"unknown activation {activation!r}")
    ### END SOLUTION


def backward_propagation(X, y, params, cache, activation):
    """The gradients of the mean cross-entropy with respect to every parameter."""
    ### BEGIN SOLUTION
    m = X.shape[0]
    dZ2 = cache["A2"] - y
    dW2 = cache["A1"].T @ dZ2 / m
    db2 = float(np.sum(dZ2)) / m
    dZ1 = np.outer(dZ2, params["W2"]) * activation_derivative(cache["A1"], cache["Z1"], activation)
    dW1 = dZ1.T @ X / m
    db1 = np.sum(dZ1, axis=0) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    ### END SOLUTION
''', solution=True),
    test("backward_propagation", 3),
    md("q_update_parameters", """
**Question 2.5 (2 points).** `update_parameters(params, grads, learning_rate) -> new params`, one
gradient-descent step. The input dicts and their arrays must stay as they were.
"""),
    code("update_parameters", '''
def update_parameters(params, grads, learning_rate):
    """New parameters, one step of gradient descent away; params and grads are left unchanged."""
    ### BEGIN SOLUTION
    return {name: params[name] - learning_rate * grads["d" + name] for name in params}
    ### END SOLUTION
''', solution=True),
    test("update_parameters", 2),
    md("q_train", """
**Question 2.6 (3 points).** `train(X, y, params, activation, learning_rate, num_iters) -> (params,
costs)`: start from the given parameters; `costs[k]` is the cost of iteration k's forward pass,
before its update, so `costs[0]` is the cost at the start; `num_iters` entries.
"""),
    code("train", '''
def train(X, y, params, activation, learning_rate, num_iters):
    """Gradient descent from params; the final parameters and the cost before each update."""
    ### BEGIN SOLUTION
    costs = []
    for _ in range(num_iters):
        A2, cache = forward_propagation(X, params, activation)
        costs.append(compute_cost(A2, y))
        grads = backward_propagation(X, y, params, cache, activation)
        params = update_parameters(params, grads, learning_rate)
    return params, costs
    ### END SOLUTION
''', solution=True),
    test("train", 3),
    md("q_hidden_unit_spread", """
**Question 2.7 (1 point).** `hidden_unit_spread(W1) -> float`: the largest difference between two
hidden units' weights, the maximum over columns of (max - min over rows); exactly 0.0 when all
rows are equal.
"""),
    code("hidden_unit_spread", '''
def hidden_unit_spread(W1):
    """How far apart the hidden units' weights are: 0.0 exactly when every row is the same."""
    ### BEGIN SOLUTION
    return float(np.max(np.max(W1, axis=0) - np.min(W1, axis=0)))
    ### END SOLUTION
''', solution=True),
    test("hidden_unit_spread", 1),
    md("part3", r"""
## Part 3 — Watch the symmetry

The two moons below cannot be split by a straight line: a network needs its hidden units to
compute *different* features. Train the same 4-unit tanh network from four starts, 300 steps each,
keeping every hidden unit's weight on feature 1 every 10 steps.
"""),
    code("experiment_starts", """
X_moons, y_moons = data.make_moons(200, 0.15, np.random.default_rng(0))
starts = {method: initialize_parameters(2, 4, method, np.random.default_rng(1))
          for method in ("zeros", "constant", "random", "he")}


def train_recording(params, activation, learning_rate, steps, every):
    \"\"\"train for `steps` iterations, in stretches of `every`, keeping W1[:, 0] and the spread after each.\"\"\"
    costs, weights, spreads = [], [params["W1"][:, 0].copy()], [hidden_unit_spread(params["W1"])]
    for _ in range(steps // every):
        params, stretch = train(X_moons, y_moons, params, activation, learning_rate, every)
        costs.extend(stretch)
        weights.append(params["W1"][:, 0].copy())
        spreads.append(hidden_unit_spread(params["W1"]))
    return params, costs, np.array(weights), spreads


def accuracy(params, activation):
    return np.mean((forward_propagation(X_moons, params, activation)[0] >= 0.5) == y_moons)


def report(runs, activation):
    for name, (params, costs, _, _) in runs.items():
        print(f"{name:16s} cost {costs[0]:.4f} -> {costs[-1]:.4f}   accuracy {accuracy(params, activation):6.1%}"
              f"   hidden_unit_spread {hidden_unit_spread(params['W1']):.3g}   b2 {params['b2']:+.3f}")


runs = {method: train_recording(params, "tanh", 2.0, 300, 10) for method, params in starts.items()}
report(runs, "tanh")
"""),
    code("plot_starts", """
plots.cost_curves({method: costs for method, (_, costs, _, _) in runs.items()},
                  "cost per start (tanh, 4 hidden units)", reference=np.log(2), reference_label="ln 2",
                  ylabel="cost")
plots.unit_weights({method: weights for method, (_, _, weights, _) in runs.items()},
                   "each hidden unit's weight on feature 1", every=10)
plots.decision_regions(X_moons, y_moons,
                       {method: lambda P, params=params: forward_propagation(P, params, "tanh")[0]
                        for method, (params, _, _, _) in runs.items()},
                       "what each start has learnt after 300 steps")
plt.show()
"""),
    md("part3_scale", r"""
ReLU units have g'(0) = 0, and a random start can be too small or too large. Train 4 ReLU units
from the small random start (0.01) and from He's. Then see what a `W1` ten or a hundred times
larger than He's does to tanh units before any training: every gradient that reaches `W1` and
`b1` is multiplied by tanh'(Z1) = 1 - tanh(Z1)**2.
"""),
    code("experiment_scale", """
relu_runs = {method: train_recording(starts[method], "relu", 2.0, 300, 10) for method in ("random", "he")}
report(relu_runs, "relu")
plots.cost_curves({f"relu, {method}": costs for method, (_, costs, _, _) in relu_runs.items()},
                  "cost per start (ReLU, 4 hidden units)", ylabel="cost")
plt.show()

for scale in (1, 10, 100):
    params = dict(starts["he"], W1=scale * starts["he"]["W1"])
    A2, cache = forward_propagation(X_moons, params, "tanh")
    print(f"W1 of He x {scale:3d}: {np.mean(np.abs(cache['A1']) > 0.99):5.1%} of the hidden outputs saturated"
          f" (|tanh| > 0.99); mean tanh'(Z1) = {np.mean(1 - cache['A1'] ** 2):.3f}")
"""),
    md("part3_perturbation", r"""
Now the constant start again, once exactly and once with W1[0, 0] moved by 1e-8: train both for
1000 steps (learning rate 6) and follow `hidden_unit_spread` on a log scale.
"""),
    code("experiment_perturbation", """
nudged = {name: np.copy(value) for name, value in starts["constant"].items()}
nudged["W1"][0, 0] += 1e-8
spread_runs = {"constant": train_recording(starts["constant"], "tanh", 6.0, 1000, 50),
               "nudged by 1e-8": train_recording(nudged, "tanh", 6.0, 1000, 50)}
report(spread_runs, "tanh")
plots.log_curves({name: spreads for name, (_, _, _, spreads) in spread_runs.items()},
                 "how far apart the hidden units are", "hidden_unit_spread(W1)", every=50)
plt.show()
"""),
    md("part4", "## Part 4 — What it means"),
    md("q_answer_first_step", """
**Question 4.1 (1 point).** Every parameter starts at 0, the hidden units are tanh, and 70% of the
labels are 1. Which parameters change in the first gradient-descent step?

- **A.** All of them: every gradient is (prediction - label) times something nonzero.
- **B.** Only the output bias b2: the hidden units output tanh(0) = 0, so W2 sees no signal, and
  W1 and b1 are multiplied by W2 = 0.
- **C.** None: at zero every gradient is zero, so nothing moves.
- **D.** W2 and b2, but not W1 and b1.

Set `answer_first_step` to the letter of your answer, as a string.
"""),
    code("answer_first_step", '### BEGIN SOLUTION\nanswer_first_step = "B"\n### END SOLUTION', solution=True),
    test("answer_first_step", 1),
    md("q_answer_constant_start", """
**Question 4.2 (1 point).** A hidden layer of 4 tanh units is trained from the constant start (every
weight 0.5). What does it compute after thousands of steps?

- **A.** The same as a layer with one hidden unit: the four units stay identical, whatever the data.
- **B.** Four different features, as from a random start, only learnt more slowly.
- **C.** Nothing: the cost stays at ln 2.
- **D.** The same as logistic regression on the inputs, because tanh is almost linear near 0.

Set `answer_constant_start` to the letter of your answer, as a string.
"""),
    code("answer_constant_start", '### BEGIN SOLUTION\nanswer_constant_start = "A"\n### END SOLUTION', solution=True),
    test("answer_constant_start", 1),
    md("q_explain_symmetry", """
**Question 4.3 (2 points, graded by your instructor).** Linear and logistic regression could start at
zero; this network cannot. In a few sentences, using what you derived and saw, explain the
difference, and what a random start changes.
"""),
    nbformat.v4.new_markdown_cell(
        "A single neuron has no hidden units to confuse: each weight's gradient at zero depends on its "
        "own feature, and the convex cost leads every start to the same minimum. In a hidden layer the "
        "units are interchangeable: if two start equal they receive equal gradients (symmetry_gap = 0) "
        "and stay equal, so the layer computes one feature however many units it has; from all zeros "
        "even that one never moves, since W2 = 0 blocks every hidden gradient and only b2 learns. A "
        "random start makes every unit different, so their gradients differ and each learns its own "
        "feature.", metadata={"nbgrader": {"grade": True, "grade_id": "explain_symmetry", "locked": False,
                                         "points": 2, "schema_version": 3, "solution": True}}),
    md("q_check_all", "Run the cell below to see every question's self-check at once."),
    code("check_all", "check_all()"),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    nb.cells = CELLS
    Path("solutions", f"{NAME}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")


if __name__ == "__main__":
    main()
