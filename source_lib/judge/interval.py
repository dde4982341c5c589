"""Evaluate a closed sympy expression to a float whose error is known (mpmath interval arithmetic).

sympy's ``evalf`` can silently lose a term of a sum to cancellation; an interval cannot: the working
precision doubles until the interval is narrow enough, so the value returned is right to about
EVALF_DIGITS digits, or the expression is reported as undefined or imprecise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath  # type: ignore[import-untyped]
import sympy

# Values with exp, log, tanh, ... are computed in interval arithmetic (mpmath.iv), so the error of the
# result is known: the working precision doubles from START_DIGITS until the interval is narrower than
# 10^-EVALF_DIGITS of the value (or 10^-ABS_DIGITS, for a value that is 0), up to MAX_DIGITS.
# A cancellation such as 1 - 1/(1 + exp(-z)) for z near 900 (about 10^-390, within the sample values)
# needs ~400 digits; sympy's evalf can silently drop such a term from a sum.
EVALF_DIGITS = 30
START_DIGITS = 40
MAX_DIGITS = 2560
ABS_DIGITS = 40


class Undefined(Exception):
    """The value is infinite or undefined even at the highest precision (a division by zero, log(0))."""


class Imprecise(Exception):
    """Even the highest working precision leaves the value uncertain."""


class Unsupported(Exception):
    """A node (or a complex intermediate) the interval evaluator does not handle: sympy's evalf does."""


def numeric_value(value: sympy.Expr) -> complex:
    """The value of a closed expression, correct to about EVALF_DIGITS digits (see EVALF_DIGITS)."""
    iv = mpmath.iv
    saved = iv.prec
    digits = START_DIGITS
    try:
        while True:
            iv.dps = digits
            try:
                interval = _interval(value)
            except ZeroDivisionError:
                interval = None
            except (Unsupported, mpmath.libmp.ComplexResult):
                return complex(value.evalf(EVALF_DIGITS))  # complex values are reported, not compared
            if interval is not None and _narrow(interval):
                return complex(float(mpmath.mp.make_mpf(interval.mid._mpi_[0])))  # rounded to nearest
            if digits >= MAX_DIGITS:
                if interval is None or not all(mpmath.isfinite(end) for end in _bounds(interval)):
                    raise Undefined
                raise Imprecise
            digits *= 2
    finally:
        iv.prec = saved


def _narrow(interval: Any) -> bool:
    """Finite, and narrow enough that its midpoint has EVALF_DIGITS correct digits (or is ~0)."""
    a, b = _bounds(interval)
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    width, scale = b - a, max(abs(a), abs(b))
    return bool(width <= scale * mpmath.mpf(10) ** -EVALF_DIGITS or width <= mpmath.mpf(10) ** -ABS_DIGITS)


def _bounds(interval: Any) -> tuple[Any, Any]:
    """The two ends of an mpmath interval, as plain mpmath numbers."""
    lo, hi = interval._mpi_
    return mpmath.mp.make_mpf(lo), mpmath.mp.make_mpf(hi)


def _interval(expr: sympy.Basic) -> Any:
    """``expr`` as an mpmath interval at the current precision of mpmath.iv (no sympy evaluation)."""
    iv = mpmath.iv
    if expr.is_Integer:
        return iv.mpf(int(expr))
    if expr.is_Rational:
        return iv.mpf(int(expr.p)) / int(expr.q)
    if isinstance(expr, sympy.Float):
        return iv.mpf(mpmath.mp.make_mpf(expr._mpf_))
    constant = {sympy.S.Pi: iv.pi, sympy.S.Exp1: iv.e}.get(expr)
    if constant is not None:
        return +constant
    if isinstance(expr, sympy.Add):
        return _fold(expr.args, lambda x, y: x + y)
    if isinstance(expr, sympy.Mul):
        return _fold(expr.args, lambda x, y: x * y)
    if isinstance(expr, sympy.Pow):
        base = _interval(expr.base)
        if expr.exp.is_Integer:
            return base ** int(expr.exp)
        if base.b < 0:
            raise Unsupported("a root of a negative number")
        if base.a < 0:
            raise ZeroDivisionError("a root of a number that may be negative")  # a higher precision decides
        return base ** _interval(expr.exp)
    if len(expr.args) != 1:
        raise Unsupported(type(expr).__name__)
    x = _interval(expr.args[0])
    if isinstance(expr, sympy.exp):
        return iv.exp(x)
    if isinstance(expr, sympy.log):
        if x.b < 0:
            raise Unsupported("the log of a negative number")
        if x.a <= 0:
            raise ZeroDivisionError("the log of a number that may be 0")  # a higher precision decides
        return iv.log(x)
    if isinstance(expr, sympy.tanh):
        return 1 - 2 / (iv.exp(2 * x) + 1)
    if isinstance(expr, sympy.sinh):
        return (iv.exp(x) - iv.exp(-x)) / 2
    if isinstance(expr, sympy.sech):
        return 2 / (iv.exp(x) + iv.exp(-x))
    if isinstance(expr, sympy.cosh):
        return (iv.exp(x) + iv.exp(-x)) / 2
    if isinstance(expr, sympy.Abs):
        return abs(x)
    if isinstance(expr, sympy.sign):
        if x.a > 0 or x.b < 0:
            return iv.mpf(1 if x.a > 0 else -1)
        raise ZeroDivisionError("the sign of a number that may be 0")  # a higher precision decides
    raise Unsupported(type(expr).__name__)


def _fold(args: tuple[sympy.Basic, ...], combine: Callable[[Any, Any], Any]) -> Any:
    total = _interval(args[0])
    for arg in args[1:]:
        total = combine(total, _interval(arg))
    return total
