"""Pure numeric comparisons of returned values against expected ones.

Checks run in a fixed order (number of values, type, shape, dtype,
finiteness, values) and stop at the first failure, whose message says what is
wrong. Numbers (values, shapes, lengths) are only quoted for public cases: on a
hidden case they would tell the student about its inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from source_lib.judge.codec import Array, Dict, NoneValue, Scalar, Seq, Value, describe


@dataclass(frozen=True)
class Check:
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class Tolerance:
    """|got - expected| <= atol + rtol * max(|expected|, 1e-3 * max|expected|), elementwise.

    ``per_output`` gives some outputs their own (rtol, atol), by the name feedback uses for
    them: a return value ("costs") or a dict entry ("grads['dW1']").
    """

    rtol: float = 1e-6
    atol: float = 1e-9
    per_output: tuple[tuple[str, float, float], ...] = ()

    def for_output(self, name: str) -> Tolerance:
        own = next(((r, a) for label, r, a in self.per_output if label == name), None)
        return Tolerance(own[0], own[1], self.per_output) if own else self


PASS = Check(True)


def compare_returns(got: Value, expected: Value, names: tuple[str, ...], tol: Tolerance,
                    public: bool) -> Check:
    """Compare a function's return value; several names mean a tuple of that many values."""
    if len(names) == 1:
        return compare_value(got, expected, names[0], tol, public)
    if not isinstance(expected, Seq):
        return Check(False, "the reference did not return several values")
    if not isinstance(got, Seq) or len(got.items) != len(names):
        return Check(False, f"should return {len(names)} values ({', '.join(names)}) as a tuple; "
                            f"it returned {describe(got, sizes=public)}")
    for name, g, e in zip(names, got.items, expected.items):
        check = compare_value(g, e, name, tol, public)
        if not check.passed:
            return check
    return PASS


def compare_value(got: Value, expected: Value, name: str, tol: Tolerance, public: bool) -> Check:
    """Compare one returned value with its expected value (numbers quoted only if ``public``)."""
    if isinstance(expected, Dict):
        return _compare_dict(got, expected, name, tol, public)
    tol = tol.for_output(name)
    exp = as_numbers(expected)
    if exp is None:
        return Check(False, f"cannot compare {name}: the reference is not numeric")
    problem = _kind_problem(got, expected, name, public)
    if problem:
        return Check(False, problem)
    arr = as_numbers(got)
    if arr is None:
        return Check(False, f"{name} should be numeric; it is {describe(got, sizes=public)}")
    if arr.shape != exp.shape:
        return Check(False, _shape_message(name, arr.shape, exp.shape, expected, public))
    problem = _boolean_problem(name, arr, exp)
    if problem:
        return Check(False, problem)
    arr, exp = arr.astype(float), exp.astype(float)
    if not np.all(np.isfinite(arr)) and np.all(np.isfinite(exp)):
        return Check(False, f"{name} contains NaN or infinite values: look for a division by zero "
                            "or an update that diverges")
    if not close(arr, exp, tol):
        return Check(False, _value_message(name, arr, exp, public))
    return PASS


def _compare_dict(got: Value, expected: Dict, name: str, tol: Tolerance, public: bool) -> Check:
    """Every key of the expected dict, compared as ``name['key']``; keys it does not have are ignored."""
    keys = ", ".join(repr(k) for k in expected.keys)
    if not isinstance(got, Dict):
        return Check(False, f"{name} should be a dict with the keys {keys}; it is {describe(got, sizes=public)}")
    missing = [k for k in expected.keys if got.get(k) is None]
    if missing:
        return Check(False, f"{name} has no key {', '.join(repr(k) for k in missing)} (it should have {keys})")
    for key, value in expected.items:
        check = compare_value(got.get(key), value, f"{name}[{key!r}]", tol, public)  # type: ignore[arg-type]
        if not check.passed:
            return check
    return PASS


