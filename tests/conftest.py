"""Shared fixtures: the assignment, its notebooks, one warm sandbox pool per test session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

import pytest

from autograder.batch import running_sandbox
from autograder.config import CourseLayout, GradingConfig, Limits
from autograder.declarations import load
from autograder.notebook import SubmissionFile
from autograder.pipeline import Prepared, grade_files, prepare
from autograder.validate import solution_answers, student_notebook
from source_lib.judge.results import SubmissionResult
from source_lib.judge.spec import Assignment
from tests import readable_python as readable

os.environ.setdefault("MPLBACKEND", "Agg")  # plots must render without a display

NAME = "linear_regression"
TEST_LIMITS = Limits(wall_seconds=6.0, cpu_seconds=6, memory_mb=768)


@pytest.fixture(scope="session")
def assignment() -> Assignment:
    return load(NAME)


@pytest.fixture(scope="session")
def layout() -> CourseLayout:
    return CourseLayout.default()


@pytest.fixture(scope="session")
def solution_text(layout: CourseLayout) -> str:
    return layout.solution(NAME).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def release_text(layout: CourseLayout) -> str:
    return layout.release(NAME).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def answers(solution_text: str) -> dict[str, str]:
    """The solution's code per solution cell: a correct student's answers."""
    return solution_answers(solution_text)


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
def pool(config: GradingConfig) -> Iterator[object]:
    with running_sandbox(config) as running:
        yield running


@pytest.fixture(scope="session")
def prepared(assignment: Assignment, config: GradingConfig, pool: object) -> Prepared:
    return prepare(assignment, config, pool)  # type: ignore[arg-type]


Grade = Callable[[Mapping[str, str]], dict[str, SubmissionResult]]


@pytest.fixture(scope="session")
def grade(tmp_path_factory: pytest.TempPathFactory, prepared: Prepared, config: GradingConfig,
          pool: object) -> Grade:
    """Grade notebooks given as {student: notebook text}; returns {student: result}."""

    def run(notebooks: Mapping[str, str]) -> dict[str, SubmissionResult]:
        root = tmp_path_factory.mktemp("batch")
        files = []
        for student, text in notebooks.items():
            path = root / "submitted" / student / NAME / f"{NAME}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            files.append(SubmissionFile(student, path))
        results = grade_files(prepared, files, config, pool, lambda r: None)  # type: ignore[arg-type]
        return {r.student: r for r in results}

    return run


@pytest.fixture(scope="session")
def notebook_with(release_text: str, answers: dict[str, str]) -> Callable[..., str]:
    """A student notebook: the release with the solution's answers, some replaced."""

    def build(**replaced: str) -> str:
        return student_notebook(release_text, {**answers, **replaced})

    return build
