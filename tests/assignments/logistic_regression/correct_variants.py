"""Correct answers to logistic_regression written differently from the solution: each must get full marks."""

CORRECT_VARIANTS = {
    # -- sigmoid: other stable forms (each right in both tails, no overflow)
    "sigmoid/logaddexp": ("sigmoid", '''
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))'''),
    "sigmoid/masks": ("sigmoid", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out if out.ndim else out.item()'''),
    "sigmoid/math-vectorize": ("sigmoid", '''
import math
def _stable(t):
    return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))
def sigmoid(z):
    return np.vectorize(_stable, otypes=[float])(z)'''),
    "sigmoid/where-clipped-exponent": ("sigmoid", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(np.minimum(z, -z))          # exp(-|z|)
    return np.where(z < 0, e / (1 + e), 1 / (1 + e))[()]'''),
    # -- compute_cost
    "compute_cost/loop": ("compute_cost", '''
def compute_cost(X, y, w, b):
    m = len(y)
    total = 0.0
    for i in range(m):
        p = sigmoid(np.dot(X[i], w) + b)
        total += -np.log(p) if y[i] == 1 else -np.log(1.0 - p)
    return total / m'''),
    "compute_cost/logaddexp": ("compute_cost", '''
def compute_cost(X, y, w, b):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0.0, z) - y * z))'''),
    "compute_cost/dot": ("compute_cost", '''
def compute_cost(X, y, w, b):
    f = sigmoid(np.dot(X, w) + b)
    return -(y @ np.log(f) + (1 - y) @ np.log(1 - f)) / len(y)'''),
    # -- compute_gradient
    "compute_gradient/loops": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    m, n = X.shape
    dj_dw = np.zeros(n)
    dj_db = 0.0
    for i in range(m):
        err = sigmoid(sum(X[i, j] * w[j] for j in range(n)) + b) - y[i]
        for j in range(n):
            dj_dw[j] += err * X[i, j]
        dj_db += err
    return dj_dw / m, dj_db / m'''),
    "compute_gradient/broadcast-mean": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    r = sigmoid(X @ w + b) - y
    return (r[:, None] * X).mean(axis=0), r.mean()'''),
    "compute_gradient/list": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    r = sigmoid(np.dot(X, w) + b) - y
    return [np.dot(X.T, r) / len(r), float(np.mean(r))]'''),
    # -- gradient_descent
    "gradient_descent/while-loop": ("gradient_descent", '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    w, b = np.array(w_in, dtype=float), float(b_in)
    history = []
    step = 0
    while step < num_iters:
        gw, gb = compute_gradient(X, y, w, b)
        w, b = w - alpha * gw, b - alpha * gb
        history.append(compute_cost(X, y, w, b))
        step += 1
    return w, b, history'''),
    "gradient_descent/inplace-on-copy-array-history": ("gradient_descent", '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    w, b = np.copy(w_in), b_in
    J_history = np.zeros(num_iters)
    for k in range(num_iters):
        g_w, g_b = compute_gradient(X, y, w, b)
        w -= alpha * g_w
        b -= alpha * g_b
        J_history[k] = compute_cost(X, y, w, b)
    return w, b, J_history'''),
    # -- predict
    "predict/where-on-z": ("predict", '''
def predict(X, w, b):
    return np.where(X @ w + b >= 0, 1.0, 0.0)   # sigma(z) >= 1/2 exactly when z >= 0'''),
    "predict/booleans": ("predict", '''
def predict(X, w, b):
    return sigmoid(X @ w + b) >= 0.5'''),
    "predict/loop": ("predict", '''
def predict(X, w, b):
    labels = np.zeros(X.shape[0], dtype=int)
    for i in range(X.shape[0]):
        if sigmoid(np.dot(X[i], w) + b) >= 0.5:
            labels[i] = 1
    return labels'''),
    # -- sympy: other forms of the sigmoid, other indices, unsimplified
    "dJ_dw/exp-over-one-plus-exp": ("dJ_dw", "dJ_dw = sp.Sum((sp.exp(w * x[i] + b) / (1 + sp.exp(w * x[i] + b)) "
                                             "- y[i]) * x[i], (i, 1, m)) / m"),
    "dJ_dw/tanh": ("dJ_dw", "dJ_dw = sp.Sum(((1 + sp.tanh((w * x[i] + b) / 2)) / 2 - y[i]) * x[i], (i, 1, m)) / m"),
    "dJ_dw/unevaluated-derivative": ("dJ_dw", "dJ_dw = sp.Derivative(J, w)"),
    "dJ_db/one-minus-sigma-of-minus-z": ("dJ_db", "dJ_db = sp.Sum(1 - 1 / (1 + sp.exp(w * x[i] + b)) - y[i], "
                                                  "(i, 1, m)) / m"),
    "dJ_db/other-index-tanh": ("dJ_db", "k = sp.symbols('k', integer=True, positive=True)\n"
                                        "dJ_db = sp.Sum((1 + sp.tanh((w * x[k] + b) / 2)) / 2 - y[k], (k, 1, m)) / m"),
    "dJ_dw_at_zero/closed-form": ("dJ_dw_at_zero", "dJ_dw_at_zero = sp.Sum(x[i] * (sp.Rational(1, 2) - y[i]), "
                                                   "(i, 1, m)) / m"),
    "dJ_dw_at_zero/simplified": ("dJ_dw_at_zero", "dJ_dw_at_zero = sp.simplify(dJ_dw.subs({w: 0, b: 0}))"),
    "dJ_db_at_zero/half-minus-mean": ("dJ_db_at_zero",
                                      "dJ_db_at_zero = sp.Rational(1, 2) - sp.Sum(y[i], (i, 1, m)) / m"),
    "dJ_db_at_zero/float-half": ("dJ_db_at_zero", "dJ_db_at_zero = 0.5 - sp.Sum(y[i], (i, 1, m)) / m"),
    "J_at_zero/log4-over-2": ("J_at_zero", "J_at_zero = sp.log(4) / 2"),
    "J_at_zero/minus-log-half": ("J_at_zero", "J_at_zero = -sp.log(sp.Rational(1, 2))"),
    "J_at_zero/sum-left-over-y": ("J_at_zero", "J_at_zero = J.subs({w: 0, b: 0})"),
    "answer_zero_init/lowercase": ("answer_zero_init", 'answer_zero_init = " b "'),
}
