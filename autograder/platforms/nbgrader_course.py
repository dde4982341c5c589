"""A batch's grades in an nbgrader course: its own ``gradebook.db`` and the ``autograded/`` notebooks.

Everything goes where ``nbgrader autograde`` would put it, through nbgrader's own API, so that
formgrader, ``generate_feedback``, ``release_feedback`` and ``export`` work unchanged:

* each auto-graded question's score is its test cell's ``Grade.auto_score``, and the feedback a
  student reads is the ``Comment.auto_comment`` of its answer cell;
* ``autograded/<student>/<assignment>/<notebook>.ipynb`` is the submitted notebook with every test
  cell restored from the gradebook (hidden tests removed) and our feedback as its output, beside a
  copy of ``timestamp.txt``;
* manual scores are never written: a question graded by hand keeps its score across re-imports
  (as in nbgrader, it is flagged for review again).

The course must have been set up by ``nbgrader generate_assignment`` from the same source
notebook: any difference between its grade cells and the declaration (a missing or extra cell,
other points) stops the import before anything is written.
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from autograder.errors import ConfigError
from autograder.late import TIMESTAMP_FILE
from autograder.report.question_text import question_output
from source_lib.judge.results import QuestionResult, Status, SubmissionResult
from source_lib.judge.spec import Assignment, ManualQuestion

CONFIG_FILE = "nbgrader_config.py"
_HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
_NO_RESPONSE = "No response."  # nbgrader's own comment on an unchanged answer cell


class GradebookMismatch(ConfigError):
    """The course's gradebook does not hold the assignment as declared."""


@dataclass(frozen=True)
class Course:
    """Where an nbgrader course keeps its files and its gradebook."""

    root: Path
    course_id: str
    db_url: str

    @classmethod
    def at(cls, root: Path) -> Course:
        """The course in folder ``root``, with the course id and database of its ``nbgrader_config.py``."""
        root = root.resolve()
        if not root.is_dir():
            raise ConfigError(f"--nbgrader-course {root}: no such folder")
        settings = _course_settings(root)
        db_url = settings.get("db_url") or f"sqlite:///{root / 'gradebook.db'}"
        if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).is_file():
            raise ConfigError(f"--nbgrader-course {root}: no gradebook.db; run nbgrader generate_assignment "
                              "there first")
        return cls(root, settings.get("course_id") or "default_course", db_url)

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment


@dataclass(frozen=True)
class GradeCell:
    """One grade cell of the gradebook, and the question that scores it."""

    question_id: str
    name: str             # the grade cell's grade_id: test_<question> or the manual answer cell
    answer_cell: str      # the solution cell whose comment holds the feedback
    manual: bool
    points: float
    source: str           # the test cell as students may see it (hidden tests removed)


@dataclass(frozen=True)
class Layout:
    """The assignment as the gradebook holds it, checked against the declaration."""

    assignment: str
    notebook: str
    cells: tuple[GradeCell, ...]


@dataclass(frozen=True)
class Imported:
    """What an import wrote."""

    students: tuple[str, ...]
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


