"""The grader faults only the batch grader raises; the tree is drawn in ``source_lib.errors``."""

from __future__ import annotations

from source_lib.errors import AssignmentError, AutograderError, WireError

__all__ = ["AssignmentError", "AutograderError", "ConfigError", "OutputError", "SandboxError", "WireError"]


class ConfigError(AutograderError):
    """The command line or configuration is invalid."""


class SandboxError(AutograderError):
    """The sandbox could not run a job at all (not: the student's code failed)."""


class OutputError(AutograderError):
    """The reports could not be written (a full or read-only disk); what was graded is kept."""
