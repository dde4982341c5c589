"""Exceptions for faults of the grader itself, never for a student's mistakes.

A student's mistake is a value (a failed check with a message). These exceptions
mean the grader could not do its job. The whole tree (``source_lib.errors`` adds
the two that only the batch grader raises)::

    AutograderError
      + ConfigError            bad command line or configuration (exit code 2)      [autograder]
      + AssignmentError        the assignment declaration or its notebooks are inconsistent
      + SandboxError           the sandbox could not run a job (worker died, isolation refused)  [autograder]
      + WireError              a message between the two sides broke the schema or its limits
"""

from __future__ import annotations


class AutograderError(Exception):
    """Base class of every grader fault."""


class AssignmentError(AutograderError):
    """An assignment declaration, its solution or its release is inconsistent."""

    def __init__(self, assignment: str, message: str) -> None:
        super().__init__(f"{assignment}: {message}")
        self.assignment = assignment


class WireError(AutograderError):
    """A wire message broke the schema or a size limit."""