@contextmanager
def _gradebook(course: Course) -> Iterator[Any]:
    """nbgrader's Gradebook, without the SQLAlchemy warnings its own code raises on every submission
    ("SubmittedNotebook not in session"; nbgrader autograde raises them too)."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(course.db_url, course.course_id) as gradebook:
            yield gradebook


def _course_settings(root: Path) -> dict[str, str]:
    """``CourseDirectory.course_id`` and ``db_url`` from the course's ``nbgrader_config.py``, if it sets them.

    The file is the instructor's own configuration, read the way nbgrader reads it (traitlets).
    """
    from traitlets.config.loader import PyFileConfigLoader

    if not (root / CONFIG_FILE).is_file():
        return {}
    settings = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config().get("CourseDirectory", {})
    return {key: str(settings[key]) for key in ("course_id", "db_url") if key in settings}


def check_course(course: Course, assignment: Assignment) -> Layout:
    """The gradebook's grade cells for ``assignment``; every difference from the declaration is an error."""
    from nbgrader.api import MissingEntry

    with _gradebook(course) as gradebook:
        try:
            stored = gradebook.find_assignment(assignment.name)
        except MissingEntry:
            raise GradebookMismatch(f"the gradebook of {course.root} has no assignment {assignment.name!r}: "
                                    f"run nbgrader generate_assignment {assignment.name} there first") from None
        notebooks = [nb.name for nb in stored.notebooks]
        if len(notebooks) != 1:
            raise GradebookMismatch(f"{assignment.name} has {len(notebooks)} notebooks in the gradebook "
                                    f"({', '.join(notebooks) or 'none'}); the kit grades one notebook per assignment")
        notebook = gradebook.find_notebook(notebooks[0], assignment.name)
        sources = {cell.name: cell.source or "" for cell in notebook.source_cells}
        in_gradebook = {cell.name: (float(cell.max_score), sources.get(cell.name, "")) for cell in notebook.grade_cells}
    cells, problems = [], []
    for question in assignment.questions:
        manual = isinstance(question, ManualQuestion)
        name = question.id if manual else f"test_{question.id}"
        if name not in in_gradebook:
            problems.append(f"no grade cell {name!r} (question {question.id})")
            continue
        points, source = in_gradebook.pop(name)
        if abs(points - question.points) > 1e-9:
            problems.append(f"grade cell {name!r} is worth {points:g} points, the declaration says {question.points:g}")
        answer = question.id if manual else question.cell
        cells.append(GradeCell(question.id, name, answer, manual, points, _HIDDEN_TESTS.sub("", source)))
    problems += [f"grade cell {name!r} is not in the declaration" for name in sorted(in_gradebook)]
    if problems:
        raise GradebookMismatch(f"the gradebook of {course.root} does not match the declaration of "
                                f"{assignment.name}; run nbgrader generate_assignment {assignment.name} --force "
                                "from the current source notebook, or fix the declaration:\n  - "
                                + "\n  - ".join(problems))
    return Layout(assignment.name, notebook.name, tuple(cells))


def import_results(course: Course, assignment: Assignment, results: Sequence[SubmissionResult]) -> Imported:
    """Write ``results`` into the course: scores and comments into the gradebook, autograded notebooks beside."""
    layout = check_course(course, assignment)
    submissions = [_submission(result, layout, course) for result in results]
    with _staged_files(course, layout, submissions) as written:
        _record(course, layout, submissions)
    return Imported(tuple(s.student for s in submissions), tuple(written),
                    tuple(s.warning for s in submissions if s.warning))


@dataclass(frozen=True)
class _Submission:
    student: str
    result: SubmissionResult
    notebook: str                    # the autograded notebook's text
    timestamp: str | None            # timestamp.txt, when nbgrader can read it
    warning: str = ""


def _submission(result: SubmissionResult, layout: Layout, course: Course) -> _Submission:
    from nbgrader.utils import parse_utc

    student = _student_of(result, layout)
    stamp, warning = Path(result.source).parent / TIMESTAMP_FILE, ""
    text = stamp.read_text(encoding="utf-8", errors="replace").strip() if stamp.is_file() else None
    if text is not None:
        try:
            parse_utc(text)
        except (ValueError, OverflowError):
            warning = f"{student}: timestamp.txt is not a date nbgrader reads ({text[:40]!r}); left out"
            text = None
    return _Submission(student, result, _autograded_notebook(result, layout, course), text, warning)


def _student_of(result: SubmissionResult, layout: Layout) -> str:
    """nbgrader's student id: the folder of ``submitted/<student>/<assignment>/<notebook>.ipynb``."""
    path = Path(result.source)
    if path.parent.name != layout.assignment or path.name != f"{layout.notebook}.ipynb":
        raise ConfigError(f"{path}: --nbgrader-course needs submissions in nbgrader's layout "
                          f"<student>/{layout.assignment}/{layout.notebook}.ipynb")
    return path.parent.parent.name


