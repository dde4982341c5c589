"""``autograder validate`` passes for every assignment of the course (discovered, not listed).

Its release-in-sync check (nbgrader, half of validate's time) is left to
``test_conformance.py::test_committed_release_is_in_sync``, which runs it on the same
reference run as the rest of the conformance suite; ``test_cli.py`` runs validate whole."""

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
    report = validate(load(name, layout), replace(config, layout=layout), check_sync=False,
                      runner=pool)  # type: ignore[arg-type]
    assert report.ok, report.text
