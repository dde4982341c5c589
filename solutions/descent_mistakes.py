"""Catalogued mistakes shared by declarations whose gradient and gradient-descent cells are written alike.

A declaration imports them relatively (``from .descent_mistakes import ...``). Each edit's
``old`` text must occur in that declaration's solution cell, which ``release`` checks:

- compute_gradient: ``m = X.shape[0]``, then ``dj_dw = X.T @ errors / m`` and
  ``dj_db = float(np.sum(errors)) / m`` on two consecutive lines, and ``return dj_dw, dj_db``;
- gradient_descent: ``w = w_in.copy()``, a loop ``for _ in range(num_iters):`` whose body computes
  the gradient, then ``w = w - alpha * dj_dw`` and ``b = b - alpha * dj_db`` on two lines, then
  appends the cost to ``J_history``.
"""

from __future__ import annotations

from source_lib.judge.spec import Misconception

GRADIENT_LINES = "dj_dw = X.T @ errors / m\n    dj_db = float(np.sum(errors)) / m"

# Two mistakes of any mean gradient that each declaration places among its model's own ones (a
# case names the first misconception it matches, so their place in the catalogue matters).
MISSING_1_OVER_M = Misconception(
    "missing_1_over_m", "Your gradient is m times too large: did you forget 1/m?",
    ((GRADIENT_LINES, "dj_dw = X.T @ errors\n    dj_db = float(np.sum(errors))"),))
SWAPPED_RETURN = Misconception(
    "swapped_return", "You returned (dj_db, dj_dw): this function must return dj_dw first, then dj_db.",
    (("return dj_dw, dj_db", "return dj_db, dj_dw"),))

# Mistakes of the mean gradient common to every model: after the model's own mistakes, since a
# case names the first misconception it matches.
GRADIENT_MISCONCEPTIONS = (
    Misconception("missing_x_in_dw", "dj_dw is missing the feature values: each component of "
                  "the gradient weighs the errors by its own feature, so the components differ.",
                  (("dj_dw = X.T @ errors / m", "dj_dw = np.full(w.shape, np.sum(errors)) / m"),)),
    Misconception("db_not_averaged", "dj_db is m times too large: like dj_dw, it is an "
                  "average over the examples.",
                  (("dj_db = float(np.sum(errors)) / m", "dj_db = float(np.sum(errors))"),)),
    Misconception("column_vector", "dj_dw has shape (n, 1): keep it one-dimensional, shape "
                  "(n,), like w.", (("return dj_dw, dj_db", "return dj_dw.reshape(-1, 1), dj_db"),)),
    Misconception("divided_by_n", "You divided by n (the number of features) instead of m (the "
                  "number of examples): check which axis of X counts the examples.",
                  (("m = X.shape[0]", "m = X.shape[1]"),)),
)

_UPDATE = "w = w - alpha * dj_dw\n        b = b - alpha * dj_db"

DESCENT_MISCONCEPTIONS = (
    Misconception("non_simultaneous", "The update is not simultaneous: you recomputed the "
                  "gradient after changing w. Compute dj_dw and dj_db once per iteration, "
                  "then update both.",
                  ((_UPDATE, "w = w - alpha * dj_dw\n        dj_dw, dj_db = compute_gradient(X, y, w, b)\n"
                             "        b = b - alpha * dj_db"),)),
    Misconception("b_updated_first", "The update is not simultaneous: you recomputed the "
                  "gradient after changing b. Compute dj_dw and dj_db once per iteration, "
                  "then update both.",
                  ((_UPDATE, "b = b - alpha * dj_db\n        dj_dw, dj_db = compute_gradient(X, y, w, b)\n"
                             "        w = w - alpha * dj_dw"),)),
    Misconception("one_iteration_short", "Your loop runs one step fewer than num_iters: check "
                  "the range of your loop, and that J_history has exactly num_iters entries.",
                  (("for _ in range(num_iters):", "for _ in range(num_iters - 1):"),)),
    Misconception("mutates_w_in", "gradient_descent changed the caller's w_in: work on a copy "
                  "and update without writing into the caller's array, so a later run from the "
                  "same start really starts from there.",
                  (("w = w_in.copy()", "w = w_in"), ("w = w - alpha * dj_dw", "w -= alpha * dj_dw"))),
    Misconception("gradient_ascent", "You added the gradient: gradient DESCENT subtracts "
                  "alpha times the gradient, otherwise the cost grows.",
                  ((_UPDATE, "w = w + alpha * dj_dw\n        b = b + alpha * dj_db"),)),
    Misconception("history_before_update", "J_history is off by one iteration: record the "
                  "cost AFTER each update.",
                  (("        J_history.append(compute_cost(X, y, w, b))\n", ""),
                   ("        dj_dw, dj_db = compute_gradient(X, y, w, b)\n",
                    "        J_history.append(compute_cost(X, y, w, b))\n"
                    "        dj_dw, dj_db = compute_gradient(X, y, w, b)\n"))),
)
