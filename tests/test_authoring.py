"""Authoring mistakes are reported with the cell and the fix; release refuses to write broken ones.

Every test builds its own course under tmp_path (a toy assignment made with the
``new-question`` scaffold), so nothing here depends on, or writes to, the checkout.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from autograder.config import CourseLayout, GradingConfig
from autograder.declarations import authoring_problems, available, load
from autograder.pipeline import prepare
from autograder.release import AuthoringError, build, output_problems, release
from autograder.scaffold import new_question
from autograder.validate import validate

NAME = "toy"
QUESTIONS = (("double_it", "function"), ("half", "symbolic"), ("pick_one", "choice"), ("explain", "manual"))
HEADER = '''"""A toy assignment for the authoring tests."""

import numpy as np

from source_lib.judge.spec import (Assignment, Case, ChoiceQuestion, FunctionQuestion, ManualQuestion,
                                   Misconception, SymbolicQuestion, Symbols)
'''
SETUP = 'import numpy as np\nimport sympy as sp\n\nfrom source_lib import self_check\n\ncheck = self_check("toy")'


def _assignment(questions: str) -> str:
    return (f'\n\nASSIGNMENT = Assignment(name="{NAME}", title="Toy", seed=7, symbols=Symbols(reals=("w", "b"), '
            f'size="m", index="i", indexed=("x", "y")), questions=({questions}))\n')


def make_course(root: Path) -> CourseLayout:
    """A toy course: one question of each kind, added with the scaffold as README's walk-through does."""
    layout = CourseLayout(root)
    for folder in (layout.solutions, layout.releases, layout.public_data):
        folder.mkdir(parents=True)
    declaration = layout.solutions / f"{NAME}.py"
    declaration.write_text(HEADER + _assignment(""))
    setup = nbformat.v4.new_code_cell(SETUP, metadata={"nbgrader": {
        "grade": False, "grade_id": "setup", "locked": True, "schema_version": 3, "solution": False}})
    setup.id = "setup"
    layout.solution(NAME).write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[setup], metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})))
    snippets = [new_question(load(NAME, layout), layout, qid, kind).snippet for qid, kind in QUESTIONS]
    declaration.write_text(HEADER + "\n\n".join(snippets)
                           + _assignment(", ".join(qid.upper() for qid, _ in QUESTIONS) + ","))
    return layout


@pytest.fixture
def course(tmp_path: Path) -> CourseLayout:
    return make_course(tmp_path / "course")


def edit_declaration(layout: CourseLayout, old: str, new: str) -> None:
    path = layout.solutions / f"{NAME}.py"
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def edit_notebook(layout: CourseLayout, change: Callable[[list[nbformat.NotebookNode]], None]) -> None:
    path = layout.solution(NAME)
    node = nbformat.reads(path.read_text(), as_version=4)
    change(node.cells)
    path.write_text(nbformat.writes(node))


def cell(cells: list[nbformat.NotebookNode], grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in cells if c.metadata["nbgrader"]["grade_id"] == grade_id)


def problems_of(layout: CourseLayout) -> list[tuple[str, bool]]:
    return [(p.message, p.fatal) for p in authoring_problems(load(NAME, layout), layout)]


# ---------------------------------------------------------------- static checks


def test_the_scaffolded_course_has_no_authoring_problem(course: CourseLayout) -> None:
    assert problems_of(course) == []


@pytest.mark.parametrize("name", available(CourseLayout.default()))
def test_every_committed_assignment_has_no_authoring_problem(name: str) -> None:
    layout = CourseLayout.default()
    assert [p.message for p in authoring_problems(load(name, layout), layout)] == []


def _add_solution_cell(cells: list[nbformat.NotebookNode]) -> None:
    new = nbformat.v4.new_code_cell("def predict(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION",
                                    metadata={"nbgrader": {"grade": False, "grade_id": "predict", "locked": False,
                                                           "schema_version": 3, "solution": True}})
    new.id = "predict"
    cells.append(new)


