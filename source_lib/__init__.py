"""What the assignment notebooks import: the self-check, data generators, plots.

``from source_lib import data, plots, self_check`` then ``check = self_check("linear_regression")``.
"""

from source_lib.selfcheck import self_check

__all__ = ["self_check"]
