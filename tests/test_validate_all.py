"""``autograder validate`` passes for every assignment of the course (discovered, not listed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from autograder.config import CourseLayout, GradingConfig
from autograder.declarations import available, load
from autograder.validate import validate

ASSIGNMENTS = available(CourseLayout.default())


def test_assignments_are_discovered() -> None:
    assert ASSIGNMENTS, "no solutions/<name>.py with its solutions/<name>.ipynb found"


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_assignment_validates(name: str, config: GradingConfig, pool: object) -> None:
    layout = CourseLayout.default()
    report = validate(load(name, layout), replace(config, layout=layout), runner=pool)  # type: ignore[arg-type]
    assert report.ok, report.text