def _strip_markers(cells: list[nbformat.NotebookNode]) -> None:
    target = cell(cells, "double_it")
    target.source = "\n".join(ln for ln in target.source.splitlines() if "SOLUTION" not in ln)


def _drop_end_marker(cells: list[nbformat.NotebookNode]) -> None:
    target = cell(cells, "double_it")
    target.source = "\n".join(ln for ln in target.source.splitlines() if "END SOLUTION" not in ln)


def _rename(grade_id: str, new_id: str) -> Callable[[list[nbformat.NotebookNode]], None]:
    return lambda cells: cell(cells, grade_id).metadata["nbgrader"].__setitem__("grade_id", new_id)


def _replace_source(grade_id: str, old: str, new: str) -> Callable[[list[nbformat.NotebookNode]], None]:
    def change(cells: list[nbformat.NotebookNode]) -> None:
        cell(cells, grade_id).source = cell(cells, grade_id).source.replace(old, new)
    return change


NOTEBOOK_MISTAKES = [
    ("solution cell of no question", _add_solution_cell,
     "cell predict is a solution cell, but ASSIGNMENT.questions in toy.py has no question 'predict' (students "
     "would get \"There is no question 'predict'\"): declare the question and add it to ASSIGNMENT.questions, "
     "or make the cell a plain cell (no nbgrader solution)", True),
    ("test cell points differ", lambda cells: cell(cells, "test_double_it").metadata["nbgrader"].__setitem__(
        "points", 5),
     "cell test_double_it gives 5 points, the declaration gives question double_it 1: the declaration is the "
     "one source of points, so release writes 1 into the cell; to change them, set points= of double_it in "
     "toy.py and run release", False),
    ("manual cell points differ", lambda cells: cell(cells, "explain").metadata["nbgrader"].__setitem__(
        "points", 3),
     "cell explain gives 3 points, the declaration gives question explain 1", False),
    ("no solution markers", _strip_markers,
     "cell double_it has no ### BEGIN SOLUTION / ### END SOLUTION: nbgrader then replaces the whole cell, def "
     "line included, with `raise NotImplementedError()` and no warning; put the two lines around the part "
     "students write", True),
    ("no end marker", _drop_end_marker,
     "cell double_it has ### BEGIN SOLUTION (line 3) without ### END SOLUTION: add the closing line", True),
    ("function name typo", _replace_source("double_it", "def double_it(", "def doubel_it("),
     "cell double_it defines doubel_it, the declaration expects double_it: rename it in the cell, or set "
     "function= of question double_it in toy.py", True),
    ("variable name typo", _replace_source("half", "half = sp.Integer(2)\n", "halff = sp.Integer(2)\n"),
     "cell half defines halff, the declaration expects half: rename it in the cell, or set variable= of "
     "question half in toy.py", True),
    ("misnamed test cell", _rename("test_double_it", "test_double_iy"),
     "cell test_double_iy is a test cell of no question, and question double_it has no test cell: rename "
     "test_double_iy to test_double_it", True),
    ("misnamed solution cell", _rename("pick_one", "pick_on"),
     "cell pick_on is a solution cell of no question, and question pick_one has no solution cell: rename the "
     "cell's grade_id pick_on to pick_one", True),
    ("missing test cell", lambda cells: cells.remove(cell(cells, "test_half")),
     "question half has no test cell: add a code cell after cell half with the nbgrader type 'Autograder "
     "tests' and grade_id test_half (release writes its content and points)", True),
    ("edit text twice in the cell", _replace_source("double_it", "return 2 * x", "return 2 * x  # return 2 * x"),
     "double_it: misconception forgot_factor replaces 'return 2 * x', which occurs 2 times in cell double_it: "
     "each edit's old text must occur exactly once", True),
]


@pytest.mark.parametrize("change, message, fatal", [m[1:] for m in NOTEBOOK_MISTAKES],
                         ids=[m[0] for m in NOTEBOOK_MISTAKES])
def test_each_notebook_mistake_is_reported_with_its_cell_and_fix(
        course: CourseLayout, change: Callable[[list[nbformat.NotebookNode]], None], message: str,
        fatal: bool) -> None:
    edit_notebook(course, change)
    found = problems_of(course)
    assert [f for m, f in found if m.startswith(message)] == [fatal], found


