"""zeroinit-kit's autograder: sandboxed batch grading of nbgrader notebooks."""

__version__ = "0.1.0"
