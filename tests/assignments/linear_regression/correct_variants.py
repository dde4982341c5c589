"""Correct answers to linear_regression written differently from the solution: each must get full marks.

Its forms are kept in tests/fixtures/variants.py, which tests/test_grading.py uses as well; this file
is what the parametrised conformance suite (tests/test_conformance.py) reads for this assignment.
"""

from tests.fixtures.variants import CORRECT_VARIANTS

__all__ = ["CORRECT_VARIANTS"]
