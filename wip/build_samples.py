"""Write the bundled sample submissions of symmetry_breaking (run from the checkout after release).

nina: correct, written differently (forms from tests/assignments/symmetry_breaking/correct_variants.py);
omar: the blank release; pia and quinn: classic mistakes; mallory: hostile; rex: a truncated file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from autograder.declarations import load
from autograder.validate import mutant_notebooks, solution_answers, student_notebook

NAME = "symmetry_breaking"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assignments" / "samples" / NAME / "submitted"

HOSTILE = {
    "dL_dw1": 'dL_dw1 = sp.Symbol("__import__(\'os\').system(\'touch /tmp/pwned\')")\ndL_dw1',
    "dL_db_at_zero": "dL_db_at_zero = sp.Integer(10) ** 400   # a 401-digit number\ndL_db_at_zero",
    "initialize_parameters": '''
import numpy
class Liar(dict):
    def __eq__(self, other): return True
def initialize_parameters(n_x, n_h, method, rng):
    return Liar(W1=numpy.zeros((n_h, n_x)))
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None''',
    "compute_cost": '''
import sys
class AlwaysRight(float):
    def __eq__(self, other): return True
def compute_cost(A2, y):
    return AlwaysRight(0.0)
try:
    print(open("solutions/symmetry_breaking.py").read()[:200])
except OSError as exc:
    print("could not read the solutions:", type(exc).__name__)
print("All tests passed! Score: 31/31")
open("results.json", "w").write('{"score": 31}')
sys.exit(0)''',
    "update_parameters": '''
def update_parameters(params, grads, learning_rate):
    for name in params:
        params[name] -= learning_rate * grads["d" + name]   # in place, and the caller's dicts change
    return params''',
}


def main() -> None:
    layout_solution = ROOT / "solutions" / f"{NAME}.ipynb"
    solution, release = layout_solution.read_text(), (ROOT / "assignments" / f"{NAME}.ipynb").read_text()
    answers = solution_answers(solution)
    spec = importlib.util.spec_from_file_location("forms", ROOT / "tests" / "assignments" / NAME / "correct_variants.py")
    assert spec and spec.loader
    forms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forms)
    nina = dict(answers)
    for cell, code in forms.CORRECT_VARIANTS.values():
        nina[cell] = code.strip()
    nina["explain_symmetry"] = "Equal units get equal gradients and stay equal; a random start makes them differ."
    mutants = mutant_notebooks(load(NAME), solution)

    def with_mistakes(*names: str) -> dict[str, str]:
        chosen = dict(answers)
        for name in names:
            chosen.update({cell: code for cell, code in solution_answers(mutants[name]).items()
                           if code != answers.get(cell)})
        return chosen

    notebooks = {
        "nina": student_notebook(release, nina),
        "omar": release,
        "pia": student_notebook(release, with_mistakes("initialize_parameters--zeros_for_random",
                                                       "backward_propagation--sigmoid_derivative_for_tanh",
                                                       "answer_first_step--everything_moves")),
        "quinn": student_notebook(release, with_mistakes("initialize_parameters--global_random",
                                                         "update_parameters--gradient_added",
                                                         "symmetry_gap--not_substituted", "dL_db_at_zero--everything_zero")),
        "mallory": student_notebook(release, {**answers, **{k: v.strip() for k, v in HOSTILE.items()}}),
    }
    for student, text in notebooks.items():
        path = OUT / student / NAME / f"{NAME}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    truncated = OUT / "rex" / NAME / f"{NAME}.ipynb"
    truncated.parent.mkdir(parents=True, exist_ok=True)
    truncated.write_text(notebooks["nina"][: len(notebooks["nina"]) // 3], encoding="utf-8")


if __name__ == "__main__":
    main()
