"""The engine is generic: no text of the judge, the self-check or the grader names an assignment.

Wording that belongs to one assignment (its formulas, its parts, its variables) lives in that
assignment's declaration (``hints``, ``wrong_feedback``, misconception feedback), so a new
assignment never reads another one's advice. This scans every string literal (docstrings
and comments aside) of the generic modules for words of the two assignments.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERIC = sorted([*(ROOT / "source_lib" / "judge").glob("*.py"), ROOT / "source_lib" / "selfcheck.py",
                  ROOT / "source_lib" / "export.py", ROOT / "source_lib" / "wire.py",
                  *(p for p in (ROOT / "autograder").rglob("*.py") if p.name != "cli.py")])
# cli.py is left out only for its usage example ("assignment name, e.g. linear_regression").

ASSIGNMENT_WORDS = (
    "prediction", "w_in", "b_in", "part 1", "part 2", "part 3", "part 4", "1/2m", "1/(2m)", "2m)",
    "linear", "logistic", "regression", "sigmoid", "compute_cost", "compute_gradient", "gradient_descent",
    "predict(", "dj_dw", "dj_db", "j_history", "num_iters", "cross-entropy", "the square", "factor 1/2",
    "in the cost", "per iteration", "m = 1, 2, 3", "(j, w)", "(w, b)", "decision boundary", "zero init",
)


def _texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_scan_covers_the_engine() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in GENERIC}
    assert {"source_lib/judge/symbolic.py", "source_lib/judge/diagnose.py", "source_lib/judge/answers.py",
            "source_lib/judge/numeric.py", "source_lib/selfcheck.py", "autograder/pipeline.py",
            "autograder/grade.py"} <= names


@pytest.mark.parametrize("path", GENERIC, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_generic_modules_name_no_assignment(path: Path) -> None:
    found = [(line, word, text[:80]) for line, text in _texts(path) for word in ASSIGNMENT_WORDS
             if word in text.lower()]
    assert not found, (f"{path.relative_to(ROOT)} has assignment wording: move it into the declaration "
                       f"(hints=, wrong_feedback=, misconception feedback) or phrase it generically: {found}")


def test_the_scan_would_catch_the_old_wording(tmp_path: Path) -> None:
    old = tmp_path / "old.py"
    old.write_text('"""Doc: (prediction - y) is fine here."""\n'
                   'MESSAGE = "check (prediction - y) versus (y - prediction)"\n'
                   'NOTE = f"Checked for m = 1, 2, 3 in Part 3"\n', encoding="utf-8")
    words = {word for _, text in _texts(old) for word in ASSIGNMENT_WORDS if word in text.lower()}
    assert words == {"prediction", "part 3", "m = 1, 2, 3"}
