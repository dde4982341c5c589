"""Correct answers to linear_regression written differently from the solution: each must get full marks."""

CORRECT_VARIANTS = {
    "compute_cost/loop": ("compute_cost", '''
def compute_cost(X, y, w, b):
    m = X.shape[0]
    total = 0.0
    for i in range(m):
        total += (np.dot(X[i], w) + b - y[i]) ** 2
    return total / (2 * m)'''),
    "compute_cost/mean": ("compute_cost", '''
def compute_cost(X, y, w, b):
    return np.mean((X @ w + b - y) ** 2) / 2'''),
    "compute_cost/norm": ("compute_cost", '''
def compute_cost(X, y, w, b):
    return np.linalg.norm(X.dot(w) + b - y) ** 2 / (2 * len(y))'''),
    "compute_gradient/loops": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    m, n = X.shape
    dj_dw = np.zeros(n)
    dj_db = 0.0
    for i in range(m):
        err = sum(X[i, j] * w[j] for j in range(n)) + b - y[i]
        for j in range(n):
            dj_dw[j] += err * X[i, j]
        dj_db += err
    return dj_dw / m, dj_db / m'''),
    "compute_gradient/np.dot": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    err = np.dot(X, w) + b - y
    return np.dot(X.T, err) / X.shape[0], np.mean(err)'''),
    "compute_gradient/einsum": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    err = np.einsum("ij,j->i", X, w) + b - y
    return np.einsum("ij,i->j", X, err) / len(y), float(err.sum() / len(y))'''),
    "compute_gradient/list": ("compute_gradient", '''
def compute_gradient(X, y, w, b):
    err = X @ w + b - y
    return [X.T @ err / len(err), err.mean()]'''),
    "gradient_descent/inplace-on-copy": ("gradient_descent", '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    w, b = np.copy(w_in), float(b_in)
    J_history = []
    for _ in range(num_iters):
        g_w, g_b = compute_gradient(X, y, w, b)
        w -= alpha * g_w
        b -= alpha * g_b
        J_history.append(compute_cost(X, y, w, b))
    return w, b, J_history'''),
    "gradient_descent/deepcopy-array-history": ("gradient_descent", '''
import copy
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    w, b = copy.deepcopy(w_in), b_in
    history = np.zeros(num_iters)
    for k in range(num_iters):
        dw, db = compute_gradient(X, y, w, b)
        w, b = w - alpha * dw, b - alpha * db
        history[k] = compute_cost(X, y, w, b)
    return w, b, history'''),
    "dJ_dw/sum-form": ("dJ_dw", "dJ_dw = sp.Sum((w * x[i] + b - y[i]) * x[i], (i, 1, m)) / m"),
    "dJ_dw/expanded": ("dJ_dw", "dJ_dw = (w * sp.Sum(x[i]**2, (i, 1, m)) + b * sp.Sum(x[i], (i, 1, m))"
                                " - sp.Sum(x[i] * y[i], (i, 1, m))) / m"),
    "dJ_dw/two-over-two-m": ("dJ_dw", "dJ_dw = 2 * sp.Sum((w * x[i] + b - y[i]) * x[i], (i, 1, m)) / (2 * m)"),
    "dJ_dw/unevaluated-derivative": ("dJ_dw", "dJ_dw = sp.Derivative(J, w)"),
    "dJ_dw/other-index": ("dJ_dw", "k = sp.symbols('k', integer=True)\n"
                                   "dJ_dw = sp.Sum(x[k] * (x[k] * w + b - y[k]) / m, (k, 1, m))"),
    "dJ_db/doit-minus-form": ("dJ_db", "dJ_db = -sp.Sum(y[i] - w * x[i] - b, (i, 1, m)).doit() / m"),
    "dJ_dw_at_zero/closed-form": ("dJ_dw_at_zero", "dJ_dw_at_zero = -sp.Sum(x[i] * y[i], (i, 1, m)) / m"),
    "dJ_dw_at_zero/float-half": ("dJ_dw_at_zero", "dJ_dw_at_zero = -2 * 0.5 * sp.Sum(x[i] * y[i], (i, 1, m)) / m"),
    "dJ_db_at_zero/subs-sequential": ("dJ_db_at_zero", "dJ_db_at_zero = sp.diff(J, b).subs(w, 0).subs(b, 0)"),
    "answer_zero_init/lowercase": ("answer_zero_init", 'answer_zero_init = " b "'),
}
