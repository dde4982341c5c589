"""zeroinit-kit's student package: what the assignment notebooks import.

``from source_lib import data, plots, self_check`` then ``check = self_check("linear_regression")``
and, in the last cell, ``check.all()`` (often bound as ``check_all``).

It holds the self-check, the data generators, the plots, the public check data and
the judging engine the self-check shares with the batch grader; no solution, hidden
case, seed or answer (those stay with the instructor, in ``solutions/``). The judge
loads on the first ``check(...)``, so importing this package stays light: the batch
grader's sandbox preloads it without any judging code.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["self_check"]

# Set by the batch grader's sandbox: there the trusted judge grades, so the self-check stays silent
# and the plots draw nothing.
GRADER_SANDBOX_VARIABLE = "ZEROINIT_SANDBOX"


def in_grader_sandbox() -> bool:
    """True inside the batch grader's sandbox, where nobody reads the self-check or sees a figure."""
    return bool(os.environ.get(GRADER_SANDBOX_VARIABLE))


def self_check(assignment: str) -> LazyCheck:
    """The ``check`` function for one assignment's notebook."""
    return LazyCheck(assignment)


class LazyCheck:
    """``check(question_id)``; the self-check and its data load on the first call."""

    def __init__(self, assignment: str) -> None:
        self.assignment = assignment
        self._checker: Any = None

    def __call__(self, question_id: str) -> float | None:
        if in_grader_sandbox():
            return None
        return self._load()(question_id)  # type: ignore[no-any-return]

    def all(self) -> None:
        """Print a one-line verdict for every question of the assignment."""
        if not in_grader_sandbox():
            self._load().all()

    def add_hidden(self, question_id: str, data: str) -> None:
        """Register hidden cases (used by the hidden-test blocks nbgrader's autograder restores)."""
        self._load().add_hidden(question_id, data)

    def _load(self) -> Any:
        if self._checker is None:
            from source_lib.selfcheck import checker

            self._checker = checker(self.assignment)
        return self._checker
