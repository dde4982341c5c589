"""The same declaration drives real nbgrader: for every assignment, its test cells grade in
`nbgrader autograde`, and its released notebook runs top to bottom in a real Jupyter kernel.
The tests named after linear_regression check what its own notebook and mistakes show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from source_lib.judge.spec import ChoiceQuestion
from tests.conftest import NAME, Course

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


SCORES = """
import json, sys
from nbgrader.api import Gradebook
name = sys.argv[1]
with Gradebook("sqlite:///gradebook.db") as gb:
    notebook = lambda s: gb.find_submission_notebook(name, name, s)
    print(json.dumps({s: {g.name: g.score for g in notebook(s).grades} for s in sys.argv[2:]}))
"""


def extra_submissions(course: Course) -> dict[str, str]:
    """Submissions some tests below need for one assignment's own mistakes (linear_regression's)."""
    if course.name != NAME:
        return {}
    return {"no_bias": course.notebook_with(compute_gradient="def compute_gradient(X, y, w, b):\n"
                                            "    e = X @ w - y\n    return X.T @ e / len(y), e.mean()")}


@pytest.fixture(scope="module")
def autograded(tmp_path_factory: pytest.TempPathFactory, course: Course) -> dict[str, dict[str, float]]:
    """nbgrader's scores per student and test cell: the solution, the blank release (and the extras)."""
    name = course.name
    root = tmp_path_factory.mktemp(f"nbgrader-{name}")
    (root / "source" / name).mkdir(parents=True)
    (root / "source" / name / f"{name}.ipynb").write_text(course.solution_text)
    submissions = {"correct": course.notebook_with(), "blank": course.release_text, **extra_submissions(course)}
    for student, text in submissions.items():
        folder = root / "submitted" / student / name
        folder.mkdir(parents=True)
        (folder / f"{name}.ipynb").write_text(text)
    nbgrader(root, "generate_assignment", name, "--force")
    nbgrader(root, "autograde", name, "--force")
    done = subprocess.run([sys.executable, "-c", SCORES, name, *submissions], cwd=root, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def test_nbgrader_gives_the_solution_full_marks(autograded: dict, course: Course) -> None:
    scores = autograded["correct"]
    for question in course.assignment.auto_questions:
        assert scores[f"test_{question.id}"] == question.points, question.id


def test_nbgrader_gives_the_blank_release_zero(autograded: dict, course: Course) -> None:
    assert all(autograded["blank"][f"test_{q.id}"] == 0 for q in course.assignment.auto_questions)


@pytest.mark.parametrize("course", [NAME], indirect=True)
def test_nbgrader_gives_partial_credit_from_the_hidden_cases(autograded: dict) -> None:
    # linear_regression: ignoring b is right only on the zero-init public case: 1 of 5 cases
    assert autograded["no_bias"]["test_compute_gradient"] == pytest.approx(3 * 1 / 5)
    assert autograded["no_bias"]["test_compute_cost"] == 2


def run_in_kernel(text: str) -> nbformat.NotebookNode:
    return execute(nbformat.reads(text, as_version=4))


def execute(node: nbformat.NotebookNode) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    NotebookClient(node, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return node


def test_filled_release_runs_top_to_bottom_and_checks_pass(course: Course) -> None:
    node = run_in_kernel(course.notebook_with())
    code = [c for c in node.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[:1]
    checks = {c.source: "".join(o.get("text", "") for o in c.outputs) for c in code if c.source.startswith("check(")}
    assert len(checks) == len(course.assignment.auto_questions)
    for question in course.assignment.auto_questions:
        if isinstance(question, ChoiceQuestion):  # a choice is only recorded before submission
            recorded = checks.pop(f'check("{question.id}")')
            assert recorded.startswith(f"\u2022 {question.id}: Answer ") and "recorded" in recorded
            assert "\u2714" not in recorded
    assert checks and all(text.startswith("\u2714") for text in checks.values()), checks


def test_linear_regressions_first_experiment_shows_different_starts_reaching_one_minimum(
        notebook_with: Callable[..., str]) -> None:
    node = nbformat.reads(notebook_with(), as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in node.cells}
    # the curves start apart (not four identical lines) and the figure draws each run
    probe = nbformat.v4.new_code_cell("import json\nfigure = plt.gcf()\n"
                                      "print(json.dumps([[h[0] for (_, _, h) in runs.values()],"
                                      " [len(ax.lines) for ax in figure.axes]]))")
    node.cells.append(probe)
    execute(node)
    printed = "".join(o.get("text", "") for o in by_id["experiment_inits"].outputs).splitlines()
    finals = {line.split("final cost")[1].split()[0] for line in printed}
    assert len(printed) == 4 and len(finals) == 1, printed  # four starts, one final cost
    first_costs, lines = json.loads(probe.outputs[0]["text"])
    assert min(first_costs) * 3 < max(first_costs), first_costs
    assert lines[0] == 5 and lines[1] == 4, lines  # four runs and the minimum; four runs on the log scale


def test_linear_regressions_notebook_texts_say_what_the_experiments_show(release_text: str) -> None:
    text = release_text
    assert "(and logistic)" not in text  # no promise of an assignment that does not exist yet
    assert "reuse their starting points" not in text  # no experiment reuses a start
    assert "every start reaches the same minimum," not in text  # the rank-deficient runs end apart
    assert "uncorrelated" not in text


def _check_cells(node: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in node.cells if c.cell_type == "code" and c.source.startswith("check(")]


def test_in_the_students_kernel_a_blank_release_runs_to_the_end_and_every_check_only_prints(
        course: Course) -> None:
    node = run_in_kernel(course.release_text)
    checks = _check_cells(node)
    assert checks
    for cell in checks:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("\u2718 "), (cell.source, text)
    last = node.cells[-1]  # check_all() ran: Run All reached the end
    assert "check_all()" in last.source and "0 of" in "".join(o.get("text", "") for o in last.outputs)


def test_under_nbgrader_a_blank_releases_checks_fail_with_a_message_not_a_traceback(
        course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")  # what nbgrader sets for its kernels
    node = run_in_kernel(course.release_text)
    for cell in _check_cells(node):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors, cell.source
        shown = "\n".join(errors[0].traceback)
        assert "Traceback" not in shown and "File " not in shown and "public check" in shown
