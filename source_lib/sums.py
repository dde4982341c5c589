"""Sums over concrete ranges, written out term by term (sympy only: the judge and the data helpers share it)."""

from __future__ import annotations

import sympy

MAX_WRITTEN_TERMS = 64  # a Sum over a longer concrete range is left to sympy's doit()


def write_out_sums(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with each Sum over concrete integer limits written out term by term.

    Sum.doit() first looks for a closed form (partial fractions and all), which costs seconds
    for the sigmoid terms of a cross-entropy; writing out a few terms is exact and immediate.
    Sums it cannot write out (symbolic or very long ranges) are left to doit().
    """
    if not expr.has(sympy.Sum):
        return expr
    if isinstance(expr, sympy.Sum):
        written = _written_out(expr)
        if written is not None:
            return write_out_sums(written)
    args = [write_out_sums(arg) for arg in expr.args]
    return expr.func(*args) if any(new is not old for new, old in zip(args, expr.args)) else expr


def _written_out(total: sympy.Sum) -> sympy.Basic | None:
    """The outermost range of ``total`` as an Add of its terms, or None when it is not concrete."""
    variable, low, high = total.limits[-1]
    if not (low.is_Integer and high.is_Integer) or abs(int(high) - int(low)) > MAX_WRITTEN_TERMS:
        return None
    inner = sympy.Sum(total.function, *total.limits[:-1]) if len(total.limits) > 1 else total.function
    sign, first, last = (1, int(low), int(high)) if high >= low - 1 else (-1, int(high) + 1, int(low) - 1)
    # xreplace is fast but would also rename an inner Sum's own index of the same name; subs respects it
    shadowed = any(variable in {limit[0] for limit in nested.limits} for nested in inner.atoms(sympy.Sum))

    def term(k: int) -> sympy.Basic:
        return inner.subs(variable, k) if shadowed else inner.xreplace({variable: sympy.Integer(k)})

    return sign * sympy.Add(*[term(k) for k in range(first, last + 1)])