def test_a_declared_question_left_out_of_the_assignment_is_reported(course: CourseLayout) -> None:
    edit_declaration(course, "\n\nASSIGNMENT = ", '\n\nPREDICT = ManualQuestion(id="predict", title="Predict", '
                     "points=1)\n\nASSIGNMENT = ")
    assert problems_of(course) == [(
        "question predict (PREDICT in toy.py) is not in ASSIGNMENT.questions, so nothing grades it and its "
        "check() says \"There is no question 'predict'\": add PREDICT to ASSIGNMENT.questions (at the end, so "
        "the other questions keep their hidden cases), or delete it", True)]


def test_release_refuses_broken_authoring_and_writes_nothing(course: CourseLayout) -> None:
    edit_notebook(course, _rename("test_double_it", "test_double_iy"))
    before = {p: p.read_bytes() for p in course.root.rglob("*") if p.is_file()}
    with pytest.raises(AuthoringError) as refused:
        release(load(NAME, course), GradingConfig(layout=course, workers=1))
    assert "rename test_double_iy to test_double_it" in str(refused.value)
    assert {p: p.read_bytes() for p in course.root.rglob("*") if p.is_file()} == before


def autograder(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "autograder"), *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_release_exits_1_with_every_problem(course: CourseLayout) -> None:
    edit_notebook(course, _strip_markers)
    edit_notebook(course, _rename("test_half", "test_halve"))
    done = autograder("release", NAME, "--course", str(course.root))
    assert done.returncode == 1, done.stderr
    assert "release refused: 2 authoring problem(s)" in done.stderr
    assert "cell double_it has no ### BEGIN SOLUTION" in done.stderr
    assert "rename test_halve to test_half" in done.stderr
    assert not course.release(NAME).exists() and "Traceback" not in done.stderr


# ---------------------------------------------------------------- outputs that tell mistakes apart

_FORGOT = '(("return 2 * x", "return x"),)),'
# On the public case (length 3), x + (len(x) - 3) * x == x and (len(x) - 1) * x == 2 * x.
ALIASING = _FORGOT + '''
        Misconception("len_minus_two", "Scaled by the length.", (("return 2 * x", "return x + (len(x) - 3) * x"),)),
        Misconception("len_minus_one", "Scaled by the length.", (("return 2 * x", "return (len(x) - 1) * x"),)),'''
NO_OP = _FORGOT + '''
        Misconception("commuted", "Same thing.", (("return 2 * x", "return x * 2"),)),'''
SAME_LETTER = '''(('pick_one = "A"', 'pick_one = "B"'),)),
        Misconception("chose_b_again", "B again.", (('pick_one = "A"', 'pick_one = "B"'),)),'''
LONGER_PUBLIC = "np.array([1.0, 2.0, 3.0, 4.0, 5.0])"


def reference_problems(layout: CourseLayout, config: GradingConfig, pool: object) -> list[tuple[str, bool]]:
    assignment = load(NAME, layout)
    config = replace(config, layout=layout)
    prepared = prepare(assignment, config, pool)  # type: ignore[arg-type]
    return [(p.message, p.fatal) for p in output_problems(assignment, prepared, build(assignment, config, prepared)[1],
                                                          "toy.py")]


def test_mistakes_with_the_same_public_outputs_are_named_in_pairs(course: CourseLayout, config: GradingConfig,
                                                                  pool: object) -> None:
    edit_declaration(course, _FORGOT, ALIASING)
    edit_declaration(course, SAME_LETTER.split("\n")[0], SAME_LETTER)
    assert reference_problems(course, config, pool) == [
        ("double_it: misconception len_minus_one gives the same public outputs as the solution; the self-check "
         "passes a student with this mistake: change the public cases (public_cases= of double_it in toy.py)",
         False),
        ("double_it: misconceptions forgot_factor and len_minus_two give the same public outputs; the self-check "
         "cannot tell them apart: change the public cases (public_cases= of double_it in toy.py)", False),
        ("pick_one: misconceptions chose_b and chose_b_again give the same public outputs; the self-check cannot "
         "tell them apart: both answer the same letter: give each misconception its own letter in toy.py; they "
         "are identical on the hidden cases too, so the grader always names chose_b: make the edits differ or "
         "merge them", False)]


