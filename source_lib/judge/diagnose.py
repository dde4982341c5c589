"""Name the mistake behind a wrong answer.

Two sources, STACK-style: the instructor's catalogue (the student's behaviour
equals a mutant of the solution on the same inputs) and generic probes (the
answer is a constant multiple of the right one, or its values are swapped).
The probes state the mistake in generic words; what to check about it is the
declaration's (``FunctionQuestion.hints``), since only the assignment knows its formulas.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from source_lib.judge.codec import Dict, Seq, Value
from source_lib.judge.decode import Call
from source_lib.judge.numeric import Tolerance, as_numbers, close, compare_returns, values_close


def matching_misconceptions(student: Call, mutants: Mapping[str, Call], names: tuple[str, ...],
                            immutable: tuple[int, ...], tol: Tolerance, warnings_count: bool = False) -> list[str]:
    """Ids of the mutants whose return value and modified inputs equal the student's.

    With ``warnings_count``, a mutant matches only if it warns when the student's call warns.
    """
    if student.status != "returned" or student.value is None:
        return []
    found = []
    for misconception_id, mutant in mutants.items():
        if mutant.status != "returned" or mutant.value is None:
            continue
        if not compare_returns(student.value, mutant.value, names, tol, public=False).passed:
            continue
        if warnings_count and bool(student.warnings) != bool(mutant.warnings):
            continue
        if all(_same_after(student, mutant, i, tol) for i in immutable):
            found.append(misconception_id)
    return found


def _same_after(student: Call, mutant: Call, index: int, tol: Tolerance) -> bool:
    if index >= len(student.args_after) or index >= len(mutant.args_after):
        return False
    return values_close(student.args_after[index], mutant.args_after[index], tol)


# The constant ratios (student / expected) the probe names, as (diagnosis id, statement).
_NAMED_RATIOS = ((-1.0, "sign_flipped", "{name} has the wrong sign"),
                 (2.0, "factor_2", "{name} is twice the correct value"),
                 (0.5, "factor_half", "{name} is half the correct value"))


def generic_diagnosis(got: Value, expected: Value, names: tuple[str, ...], dims: Mapping[str, int],
                      tol: Tolerance, hints: Mapping[str, str] | None = None) -> str | None:
    """A hint when no catalogued misconception matched, or None.

    ``hints`` (diagnosis id -> what to check) completes a named ratio's statement.
    """
    hints = hints or {}
    if len(names) > 1 and isinstance(got, Seq) and isinstance(expected, Seq):
        swapped = _swapped(got, expected, names, tol)
        if swapped:
            return swapped
        for name, g, e in zip(names, got.items, expected.items):
            hint = _ratio_hint(name, g, e, dims, hints)
            if hint:
                return hint
        return None
    return _ratio_hint(names[0], got, expected, dims, hints)


def _swapped(got: Seq, expected: Seq, names: tuple[str, ...], tol: Tolerance) -> str | None:
    if len(got.items) != 2 or len(expected.items) != 2:
        return None
    pairs = [(as_numbers(got.items[0]), as_numbers(expected.items[1])),
             (as_numbers(got.items[1]), as_numbers(expected.items[0]))]
    if all(a is not None and b is not None and close(a, b, tol) for a, b in pairs):
        return f"the two values are in the wrong order: return ({names[0]}, {names[1]})"
    return None


def _ratio_hint(name: str, got: Value, expected: Value, dims: Mapping[str, int],
                hints: Mapping[str, str]) -> str | None:
    if isinstance(expected, Dict):  # the first entry off by a named ratio, as name['key']
        if not isinstance(got, Dict):
            return None
        for key, wanted in expected.items:
            entry = got.get(key)
            hint = _ratio_hint(f"{name}[{key!r}]", entry, wanted, dims, hints) if entry is not None else None
            if hint:
                return hint
        return None
    ratio = _constant_ratio(got, expected)
    if ratio is None:
        return None
    for label, size in dims.items():
        if size > 2 and abs(ratio - size) < 1e-6 * size:
            return f"{name} is {label} times too large: did you forget to divide by {label}?"
        if size > 2 and abs(ratio - 1 / size) < 1e-6:
            return f"{name} is {label} times too small: did you divide by {label} twice?"
    for value, diagnosis, statement in _NAMED_RATIOS:
        if abs(ratio - value) < 1e-6:
            return with_advice(statement.format(name=name), hints.get(diagnosis))
    return None


def with_advice(statement: str, advice: str | None) -> str:
    """'statement: advice', or the statement alone when the declaration gives no advice."""
    advice = (advice or "").strip()
    return f"{statement}: {advice}" if advice else statement


def _constant_ratio(got: Value, expected: Value) -> float | None:
    a, b = as_numbers(got), as_numbers(expected)
    if a is None or b is None or a.shape != b.shape or a.size == 0:
        return None
    mask = np.abs(b) > 1e-9 * max(1.0, float(np.max(np.abs(b))))
    if not np.any(mask) or not np.all(np.isfinite(a)):
        return None
    ratios = a[mask] / b[mask]
    if np.ptp(ratios) > 1e-6 * max(1.0, float(np.max(np.abs(ratios)))):
        return None
    if np.any(np.abs(a[~mask]) > 1e-9):
        return None
    ratio = float(ratios[0])
    return None if abs(ratio - 1.0) < 1e-9 else ratio