def _boolean_problem(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    """Booleans and numbers compare as 0 and 1, and only where the numbers are exactly 0 or 1.

    A boolean array equals a numeric array of the same 0/1 values, either way round; a boolean
    where other numbers are expected, or a number other than 0 or 1 where booleans are, is wrong
    (no number is ever read as True or False).
    """
    if (got.dtype.kind == "b") == (expected.dtype.kind == "b"):
        return ""
    if got.dtype.kind == "b":
        if _zeros_and_ones(expected):
            return ""
        return f"{name} holds booleans (True/False); it should hold numbers"
    if _zeros_and_ones(got):
        return ""
    return f"{name} should hold booleans (True/False) or the numbers 0 and 1; it holds other numbers"


def _zeros_and_ones(values: np.ndarray) -> bool:
    return bool(np.all((values == 0) | (values == 1)))


def as_numbers(value: Value) -> np.ndarray | None:
    """A float array view of a numeric value (scalar, array or flat sequence), else None."""
    if isinstance(value, Scalar):
        return np.asarray(value.value, dtype=float if not isinstance(value.value, bool) else bool)
    if isinstance(value, Array):
        if value.value.dtype.kind not in "biuf":
            return None
        return value.value if value.value.dtype.kind == "b" else value.value.astype(float)
    if isinstance(value, Seq) and all(isinstance(i, Scalar) for i in value.items):
        return np.array([i.value for i in value.items], dtype=float)  # type: ignore[union-attr]
    return None


def close(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> bool:
    """Elementwise closeness with a scale-aware relative tolerance and a small absolute floor.

    A NaN equals a NaN and an infinity the same infinity, at the same place (so a mutant that
    overflows is recognised); the scale comes from the finite expected values.
    """
    if got.shape != expected.shape:
        return False
    if expected.size == 0:
        return True
    got, expected = got.astype(float), expected.astype(float)
    finite = np.isfinite(expected)
    same_special = (np.isnan(got) & np.isnan(expected)) | (~finite & ~np.isnan(expected) & (got == expected))
    magnitude = np.abs(np.where(finite, expected, 0.0))
    scale = float(np.max(magnitude))
    bound = tol.atol + tol.rtol * np.maximum(magnitude, 1e-3 * scale)
    with np.errstate(invalid="ignore"):
        return bool(np.all((np.abs(got - expected) <= bound) | same_special))


def values_close(a: Value, b: Value, tol: Tolerance) -> bool:
    """Two numeric values, or dicts of them with the same keys, equal within ``tol``."""
    return _every_entry(a, b, lambda x, y: close(x, y, tol))


def same_array(a: Value | None, b: Value | None) -> bool:
    """Exact equality of two numeric values, or dicts of them (used to detect modified inputs)."""
    return _every_entry(a, b, lambda x, y: x.shape == y.shape and bool(np.array_equal(x, y)))


def _every_entry(a: Value | None, b: Value | None, agree: Callable[[np.ndarray, np.ndarray], bool]) -> bool:
    """``agree`` on two numeric values, or on every entry of two dicts with the same keys."""
    if isinstance(a, Dict) or isinstance(b, Dict):
        return (isinstance(a, Dict) and isinstance(b, Dict) and a.keys == b.keys
                and all(_every_entry(x, y, agree) for (_, x), (_, y) in zip(a.items, b.items)))
    x = as_numbers(a) if a is not None else None
    y = as_numbers(b) if b is not None else None
    return x is not None and y is not None and agree(x, y)


def _kind_problem(got: Value, expected: Value, name: str, public: bool) -> str:
    if isinstance(got, NoneValue):
        return f"{name} is None: did you forget a return statement?"
    if isinstance(expected, Scalar):
        if isinstance(got, (Array, Seq)) and not (isinstance(got, Array) and got.value.shape == ()):
            return f"{name} should be a single number (a float); it is {describe(got, sizes=public)}"
        if isinstance(got, Scalar) and isinstance(got.value, bool) and not isinstance(expected.value, bool):
            return f"{name} should be a float, not a bool"
    if isinstance(expected, Array) and isinstance(got, Array) and got.type_name != "numpy.ndarray":
        return f"{name} should be a plain numpy.ndarray; it is a {got.type_name}"
    if isinstance(expected, Array) and isinstance(got, Scalar) and expected.value.shape != ():
        shape = f" of shape {tuple(expected.value.shape)}" if public else ""
        return f"{name} should be an array{shape}; it is a single number"
    return ""


def _shape_message(name: str, got: tuple[int, ...], expected: tuple[int, ...], reference: Value,
                   public: bool) -> str:
    if isinstance(reference, Seq) and len(got) == 1 and len(expected) == 1:
        if not public:
            return f"{name} has {'too many' if got[0] > expected[0] else 'too few'} entries"
        return f"{name} has {got[0]} entries but should have {expected[0]}"
    if len(expected) == 1 and got == (expected[0], 1):
        if not public:
            return f"{name} is a column vector (one column); it should be one-dimensional"
        return f"{name} has shape {got}, a column vector; it should be one-dimensional, shape {expected}"
    if not public:
        dims = "number of dimensions" if len(got) != len(expected) else "shape"
        return f"{name} has the wrong {dims}"
    return f"{name} has shape {got} but should have shape {expected}"


def _value_message(name: str, got: np.ndarray, expected: np.ndarray, public: bool) -> str:
    if not public:
        return f"{name} has the right shape but wrong values"
    with np.printoptions(precision=6, suppress=True, threshold=20):
        return f"{name} is wrong: got {_fmt(got)}, expected {_fmt(expected)}"


def _fmt(array: np.ndarray) -> str:
    return f"{float(array):.6g}" if array.shape == () else np.array2string(array, separator=", ")
