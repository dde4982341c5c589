"""Authoring mistakes are reported with the cell and the fix; release refuses to write broken ones.

Every test builds its own course under tmp_path (a toy assignment made with the
``new-question`` scaffold), so nothing here depends on, or writes to, the checkout.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from autograder.authoring import authoring_problems
from autograder.config import CourseLayout, GradingConfig
from autograder.declarations import available, load
from autograder.notebook import Cell, Notebook
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


def make_course(root: Path, fill: bool = True) -> CourseLayout:
    """A toy course: one question of each kind, added with the scaffold as README's walk-through does.

    ``fill`` writes the scaffold's TODO placeholders (here: deletes the word), as an instructor would.
    """
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
    if fill:
        for path in (declaration, layout.solution(NAME)):
            path.write_text(path.read_text().replace("TODO: ", ""))
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
    return next(c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def problems_of(layout: CourseLayout) -> list[tuple[str, bool]]:
    return [(p.message, p.fatal) for p in authoring_problems(load(NAME, layout), layout)]


# ---------------------------------------------------------------- static checks


def test_the_scaffolded_course_has_no_authoring_problem(course: CourseLayout) -> None:
    assert problems_of(course) == []


def test_every_placeholder_left_by_the_scaffold_is_a_warning(tmp_path: Path) -> None:
    feedback = "still says TODO: write what a student with this mistake should read"
    assert problems_of(make_course(tmp_path / "course", fill=False)) == [(message, False) for message in (
        f"question double_it: its feedback of misconception forgot_factor {feedback}",
        f"question half: its feedback of misconception off_by_one {feedback}",
        "question pick_one: the text of its choice A still says TODO: write the option as students should read it",
        "question pick_one: the text of its choice B still says TODO: write the option as students should read it",
        f"question pick_one: its feedback of misconception chose_b {feedback}",
        "cell q_double_it still says TODO: write what students should read there",
        "cell double_it: the docstring of double_it still says TODO: write what double_it does, as students "
        "should read it",
        "cell q_half still says TODO: write what students should read there",
        "cell q_pick_one still says TODO: write what students should read there",
        "cell q_explain still says TODO: write what students should read there")]


def test_a_title_left_as_todo_is_a_warning(course: CourseLayout) -> None:
    edit_declaration(course, 'id="half", title="half"', 'id="half", title="TODO"')
    assert problems_of(course) == [("question half: its title still says TODO: write the title students read "
                                    "in their feedback (title= in toy.py)", False)]


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
     "cell test_double_it gives 5 points, the declaration gives question double_it 1: run `autograder release "
     "toy --course ", False),
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
    ("solution cell invalid", _replace_source("double_it", "return 2 * x", "return (2 * x"),
     "cell double_it is not valid Python (SyntaxError on line 4: '(' was never closed): fix the solution code",
     True),
    ("question cell after check_all", lambda cells: cells.extend([_check_all_cell(), cells.pop(5), cells.pop(5)]),
     "cells half, test_half come after the check_all() cell check_all, so a student's Run All checks every answer "
     "before reaching them: move them (with their statement) above the check_all() cell", False),
]


def _check_all_cell() -> nbformat.NotebookNode:
    closing = nbformat.v4.new_code_cell("check_all()", metadata={"nbgrader": {
        "grade": False, "grade_id": "check_all", "locked": True, "schema_version": 3, "solution": False}})
    closing.id = "check-all"
    return closing



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


_CASES = "_double_it_cases in toy.py"
HIDDEN_CASE_MISTAKES = [
    ("drawn from np.random", "(rng.normal(size=", "(np.random.normal(size=",
     "hidden_cases of double_it is not reproducible: draw every random value from its rng argument "
     "(np.random.default_rng([seed, question index])), not from np.random or random"),
    ("raises", "    return tuple(Case(", "    raise ValueError('not written yet')\n    return tuple(Case(",
     f"hidden_cases of double_it ({_CASES}) raised ValueError: not written yet: fix it; it is called with "
     "np.random.default_rng([seed, question index]) and returns a tuple of Case(id, args)"),
    ("a list", "return tuple(Case(", "return list(Case(",
     f"hidden_cases of double_it ({_CASES}) returned a list, not a tuple of Case: return tuple(Case(id, args) ...)"),
    ("not Case objects", "return tuple(Case(", "return tuple((",
     f"hidden_cases of double_it ({_CASES}) returned a tuple as case 1, not a Case: make it Case(id, args)"),
    ("too many args", "(3, 8))),)", "(3, 8))), 2.0)",
     f"hidden_cases of double_it ({_CASES}) returned case hidden-1 with 2 args, double_it takes 1 (x): give each "
     "Case a tuple of args in parameter order"),
    ("one id for all", 'Case(f"hidden-{k + 1}"', 'Case("hidden"',
     f"hidden_cases of double_it ({_CASES}) returned case id 'hidden' twice, or a public case's id: give each "
     "case its own id"),
]


@pytest.mark.parametrize("old, new, message", [m[1:] for m in HIDDEN_CASE_MISTAKES],
                         ids=[m[0] for m in HIDDEN_CASE_MISTAKES])
def test_hidden_cases_that_cannot_be_reproduced_stop_the_release(course: CourseLayout, old: str, new: str,
                                                                  message: str) -> None:
    edit_declaration(course, old, new)
    assert problems_of(course) == [(message, True)]
    with pytest.raises(AuthoringError) as refused:  # before the sandbox starts: the cases are checked first
        release(load(NAME, course), GradingConfig(layout=course, workers=1))
    assert message in str(refused.value) and not course.release(NAME).exists()


def test_validate_does_not_run_what_has_no_cases(course: CourseLayout) -> None:
    edit_declaration(course, "return tuple(Case(", "return list(Case(")
    report = validate(load(NAME, course), GradingConfig(layout=course, workers=1))  # starts no sandbox
    assert report.text.splitlines()[:2] == [
        f"FAIL  authoring: hidden_cases of double_it ({_CASES}) returned a list, not a tuple of Case: return "
        "tuple(Case(id, args) ...)",
        "FAIL  reference run: not run: the solution cannot run without its cases; fix the authoring problems "
        "above first"]


_DOUBLE_IT_POINTS = 'title="double_it", points=1,'


def test_points_changed_in_the_declaration_are_copied_with_an_info_line(course: CourseLayout) -> None:
    shutil.copy(course.solution(NAME), course.release(NAME))  # released before the change: same points
    edit_declaration(course, _DOUBLE_IT_POINTS, _DOUBLE_IT_POINTS.replace("1", "3"))
    [problem] = authoring_problems(load(NAME, course), course)
    assert problem.message == (
        "cell test_double_it gives 1 point, the declaration gives question double_it 3: run `autograder release "
        f"toy --course {course.root}` to copy the declaration's points into the cell")  # validate's FAIL
    assert not problem.fatal and problem.repaired == "test_double_it: points 1 -> 3 (from the declaration)"


def test_points_edited_in_the_notebook_are_overwritten_with_a_warning(course: CourseLayout) -> None:
    shutil.copy(course.solution(NAME), course.release(NAME))
    edit_notebook(course, lambda cells: cell(cells, "test_double_it").metadata["nbgrader"].__setitem__("points", 5))
    [problem] = authoring_problems(load(NAME, course), course)
    assert problem.message == (
        "cell test_double_it gives 5 points, the declaration gives question double_it 1: the declaration is the "
        "one source of points, so release writes 1 into the cell; to change them, set points= of double_it in "
        f"toy.py and run `autograder release toy --course {course.root}`")
    assert not problem.fatal and problem.repaired is None


@pytest.mark.parametrize("kind, points, statement, declared", [
    ("function", 1.0, "**Question (1 point).**", "points=1,"),
    ("symbolic", 2.0, "**Question (2 points).**", "points=2,"),
    ("manual", 2.5, "**Question (2.5 points).**", "points=2.5)")])
def test_the_scaffold_writes_points_as_an_instructor_would(course: CourseLayout, kind: str, points: float,
                                                           statement: str, declared: str) -> None:
    made = new_question(load(NAME, course), course, "extra", kind, points)
    assert declared in made.snippet
    cells = nbformat.reads(course.solution(NAME).read_text(), as_version=4).cells
    assert cell(cells, "q_extra").source.startswith(statement)
    graded = cell(cells, "extra" if kind == "manual" else "test_extra").metadata["nbgrader"]["points"]
    assert graded == points and type(graded) is type(int(points) if points.is_integer() else points)


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


@pytest.mark.parametrize("mutant", ["x * 2", "2 * x * (1 + 1e-13)"], ids=["commuted", "within tolerance"])
def test_a_misconception_that_changes_nothing_stops_the_release(course: CourseLayout, mutant: str) -> None:
    edit_declaration(course, _FORGOT, NO_OP.replace("return x * 2", f"return {mutant}"))
    with pytest.raises(AuthoringError) as refused:
        release(load(NAME, course), GradingConfig(layout=course, workers=1))
    assert ("double_it: misconception commuted changes no output: its mutant gives the same outputs as the "
            "solution (within the question's tolerance), public and hidden, so no answer is ever recognised as "
            "this mistake: change its edit in toy.py so that it changes what double_it returns, or remove it"
            ) in str(refused.value)
    assert not course.public_file(NAME).exists() and not course.release(NAME).exists()


BROKEN_EDIT = '(("return 2 * x", "return (2 * x"),)),'


def test_an_edit_that_breaks_the_cell_is_named_not_taken_for_one_changing_nothing(
        course: CourseLayout, config: GradingConfig, pool: object) -> None:
    edit_declaration(course, _FORGOT, BROKEN_EDIT)
    message = ("double_it: misconception forgot_factor makes cell double_it invalid Python (SyntaxError on line 4: "
               "'(' was never closed): fix its edit in toy.py")
    assert problems_of(course) == [(message, True)]
    report = validate(load(NAME, course), replace(config, layout=course), check_sync=False,
                      runner=pool)  # type: ignore[arg-type]
    assert f"FAIL  authoring: {message}" in report.text.splitlines()
    assert "changes no output" not in report.text and "ok    mistakes told apart" in report.text
    assert ("FAIL  mutant double_it/forgot_factor caught: not graded: its edit makes cell double_it invalid Python "
            "(see authoring above)") in report.text.splitlines()
    assert (f"FAIL  blank release scores 0: {course.release(NAME)} does not exist: fix the authoring problems first "
            f"(release refuses while they remain), then run `autograder release toy --course {course.root}`"
            ) in report.text.splitlines()


# ---------------------------------------------------------------- the walk-through, end to end


@pytest.mark.slow
def test_release_copies_points_from_the_declaration_then_validate_passes(
        course: CourseLayout, config: GradingConfig, pool: object) -> None:
    edit_notebook(course, lambda cells: cell(cells, "explain").metadata["nbgrader"].__setitem__("points", 3))
    progress = io.StringIO()
    released = release(load(NAME, course), GradingConfig(layout=course, workers=1), progress)
    assert (released.warnings, released.notes) == ((), ("explain: points 3 -> 1 (from the declaration)",))
    assert "running the solution and its 3 mutants in the sandbox" in progress.getvalue()
    edit_declaration(course, _DOUBLE_IT_POINTS, _DOUBLE_IT_POINTS.replace("1", "2"))  # the documented way
    done = autograder("release", NAME, "--course", str(course.root), "--workers", "1", "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("test_double_it: points 1 -> 2 (from the declaration)\nwrote ")
    assert done.stderr == ""  # no warning, no advice to do what was just done
    source = nbformat.reads(course.solution(NAME).read_text(), as_version=4)
    assert [cell(source.cells, i).metadata["nbgrader"]["points"] for i in ("test_double_it", "explain")] == [2, 1]
    assert problems_of(course) == []
    report = validate(load(NAME, course), replace(config, layout=course), runner=pool)  # type: ignore[arg-type]
    assert report.ok, report.text
    assert "ok    mistakes told apart" in report.text and "ok    authoring" in report.text


@pytest.mark.slow
def test_while_authoring_is_broken_validate_says_to_fix_it_before_releasing(
        course: CourseLayout, config: GradingConfig, pool: object) -> None:
    edit_notebook(course, _strip_markers)  # release would refuse, so "run release" would be the wrong advice
    report = validate(load(NAME, course), replace(config, layout=course), runner=pool)  # type: ignore[arg-type]
    [in_sync] = [line for line in report.text.splitlines() if "release in sync" in line]
    assert in_sync.startswith("FAIL") and in_sync.endswith(
        "; fix the authoring problems first (release refuses while they remain), then run `autograder release toy "
        f"--course {course.root}` and commit the result")


def test_a_reference_run_failure_names_the_cell_by_grade_id(course: CourseLayout, config: GradingConfig,
                                                           pool: object) -> None:
    def failing_cells(cells: list[nbformat.NotebookNode]) -> None:
        cells.insert(1, nbformat.v4.new_markdown_cell("Some data."))
        cells.insert(2, nbformat.v4.new_code_cell("data = [1, 2]"))
        cells.insert(3, nbformat.v4.new_code_cell("data + undefined_name"))
        cell(cells, "half").source = cell(cells, "half").source.replace("sp.Integer(2)\n", "sp.Integer(2) + nope\n")

    edit_notebook(course, failing_cells)
    report = validate(load(NAME, course), replace(config, layout=course), check_sync=False,
                      runner=pool)  # type: ignore[arg-type]
    [line] = [line for line in report.text.splitlines() if line.startswith("FAIL  reference run")]
    assert "the 2nd code cell after setup raised NameError: name 'undefined_name' is not defined" in line, line
    assert "cell half raised NameError: name 'nope' is not defined" in line and "cell 4" not in line, line


def test_cells_without_grade_id_are_named_by_the_one_above() -> None:
    def code(index: int, grade_id: str | None = None) -> Cell:
        return Cell(index, "code", "", grade_id, "plain")

    notebook = Notebook((code(0), Cell(1, "markdown", "", "intro", "locked"), code(2), code(3, "setup"),
                         Cell(4, "markdown", "", None, "plain"), code(5), code(6)))
    assert [notebook.cell_name(i) for i in (0, 2, 3, 5, 6)] == [
        "the 1st code cell of the notebook", "the 1st code cell after intro", "cell setup",
        "the 1st code cell after setup", "the 2nd code cell after setup"]


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
    assert (f"then run `autograder release toy --course {course.root}` and `autograder validate toy --course "
            f"{course.root}`") in done.stderr
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nbformat.reads(course.solution(NAME).read_text(),
                                                                       as_version=4).cells]
    at = ids.index("test_double_it")
    assert ids[at + 1:at + 4] == ["q_predict", "predict", "test_predict"]
    again = autograder("new-question", NAME, "double_it", "--kind", "choice", "--course", str(course.root))
    assert again.returncode == 2 and "already has a question 'double_it'" in again.stderr


def test_new_question_goes_before_the_closing_check_all_cell_by_default(course: CourseLayout) -> None:
    def closing_cells(cells: list[nbformat.NotebookNode]) -> None:
        before = nbformat.v4.new_markdown_cell("## Before you submit\n\nRun the next cell.", metadata={"nbgrader": {
            "grade": False, "grade_id": "before_submit", "locked": True, "schema_version": 3, "solution": False}})
        before.id = "before-submit"
        cells.extend([before, _check_all_cell()])

    edit_notebook(course, closing_cells)
    new_question(load(NAME, course), course, "predict", "function")
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nbformat.reads(course.solution(NAME).read_text(),
                                                                       as_version=4).cells]
    assert ids[-5:] == ["q_predict", "predict", "test_predict", "before_submit", "check_all"]
    assert not [m for m, _ in problems_of(course) if "check_all" in m]
