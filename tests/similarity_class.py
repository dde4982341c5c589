"""A small honest class of ``linear_regression`` for the similarity tests, and ways to disguise a copy.

Every notebook is the real released notebook with its answer cells filled in: the solution's
answers (``original``), a correct answer written differently for every cell
(``tests/assignments/linear_regression/correct_variants.py``: ``independent``), or the three NumPy
functions as five students might write them on their own (``HONEST``). The sympy cells of the
honest students hold ``sp.diff``, as most students write them.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Mapping
from pathlib import Path

from autograder.config import CourseLayout
from autograder.validate import solution_answers, student_notebook

NAME = "linear_regression"
LAYOUT = CourseLayout.default()
RELEASE = LAYOUT.release(NAME).read_text(encoding="utf-8")
SOLUTION = solution_answers(LAYOUT.solution(NAME).read_text(encoding="utf-8"))
SYMPY = {"dJ_dw": "dJ_dw = sp.diff(J, w)\ndJ_dw", "dJ_db": "dJ_db = sp.diff(J, b)\ndJ_db",
         "dJ_dw_at_zero": "dJ_dw_at_zero = dJ_dw.subs({w: 0, b: 0})\ndJ_dw_at_zero",
         "dJ_db_at_zero": "dJ_db_at_zero = dJ_db.subs({w: 0, b: 0})\ndJ_db_at_zero",
         "answer_zero_init": 'answer_zero_init = "B"'}

HONEST = {
    "loops": {
        "compute_cost": '''
def compute_cost(X, y, w, b):
    total = 0
    for row, target in zip(X, y):
        total = total + (row.dot(w) + b - target) ** 2
    return total / (2 * len(y))''',
        "compute_gradient": '''
def compute_gradient(X, y, w, b):
    gw = np.zeros_like(w, dtype=float)
    gb = 0.0
    for row, target in zip(X, y):
        e = row.dot(w) + b - target
        gw = gw + e * row
        gb = gb + e
    return gw / len(y), gb / len(y)''',
        "gradient_descent": '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    w, b, hist = np.array(w_in, dtype=float), float(b_in), []
    k = 0
    while k < num_iters:
        gw, gb = compute_gradient(X, y, w, b)
        w, b = w - alpha * gw, b - alpha * gb
        hist.append(compute_cost(X, y, w, b))
        k += 1
    return w, b, hist'''},
    "means": {
        "compute_cost": '''
def compute_cost(X, y, w, b):
    return 0.5 * np.mean(np.square(np.dot(X, w) + b - y))''',
        "compute_gradient": '''
def compute_gradient(X, y, w, b):
    r = np.dot(X, w) + b - y
    return np.mean(X * r[:, None], axis=0), np.mean(r)''',
        "gradient_descent": '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    params = [w_in.astype(float), b_in]
    costs = [None] * num_iters
    for t in range(num_iters):
        g = compute_gradient(X, y, *params)
        params = [params[0] - alpha * g[0], params[1] - alpha * g[1]]
        costs[t] = compute_cost(X, y, *params)
    return params[0], params[1], costs'''},
    "augmented": {
        "compute_cost": '''
def compute_cost(X, y, w, b):
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    r = A @ np.append(w, b) - y
    return r.dot(r) / (2.0 * len(r))''',
        "compute_gradient": '''
def compute_gradient(X, y, w, b):
    A = np.column_stack([X, np.ones(len(X))])
    g = A.T @ (A @ np.append(w, b) - y) / len(X)
    return g[:-1], g[-1]''',
        "gradient_descent": '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    theta = np.append(w_in, b_in).astype(float)
    J = []
    for _ in range(num_iters):
        gw, gb = compute_gradient(X, y, theta[:-1], theta[-1])
        theta = theta - alpha * np.append(gw, gb)
        J.append(compute_cost(X, y, theta[:-1], theta[-1]))
    return theta[:-1], theta[-1], J'''},
    "einsum": {
        "compute_cost": '''
def compute_cost(X, y, w, b):
    preds = np.einsum("ij,j->i", X, w) + b
    return sum((p - t) ** 2 for p, t in zip(preds, y)) / (2 * len(y))''',
        "compute_gradient": '''
def compute_gradient(X, y, w, b):
    diff = np.einsum("ij,j->i", X, w) + b - y
    return np.einsum("i,ij->j", diff, X) / len(y), diff.sum() / len(y)''',
        "gradient_descent": '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    w = np.copy(w_in)
    b = b_in
    history = []
    for step in range(1, num_iters + 1):
        dw, db = compute_gradient(X, y, w, b)
        w, b = w - alpha * dw, b - alpha * db
        history += [compute_cost(X, y, w, b)]
    return w, b, history'''},
    "closure": {
        "compute_cost": '''
def compute_cost(X, y, w, b):
    return np.linalg.norm(X @ w + b - y) ** 2 / (2 * X.shape[0])''',
        "compute_gradient": '''
def compute_gradient(X, y, w, b):
    n_rows = X.shape[0]
    delta = (X @ w + b) - y
    return (delta @ X) / n_rows, np.sum(delta) / n_rows''',
        "gradient_descent": '''
def gradient_descent(X, y, w_in, b_in, alpha, num_iters):
    def step(state):
        gw, gb = compute_gradient(X, y, *state)
        return state[0] - alpha * gw, state[1] - alpha * gb
    state, costs = (w_in.copy(), b_in), []
    while len(costs) < num_iters:
        state = step(state)
        costs.append(compute_cost(X, y, *state))
    return state[0], state[1], costs'''},
}

RENAMES = {"X": "feats", "y": "target", "w": "weights", "b": "bias", "m": "count", "errors": "resid",
           "dj_dw": "gw", "dj_db": "gb", "alpha": "rate", "num_iters": "n_steps", "J_history": "trace",
           "w_in": "w0", "b_in": "b0"}


def notebook(answers: Mapping[str, str]) -> str:
    """The released notebook with these answer cells (by grade_id) filled in."""
    return student_notebook(RELEASE, {cell: code.strip("\n") for cell, code in answers.items()})


def variants() -> dict[str, str]:
    """The first correct answer written differently for each cell."""
    path = Path(__file__).resolve().parent / "assignments" / NAME / "correct_variants.py"
    spec = importlib.util.spec_from_file_location(f"similarity_variants_{NAME}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: dict[str, str] = {}
    for cell, code in module.CORRECT_VARIANTS.values():
        found.setdefault(cell, code)
    return found


def honest_class() -> dict[str, str]:
    """Five honest students, and one who left every answer blank."""
    return {**{f"honest-{style}": notebook({**SYMPY, **cells}) for style, cells in HONEST.items()},
            "blank": RELEASE}


def renamed(code: str) -> str:
    """Names renamed (not the graded function and sympy names), docstrings and comments reworded."""
    code = re.sub(r'"""[^"]*"""', "# reworded", code)
    code = re.sub(r"#[^\n]*", "# my own words", code)
    pattern = r"\b(" + "|".join(map(re.escape, RENAMES)) + r")\b(?![^\n]*sp\.)"
    return re.sub(pattern, lambda m: RENAMES[m.group(1)], code)


def merged_and_moved(text: str) -> str:
    """compute_cost moved into compute_gradient's cell (after it); gradient_descent's cell moved up."""
    node = json.loads(text)
    cells = node["cells"]

    def cell(grade_id: str) -> dict[str, object]:
        return next(c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)

    gradient, cost, descent = cell("compute_gradient"), cell("compute_cost"), cell("gradient_descent")
    gradient["source"] = "".join(gradient["source"]) + "\n\n\n" + "".join(cost["source"])  # type: ignore[call-overload]
    cost["source"] = "# compute_cost is in the cell with compute_gradient"
    cells.remove(descent)
    cells.insert(cells.index(cost), descent)
    return json.dumps(node)


def padded(code: str) -> str:
    """A junk statement after every line, indented like the line that follows it."""
    lines, out = code.split("\n"), []
    for k, line in enumerate(lines):
        out.append(line)
        following = lines[k + 1] if k + 1 < len(lines) else line
        out.append(following[: len(following) - len(following.lstrip())] + f"junk_{k} = len('{k}')")
    return "\n".join(out)
