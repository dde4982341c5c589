"""Shared fixtures: every assignment of the course, its notebooks, one warm sandbox pool per test session.

Two ways in:

- ``course_of(name)`` (and the ``course`` fixture, parametrised over every assignment the
  course declares: ``available()``, never a list) gives one assignment's :class:`Course`:
  its declaration, solution and release texts, the reference run, and ``grade`` /
  ``notebook_with`` bound to it. Tests of a property every assignment must have use these.
- ``assignment``, ``solution_text``, ``release_text``, ``answers``, ``prepared``, ``grade`` and
  ``notebook_with`` are those of ``linear_regression`` (``NAME``): the tests written against its
  questions (its hostile notebooks, its feedback wording) use them.

Every course shares the one sandbox pool, and each reference run is made once per session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from autograder.batch import running_sandbox
from autograder.config import CourseLayout, GradingConfig, Limits
from autograder.declarations import available, load
from autograder.notebook import SubmissionFile
from autograder.pipeline import Prepared, Runner, grade_files, prepare
from autograder.validate import solution_answers, student_notebook
from source_lib.judge.results import SubmissionResult
from source_lib.judge.spec import Assignment
from tests import readable_python as readable

os.environ.setdefault("MPLBACKEND", "Agg")  # plots must render without a display

NAME = "linear_regression"  # the assignment of the tests written against its questions
TEST_LIMITS = Limits(wall_seconds=6.0, cpu_seconds=6, memory_mb=768)
ASSIGNMENTS = available(CourseLayout.default())  # every assignment of the course, discovered

Grade = Callable[[Mapping[str, str]], dict[str, SubmissionResult]]


def assignment_params() -> list[object]:
    """``pytest.param(name, id=name)`` for every assignment: for ``parametrize`` and fixture ``params``."""
    return [pytest.param(name, id=name) for name in ASSIGNMENTS]


@dataclass
class Course:
    """One assignment, graded through the session's sandbox pool."""

    name: str
    layout: CourseLayout
    config: GradingConfig
    sandbox: Callable[[], Runner]  # the session's pool, started on first use
    scratch: Callable[[str], Path]  # a fresh folder per call

    @cached_property
    def assignment(self) -> Assignment:
        return load(self.name, self.layout)

    @cached_property
    def solution_text(self) -> str:
        return self.layout.solution(self.name).read_text(encoding="utf-8")

    @cached_property
    def release_text(self) -> str:
        return self.layout.release(self.name).read_text(encoding="utf-8")

    @cached_property
    def answers(self) -> dict[str, str]:
        """The solution's code per solution cell: a correct student's answers."""
        return solution_answers(self.solution_text)

    @cached_property
    def prepared(self) -> Prepared:
        """The reference run (solution and every mutant on every case), made once per session."""
        return prepare(self.assignment, self.config, self.sandbox())

    def notebook_with(self, **replaced: str) -> str:
        """A student notebook: the release with the solution's answers, some replaced."""
        return student_notebook(self.release_text, {**self.answers, **replaced})

    def grade(self, notebooks: Mapping[str, str]) -> dict[str, SubmissionResult]:
        """Grade notebooks given as {student: notebook text} in one batch; returns {student: result}."""
        root = self.scratch(f"batch-{self.name}")
        files = []
        for k, (student, text) in enumerate(notebooks.items()):
            folder = f"{k:04d}-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", student)  # a student id may hold a '/'
            path = root / "submitted" / folder / self.name / f"{self.name}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(text, encoding="utf-8")
            files.append(SubmissionFile(student, path))
        results: dict[str, SubmissionResult] = {}
        grade_files(self.prepared, files, self.config, self.sandbox(), lambda r: results.update({r.student: r}))
        return results


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The grader's reference cache (``grade``'s default) goes under the session's tmp folder, not ~/.cache."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if saved is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(scope="session")
def layout() -> CourseLayout:
    return CourseLayout.default()


@pytest.fixture(scope="session")
def readable_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An interpreter whose files every uid can read (see tests/readable_python.py)."""
    why = readable.unavailable()
    if why:
        pytest.skip(why)
    with readable.readable_python(tmp_path_factory.mktemp("readable-python")) as python:
        yield str(python)


@pytest.fixture(scope="session")
def config() -> GradingConfig:
    return GradingConfig(limits=TEST_LIMITS, workers=2)


@pytest.fixture(scope="session")
def sandbox(config: GradingConfig) -> Iterator[Callable[[], Runner]]:
    """The session's one sandbox pool, started when a test first needs it."""
    with ExitStack() as stack:
        started: list[Runner] = []

        def get() -> Runner:
            if not started:
                started.append(stack.enter_context(running_sandbox(config)))
            return started[0]

        yield get


@pytest.fixture(scope="session")
def pool(sandbox: Callable[[], Runner]) -> object:
    return sandbox()


@pytest.fixture(scope="session")
def course_of(layout: CourseLayout, config: GradingConfig, sandbox: Callable[[], Runner],
              tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Course]:
    """``course_of(name)``: the session's one :class:`Course` of that assignment."""
    made: dict[str, Course] = {}

    def get(name: str) -> Course:
        if name not in made:
            made[name] = Course(name, layout, config, sandbox, tmp_path_factory.mktemp)
        return made[name]

    return get


@pytest.fixture(scope="module", params=assignment_params())
def course(request: pytest.FixtureRequest, course_of: Callable[[str], Course]) -> Course:
    """Each assignment of the course in turn (the test id names it)."""
    return course_of(request.param)


# ---------------------------------------------------------------- linear_regression's, by name


@pytest.fixture(scope="session")
def linear(course_of: Callable[[str], Course]) -> Course:
    return course_of(NAME)


@pytest.fixture(scope="session")
def assignment(linear: Course) -> Assignment:
    return linear.assignment


@pytest.fixture(scope="session")
def solution_text(linear: Course) -> str:
    return linear.solution_text


@pytest.fixture(scope="session")
def release_text(linear: Course) -> str:
    return linear.release_text


@pytest.fixture(scope="session")
def answers(linear: Course) -> dict[str, str]:
    """The solution's code per solution cell: a correct student's answers."""
    return linear.answers


@pytest.fixture(scope="session")
def prepared(linear: Course) -> Prepared:
    return linear.prepared


@pytest.fixture(scope="session")
def grade(linear: Course) -> Grade:
    """Grade notebooks given as {student: notebook text}; returns {student: result}."""
    return linear.grade


@pytest.fixture(scope="session")
def notebook_with(linear: Course) -> Callable[..., str]:
    """A student notebook: the release with the solution's answers, some replaced."""
    return linear.notebook_with
