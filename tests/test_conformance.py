"""Every assignment of the course conforms, through the real sandbox and judge; nothing here names one.

The assignments are discovered (``available()``: each ``solutions/<name>.py`` with its
``solutions/<name>.ipynb``) and each test id starts with the assignment's name. For each:

- the declaration loads, and its misconception catalogue is not empty;
- the solution's answers in the released notebook score full marks, with no cell error;
- the blank release scores 0 on every auto-graded question, without a grader error;
- every catalogued misconception, injected into the solution and submitted as a student would
  (the release with the mutated answers), loses points on its question and is named there,
  with its feedback;
- the student's self-check, run on the same notebooks, agrees with the batch grader on the
  public cases (which pass, and which mistake is named);
- every correct answer written differently from the solution (the assignment's test data,
  ``tests/assignments/<name>/correct_variants.py``; at least 15) gets full marks, and passes
  the self-check;
- the committed release is in sync with the source (slow: runs nbgrader).

Each assignment's notebooks are graded in one batch on the session's sandbox pool.
Adding an assignment needs no edit here: only its ``correct_variants.py``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import signal
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pytest

from autograder.declarations import load
from autograder.release import check_release
from autograder.validate import mutant_notebooks, solution_answers, student_notebook
from source_lib.judge.results import Outcome, QuestionResult, Status, SubmissionResult
from source_lib.judge.spec import Assignment, ChoiceQuestion
from source_lib.selfcheck import checker
from tests.conftest import ASSIGNMENTS, Course

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "assignments"  # tests/assignments/<name>/correct_variants.py
MIN_FORMS = 15
SOLUTION, BLANK, FORM = "solution", "blank-release", "form:"

Forms = dict[str, tuple[str, str]]


# ---------------------------------------------------------------- test data, found at collection


def forms_path(name: str) -> Path:
    return DATA / name / "correct_variants.py"


def read_forms(name: str) -> Forms:
    """The assignment's correct answers written differently: ``{label: (cell grade_id, code)}``."""
    path = forms_path(name)
    if not path.is_file():
        raise LookupError(
            f"{name} has no test data: create {path.relative_to(ROOT)} defining CORRECT_VARIANTS = "
            f"{{'<question>/<form>': ('<answer cell grade_id>', '<code>'), ...}} with at least {MIN_FORMS} "
            f"correct answers written differently from the solution (see {DATA.relative_to(ROOT)}/README.md)")
    spec = importlib.util.spec_from_file_location(f"zeroinit_test_data.{name}.correct_variants", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    forms = getattr(module, "CORRECT_VARIANTS", None)
    if not isinstance(forms, dict) or not all(
            isinstance(k, str) and isinstance(v, tuple) and len(v) == 2 and all(isinstance(p, str) for p in v)
            for k, v in forms.items()):
        raise LookupError(f"{path.relative_to(ROOT)} must define CORRECT_VARIANTS = "
                          "{'<question>/<form>': ('<answer cell grade_id>', '<code>'), ...}")
    return forms


@dataclass(frozen=True)
class Unreadable:
    """The parameter standing for an assignment whose declaration or test data cannot be read."""

    reason: str

    def __str__(self) -> str:
        return self.reason


def _collected(read: Any, name: str) -> tuple[Any, str | None]:
    """What ``read(name)`` gives, or the reason it failed (the test then fails with it)."""
    try:
        return read(name), None
    except Exception as exc:  # a broken declaration or data file must fail its test, not the collection
        return None, f"{type(exc).__name__}: {exc}"


def _mutant_names(assignment: Assignment) -> list[str]:
    return [f"{q.id}--{m.id}" for q in assignment.auto_questions for m in q.misconceptions]


def _params(items: Any) -> list[Any]:
    """``(assignment, item)`` parameters, with ids ``<assignment>/<item>``; a failure to read becomes
    one parameter whose test fails with the reason."""
    params = []
    for name in ASSIGNMENTS:
        found, why = items(name)
        if why is not None:
            params.append(pytest.param(name, Unreadable(why), id=f"{name}/unreadable"))
        params += [pytest.param(name, item, id=f"{name}/{item}") for item in found or ()]
    return params


def _mutants_of(name: str) -> tuple[list[str] | None, str | None]:
    assignment, why = _collected(load, name)
    return (_mutant_names(assignment) if assignment else None), why


def _forms_of(name: str) -> tuple[list[str] | None, str | None]:
    forms, why = _collected(read_forms, name)
    return (sorted(forms) if forms is not None else None), why


MUTANTS = _params(_mutants_of)
FORMS = _params(_forms_of)


def item_of(param: str | Unreadable) -> str:
    """The parameter's item; fails the test with the reason when its assignment could not be read."""
    if isinstance(param, Unreadable):
        pytest.fail(param.reason, pytrace=False)
    return param


# ---------------------------------------------------------------- one batch per assignment


# Each assignment's notebooks are built and graded once per session, whatever order the tests run in
# (pytest may interleave the assignments' tests, and a module fixture would then be rebuilt).
_NOTEBOOKS: dict[str, dict[str, str]] = {}
_GRADED: dict[str, dict[str, SubmissionResult]] = {}


@pytest.fixture
def notebooks(course: Course) -> dict[str, str]:
    """Every notebook the suite grades for this assignment, as a student would submit it."""
    if course.name not in _NOTEBOOKS:
        made = {SOLUTION: course.notebook_with(), BLANK: course.release_text}
        for name, text in mutant_notebooks(course.assignment, course.solution_text).items():
            made[name] = student_notebook(course.release_text, solution_answers(text))
        forms, _ = _collected(read_forms, course.name)
        for label, (cell, code) in (forms or {}).items():
            if cell in course.answers:
                made[FORM + label] = course.notebook_with(**{cell: code.strip()})
        _NOTEBOOKS[course.name] = made
    return _NOTEBOOKS[course.name]


@pytest.fixture
def graded(course: Course, notebooks: dict[str, str]) -> dict[str, SubmissionResult]:
    """Every notebook of the assignment graded, in one batch."""
    if course.name not in _GRADED:
        _GRADED[course.name] = course.grade(notebooks)
    return _GRADED[course.name]


def judged(result: SubmissionResult, question_id: str) -> QuestionResult:
    return next(q for q in result.questions if q.question_id == question_id)


def lost(result: SubmissionResult) -> list[str]:
    return [f"{q.question_id}: {q.feedback}" for q in result.questions if not q.manual and q.score < q.max_score]


def test_declaration_loads_and_catalogues_mistakes(course: Course) -> None:
    assignment = course.assignment
    assert assignment.name == course.name
    assert assignment.auto_questions, "no auto-graded question"
    assert _mutant_names(assignment), f"{course.name} catalogues no misconception"


def test_solution_scores_full_marks(course: Course, graded: dict[str, SubmissionResult]) -> None:
    result = graded[SOLUTION]
    assert result.status is Status.GRADED, result.reason
    assert result.max_score > 0
    assert result.score == result.max_score, lost(result)
    assert result.cell_errors == ()


def test_blank_release_scores_zero_without_grader_error(course: Course,
                                                        graded: dict[str, SubmissionResult]) -> None:
    result = graded[BLANK]
    assert result.status is Status.GRADED, result.reason
    auto = [q for q in result.questions if not q.manual]
    assert len(auto) == len(course.assignment.auto_questions)
    assert [q.question_id for q in auto if q.score > 0] == []
    assert {q.outcome for q in auto} <= {Outcome.MISSING, Outcome.ERROR, Outcome.FAILED}
    assert any(e.error_type == "NotImplementedError" for e in result.cell_errors)


@pytest.mark.parametrize("course, mutant", MUTANTS, indirect=["course"])
def test_each_misconception_loses_points_and_is_named(course: Course, mutant: str | Unreadable,
                                                      request: pytest.FixtureRequest) -> None:
    mutant = item_of(mutant)
    question_id, _, misconception_id = mutant.partition("--")
    result = request.getfixturevalue("graded")[mutant]
    assert result.status is Status.GRADED, result.reason
    question = judged(result, question_id)
    assert question.score < question.max_score, f"{mutant} keeps full marks on {question_id}"
    assert misconception_id in question.misconceptions, question.feedback
    feedback = next(m.feedback for m in course.assignment.question(question_id).misconceptions  # type: ignore[union-attr]
                    if m.id == misconception_id)
    assert feedback in question.feedback


# ---------------------------------------------------------------- correct answers written differently


def test_has_enough_correct_forms(course: Course) -> None:
    forms = read_forms(course.name)  # fails with where to add them
    assert len(forms) >= MIN_FORMS, (f"{forms_path(course.name).relative_to(ROOT)} holds {len(forms)} correct "
                                     f"forms; at least {MIN_FORMS} are needed")
    cells = {q.cell for q in course.assignment.auto_questions}
    misplaced = {label: cell for label, (cell, _) in forms.items() if cell not in cells or cell not in course.answers}
    assert misplaced == {}, f"not the grade_id of an auto-graded answer cell (one of {sorted(cells)})"
    assert all(code.strip() for _, code in forms.values())


@pytest.mark.parametrize("course, form", FORMS, indirect=["course"])
def test_correct_form_gets_full_marks(course: Course, form: str | Unreadable, request: pytest.FixtureRequest) -> None:
    form = item_of(form)
    cell = read_forms(course.name)[form][0]
    graded = request.getfixturevalue("graded")
    assert FORM + form in graded, f"{form}: cell {cell!r} is no answer cell of {course.name}"
    result = graded[FORM + form]
    assert result.status is Status.GRADED, result.reason
    assert result.score == result.max_score, lost(result)


# ---------------------------------------------------------------- the self-check agrees with the grader

SELF_CHECK_SECONDS = 60  # one notebook run in this process, then checked


def self_judged(assignment: Assignment, question_id: str | None) -> list[str]:
    """The questions whose self-check a change of ``question_id``'s answer can alter (every question
    for None): it and those that use it, directly or not; a choice is only recorded, never judged."""
    judged_ids = {q.id for q in assignment.auto_questions if not isinstance(q, ChoiceQuestion)}
    if question_id is None:
        return [q.id for q in assignment.auto_questions if q.id in judged_ids]
    reached = {question_id}
    for q in assignment.auto_questions:  # listed after what they use (the declaration checks it)
        if set(getattr(q, "uses", ())) & reached:
            reached.add(q.id)
    return [q.id for q in assignment.auto_questions if q.id in reached & judged_ids]


class _TooLong(Exception):
    pass


def _too_long(signum: int, frame: object) -> None:
    raise _TooLong


def self_checked(course: Course, text: str, question_ids: list[str]) -> dict[str, QuestionResult]:
    """The student's ``check()`` of these questions, in this process, after running the notebook's
    code cells in order up to the last of their answer cells (Jupyter's Run All, stopped there)."""
    assignment = course.assignment
    last = max(i for i, cell in enumerate(nbformat.reads(text, as_version=4).cells)
               if cell.metadata.get("nbgrader", {}).get("grade_id") in
               {assignment.question(q).cell for q in question_ids})  # type: ignore[union-attr]
    namespace: dict[str, Any] = {"__name__": "__main__"}
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(SELF_CHECK_SECONDS)
    try:
        with warnings.catch_warnings(), matplotlib.rc_context(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")  # a mistake may overflow; the sandbox does not fail on warnings either
            for cell in nbformat.reads(text, as_version=4).cells[:last + 1]:
                if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
                    continue
                try:
                    exec(compile(cell.source, "<cell>", "exec"), namespace)  # the solution or one of its mutants
                except _TooLong:
                    raise
                except Exception:  # a cell that raises leaves its answer undefined, as in Jupyter
                    pass
                finally:
                    plt.close("all")
            check = checker(course.name)
            check.namespace = lambda: namespace
            check.strict = lambda: False
            return {q: check.result(q) for q in question_ids}
    except _TooLong:
        pytest.fail(f"running and self-checking the notebook took over {SELF_CHECK_SECONDS} s", pytrace=False)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def disagreements(graded: SubmissionResult, checked: Mapping[str, QuestionResult]) -> list[str]:
    """Where the self-check and the batch grader differ on the public cases: which pass, whether the
    question passes, which mistakes are named."""
    found = []
    for question_id, mine in checked.items():
        theirs = judged(graded, question_id)
        public = {c.case_id: c.passed for c in theirs.cases if not c.hidden}
        shown = {c.case_id: c.passed for c in mine.cases}
        grader_passes = bool(public) and all(public.values())
        if public != shown or grader_passes != (mine.score >= mine.max_score) \
                or set(theirs.misconceptions) != set(mine.misconceptions):
            found.append(f"{question_id}: grader {theirs.outcome.value} {public} names {list(theirs.misconceptions)}"
                         f"; self-check {mine.outcome.value} {shown} names {list(mine.misconceptions)}")
    return found


def _self_checked_mutants(name: str) -> tuple[list[str] | None, str | None]:
    """The mutants whose question the self-check judges (a choice's is only recorded)."""
    assignment, why = _collected(load, name)
    if assignment is None:
        return None, why
    return [f"{q.id}--{m.id}" for q in assignment.auto_questions if not isinstance(q, ChoiceQuestion)
            for m in q.misconceptions], None


SELF_CHECKED = [pytest.param(name, SOLUTION, id=f"{name}/{SOLUTION}") for name in ASSIGNMENTS] \
    + _params(_self_checked_mutants)


@pytest.mark.parametrize("course, notebook", SELF_CHECKED, indirect=["course"])
def test_selfcheck_agrees_with_the_batch_grader_on_the_public_cases(
        course: Course, notebook: str | Unreadable, request: pytest.FixtureRequest) -> None:
    notebook = item_of(notebook)
    questions = self_judged(course.assignment, None if notebook == SOLUTION else notebook.partition("--")[0])
    checked = self_checked(course, request.getfixturevalue("notebooks")[notebook], questions)
    assert disagreements(request.getfixturevalue("graded")[notebook], checked) == []


def test_selfcheck_passes_every_correct_form(course: Course, notebooks: dict[str, str],
                                             graded: dict[str, SubmissionResult]) -> None:
    forms, why = _collected(read_forms, course.name)
    if forms is None:
        pytest.skip(f"no correct forms to check (test_has_enough_correct_forms fails: {why})")
    found = {}
    for label, (cell, _) in forms.items():
        question = next((q for q in course.assignment.auto_questions if q.cell == cell), None)
        if FORM + label not in notebooks or question is None:
            continue  # test_has_enough_correct_forms names it
        questions = self_judged(course.assignment, question.id)
        if not questions:
            continue  # a choice: the self-check only records it
        checked = self_checked(course, notebooks[FORM + label], questions)
        failing = [f"{q}: {r.feedback}" for q, r in checked.items() if r.score < r.max_score]
        failing += disagreements(graded[FORM + label], checked)
        if failing:
            found[label] = failing
    assert found == {}


# ---------------------------------------------------------------- the release


@pytest.mark.slow
def test_committed_release_is_in_sync(course: Course) -> None:
    assert check_release(course.assignment, course.config, course.prepared) == []