def _autograded_notebook(result: SubmissionResult, layout: Layout, course: Course) -> str:
    """The submission with its test cells restored and our feedback as their output (text)."""
    node = _readable_submission(result, layout, course)
    by_question = {q.question_id: q for q in result.questions}
    for cell in node.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        graded = next((c for c in layout.cells if c.name == grade_id and not c.manual), None)
        if graded is None or cell.cell_type != "code":
            continue
        cell.source = graded.source
        question = by_question.get(graded.question_id)
        text = question_output(question) if question else "This question was not graded."
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=_wrapped(text))]
    return str(nbformat.writes(node))


def _wrapped(text: str, width: int = 100) -> str:
    """Feedback as printed output: nbgrader's pages show it unwrapped, in one line per paragraph."""
    return "".join(textwrap.fill(line, width, break_long_words=False) + "\n" for line in text.splitlines())


def _readable_submission(result: SubmissionResult, layout: Layout, course: Course) -> Any:
    """The submitted notebook, or (when it cannot be read) the released one with the reason on top."""
    path = Path(result.source)
    if result.status is not Status.UNGRADABLE:
        try:
            return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        except (OSError, ValueError):
            pass
    release = course.root / "release" / layout.assignment / f"{layout.notebook}.ipynb"
    node = nbformat.reads(release.read_text(encoding="utf-8"), as_version=4)
    reason = result.reason or "the submitted file could not be read as a notebook"
    node.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**Autograder:** the submitted file could not be graded: {reason}. This is the released "
        "notebook, shown so that the grades below have a place."))
    return node


@contextmanager
def _staged_files(course: Course, layout: Layout, submissions: Sequence[_Submission]) -> Iterator[list[Path]]:
    """Write every file to a temporary one first; move them into place once the body succeeded."""
    moves: list[tuple[Path, Path]] = []
    try:
        for submission in submissions:
            folder = course.autograded(submission.student, layout.assignment)
            folder.mkdir(parents=True, exist_ok=True)
            moves.append((_temporary(folder, submission.notebook), folder / f"{layout.notebook}.ipynb"))
            if submission.timestamp is not None:
                moves.append((_temporary(folder, submission.timestamp + "\n"), folder / TIMESTAMP_FILE))
        yield [target for _, target in moves]
        for temporary, target in moves:
            os.replace(temporary, target)
    finally:
        for temporary, _ in moves:
            temporary.unlink(missing_ok=True)


def _temporary(folder: Path, text: str) -> Path:
    handle, name = tempfile.mkstemp(dir=folder, prefix=".zeroinit-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return Path(name)


def _record(course: Course, layout: Layout, submissions: Sequence[_Submission]) -> None:
    """Scores and comments, committed together once every submission's row exists (nbgrader's API
    commits those rows one by one); an error rolls the scores and comments back."""
    with _gradebook(course) as gradebook:
        try:
            for submission in submissions:
                gradebook.update_or_create_student(submission.student)
                when = {} if submission.timestamp is None else {"timestamp": submission.timestamp}
                gradebook.update_or_create_submission(layout.assignment, submission.student, **when)
                by_question = {q.question_id: q for q in submission.result.questions}
                for cell in layout.cells:
                    _record_cell(gradebook, layout, submission.student, cell, by_question.get(cell.question_id))
                lateness = submission.result.lateness  # nbgrader takes it off the sum of the grades itself
                notebook = gradebook.find_submission_notebook(layout.notebook, layout.assignment, submission.student)
                notebook.late_submission_penalty = lateness.penalty if lateness else 0.0
            gradebook.db.commit()
        except BaseException:
            gradebook.db.rollback()
            raise


def _record_cell(gradebook: Any, layout: Layout, student: str, cell: GradeCell,
                 question: QuestionResult | None) -> None:
    grade = gradebook.find_grade(cell.name, layout.notebook, layout.assignment, student)
    comment = gradebook.find_comment(cell.answer_cell, layout.notebook, layout.assignment, student)
    if cell.manual:
        grade.auto_score = None
        unanswered = question is None or not question.answer_text.strip()
        comment.auto_comment = _NO_RESPONSE if unanswered else None
    else:
        grade.auto_score = question.score if question else 0.0
        comment.auto_comment = question_output(question) if question else "This question was not graded."
    # nbgrader's own rule: a hand-given score, or no automatic one, means a person looks again
    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
