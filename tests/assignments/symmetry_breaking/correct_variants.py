"""Correct answers to symmetry_breaking written differently from the solution: each must get full marks."""

CORRECT_VARIANTS = {
    # -- sympy
    "dL_dw1/by-hand-1-minus-tanh2": ("dL_dw1", "dL_dw1 = (yhat - y) * v1 * (1 - h1**2) * x"),
    "dL_dw1/by-hand-sech2": ("dL_dw1", "dL_dw1 = (yhat - y) * v1 * sp.sech(w1 * x + c1)**2 * x"),
    "dL_dw1/unevaluated": ("dL_dw1", "dL_dw1 = sp.Derivative(L, w1)"),
    "dL_dv1/by-hand": ("dL_dv1", "dL_dv1 = (yhat - y) * h1"),
    "dL_db/exp-form": ("dL_db", "z = v1 * h1 + v2 * h2 + b\ndL_db = sp.exp(z) / (1 + sp.exp(z)) - y"),
    "dL_db_at_zero/rational": ("dL_db_at_zero", "dL_db_at_zero = sp.Rational(1, 2) - y"),
    "dL_dw1_at_zero/subs-unsimplified": ("dL_dw1_at_zero",
                                         "zero = {w1: 0, w2: 0, c1: 0, c2: 0, v1: 0, v2: 0, b: 0}\n"
                                         "dL_dw1_at_zero = dL_dw1.subs(zero)"),
    "symmetry_gap/xreplace": ("symmetry_gap",
                              "symmetry_gap = (sp.diff(L, w1) - sp.diff(L, w2)).xreplace({w2: w1, c2: c1, v2: v1})"),
    # -- numpy
    "initialize_parameters/normal-with-scale": ("initialize_parameters", '''
def initialize_parameters(n_x, n_h, method, rng):
    if method == "zeros":
        return {"W1": np.zeros((n_h, n_x)), "b1": np.zeros(n_h), "W2": np.zeros(n_h), "b2": 0.0}
    if method == "constant":
        return {"W1": 0.5 * np.ones((n_h, n_x)), "b1": np.zeros(n_h), "W2": 0.5 * np.ones(n_h), "b2": 0.0}
    scale1, scale2 = (0.01, 0.01) if method == "random" else (np.sqrt(2 / n_x), np.sqrt(2 / n_h))
    W2 = rng.normal(0.0, scale2, size=n_h)          # drawn in another order than the solution
    W1 = rng.normal(0.0, scale1, size=(n_h, n_x))
    return {"W1": W1, "b1": np.zeros(n_h), "W2": W2, "b2": 0.0}'''),
    "forward_propagation/loops-over-units": ("forward_propagation", '''
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def forward_propagation(X, params, activation):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1 = np.column_stack([X @ W1[k] + b1[k] for k in range(W1.shape[0])])
    A1 = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "sigmoid": sigmoid}[activation](Z1)
    Z2 = A1 @ W2 + b2
    return sigmoid(Z2), {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": sigmoid(Z2), "extra": "kept"}'''),
    "compute_cost/loop": ("compute_cost", '''
def compute_cost(A2, y):
    total = 0.0
    for a, label in zip(A2, y):
        total -= np.log(a) if label == 1 else np.log(1 - a)
    return total / len(y)'''),
    "backward_propagation/einsum": ("backward_propagation", '''
def backward_propagation(X, y, params, cache, activation):
    m = len(y)
    A1, Z1 = cache["A1"], cache["Z1"]
    dZ2 = cache["A2"] - y
    g_prime = {"tanh": 1 - A1 ** 2, "relu": (Z1 > 0) * 1.0, "sigmoid": A1 * (1 - A1)}[activation]
    dZ1 = dZ2[:, None] * params["W2"][None, :] * g_prime
    return {"dW1": np.einsum("ik,ij->kj", dZ1, X) / m, "db1": dZ1.mean(axis=0),
            "dW2": np.einsum("ik,i->k", A1, dZ2) / m, "db2": dZ2.mean()}'''),
    "update_parameters/copies": ("update_parameters", '''
import copy
def update_parameters(params, grads, learning_rate):
    new = copy.deepcopy(params)
    for name in new:
        new[name] = new[name] - learning_rate * grads["d" + name]
    return new'''),
    "train/while-array-costs": ("train", '''
def train(X, y, params, activation, learning_rate, num_iters):
    costs = np.zeros(num_iters)
    k = 0
    while k < num_iters:
        A2, cache = forward_propagation(X, params, activation)
        costs[k] = compute_cost(A2, y)
        params = update_parameters(params, backward_propagation(X, y, params, cache, activation), learning_rate)
        k += 1
    return params, costs'''),
    "hidden_unit_spread/ptp": ("hidden_unit_spread", '''
def hidden_unit_spread(W1):
    return float(np.ptp(W1, axis=0).max())'''),
    "answer_first_step/lower-case": ("answer_first_step", 'answer_first_step = "b"'),
    "answer_constant_start/spaces": ("answer_constant_start", 'answer_constant_start = " A "'),
}