def test_a_longer_public_case_tells_them_apart(course: CourseLayout, config: GradingConfig, pool: object) -> None:
    edit_declaration(course, _FORGOT, ALIASING)
    edit_declaration(course, "np.array([1.0, 2.0, 3.0])", LONGER_PUBLIC)
    assert reference_problems(course, config, pool) == []


def test_a_misconception_that_changes_nothing_stops_the_release(course: CourseLayout) -> None:
    edit_declaration(course, _FORGOT, NO_OP)
    with pytest.raises(AuthoringError) as refused:
        release(load(NAME, course), GradingConfig(layout=course, workers=1))
    assert ("double_it: misconception commuted changes no output: its mutant gives exactly what the solution "
            "gives, public and hidden, so no answer is ever recognised as this mistake: change its edit in "
            "toy.py so that it changes what double_it returns, or remove it") in str(refused.value)
    assert not course.public_file(NAME).exists() and not course.release(NAME).exists()


# ---------------------------------------------------------------- the walk-through, end to end


@pytest.mark.slow
def test_release_repairs_points_with_a_warning_then_validate_passes(course: CourseLayout, config: GradingConfig,
                                                                   pool: object) -> None:
    def wrong_points(cells: list[nbformat.NotebookNode]) -> None:
        cell(cells, "test_double_it").metadata["nbgrader"]["points"] = 5
        cell(cells, "explain").metadata["nbgrader"]["points"] = 3

    edit_notebook(course, wrong_points)
    progress = io.StringIO()
    released = release(load(NAME, course), GradingConfig(layout=course, workers=1), progress)
    assert [w.split(":")[0] for w in released.warnings] == [
        "cell test_double_it gives 5 points, the declaration gives question double_it 1",
        "cell explain gives 3 points, the declaration gives question explain 1"]
    assert "running the solution and its 3 mutants in the sandbox" in progress.getvalue()
    source = nbformat.reads(course.solution(NAME).read_text(), as_version=4)
    assert [cell(source.cells, i).metadata["nbgrader"]["points"] for i in ("test_double_it", "explain")] == [1, 1]
    assert problems_of(course) == []
    report = validate(load(NAME, course), replace(config, layout=course), runner=pool)  # type: ignore[arg-type]
    assert report.ok, report.text
    assert "ok    mistakes told apart" in report.text and "ok    authoring" in report.text


def test_validate_fails_a_broken_course_with_findings_not_a_traceback(course: CourseLayout) -> None:
    edit_notebook(course, _replace_source("double_it", "def double_it(", "def doubel_it("))
    done = autograder("validate", NAME, "--course", str(course.root), "--workers", "1")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "FAIL  authoring: cell double_it defines doubel_it, the declaration expects double_it" in done.stdout
    assert "FAIL  reference run:" in done.stdout and "Traceback" not in done.stderr
    assert "starting 1 sandbox worker(s)" in done.stderr


def test_new_question_inserts_its_cells_after_the_given_question(course: CourseLayout) -> None:
    done = autograder("new-question", NAME, "predict", "--kind", "function", "--points", "2", "--after",
                      "double_it", "--course", str(course.root))
    assert done.returncode == 0, done.stderr
    assert "PREDICT = FunctionQuestion(" in done.stdout and "at the END of ASSIGNMENT.questions" in done.stdout
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nbformat.reads(course.solution(NAME).read_text(),
                                                                       as_version=4).cells]
    at = ids.index("test_double_it")
    assert ids[at + 1:at + 4] == ["q_predict", "predict", "test_predict"]
    again = autograder("new-question", NAME, "double_it", "--kind", "choice", "--course", str(course.root))
    assert again.returncode == 2 and "already has a question 'double_it'" in again.stderr
