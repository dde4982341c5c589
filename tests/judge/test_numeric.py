"""judge.numeric: the order of checks, their messages, and the scale-aware tolerance."""

from __future__ import annotations

import re

import numpy as np
import pytest

from source_lib.judge import codec
from source_lib.judge.codec import Array, NoneValue, Other, Scalar, Seq, Text
from source_lib.judge.numeric import Tolerance, close, compare_returns, compare_value, same_array

TOL = Tolerance()  # the FunctionQuestion defaults: rtol 1e-6, atol 1e-9


def arr(values: object, type_name: str = "numpy.ndarray") -> Array:
    return Array(np.asarray(values, dtype=float), type_name)


def num(x: float, type_name: str = "float") -> Scalar:
    return Scalar(x, type_name)


def seq(*items: codec.Value, kind: str = "tuple") -> Seq:
    return Seq(kind, tuple(items))


# ---------------------------------------------------------------- scalars and shapes


@pytest.mark.parametrize("got", [
    num(2.5), num(2.5, "numpy.float64"), Scalar(2.5, "numpy.float32"),
    Array(np.array(2.5), "numpy.ndarray"),            # a 0-d array is a single number
    Array(np.array(2.5, dtype=np.float32), "numpy.ndarray"),
], ids=["float", "np.float64", "np.float32", "0-d array", "0-d float32 array"])
def test_single_number_accepted_as_scalar_or_0d_array(got: codec.Value) -> None:
    assert compare_value(got, num(2.5), "cost", TOL, public=True).passed


def test_integer_scalar_matches_an_integral_float() -> None:
    assert compare_value(Scalar(3, "int"), num(3.0), "cost", TOL, public=True).passed


@pytest.mark.parametrize("got, fragment", [
    (arr([2.5]), "should be a single number (a float); it is an array of shape (1,)"),
    (arr([[2.5]]), "should be a single number (a float); it is an array of shape (1, 1)"),
    (seq(num(2.5)), "should be a single number (a float); it is a tuple of 1 values"),
    (Scalar(True, "bool"), "cost should be a float, not a bool"),
    (NoneValue(), "cost is None: did you forget a return statement?"),
    (Text("2.5"), "cost should be numeric; it is a string"),
    (Other("dict"), "cost should be numeric; it is an object of type dict"),
])
def test_single_number_expected_messages(got: codec.Value, fragment: str) -> None:
    check = compare_value(got, num(2.5), "cost", TOL, public=True)
    assert not check.passed
    assert fragment in check.message


def test_0d_expected_array_accepts_a_plain_number() -> None:
    """The solution returning np.array(x) (0-d) must not fail a student returning float(x)."""
    expected = Array(np.array(2.5), "numpy.ndarray")
    assert compare_value(num(2.5), expected, "cost", TOL, public=True).passed
    assert compare_value(Array(np.array(2.5), "numpy.ndarray"), expected, "cost", TOL, True).passed


@pytest.mark.parametrize("got, expected, fragment", [
    (arr([[1.0], [2.0], [3.0]]), arr([1.0, 2.0, 3.0]),
     "dj_dw has shape (3, 1), a column vector; it should be one-dimensional, shape (3,)"),
    (arr([[1.0, 2.0, 3.0]]), arr([1.0, 2.0, 3.0]), "dj_dw has shape (1, 3) but should have shape (3,)"),
    (arr([1.0, 2.0]), arr([1.0, 2.0, 3.0]), "dj_dw has shape (2,) but should have shape (3,)"),
    (arr([1.0, 2.0, 3.0]), arr([[1.0], [2.0], [3.0]]), "dj_dw has shape (3,) but should have shape (3, 1)"),
    (num(1.0), arr([1.0, 2.0, 3.0]), "dj_dw should be an array of shape (3,); it is a single number"),
])
def test_shape_messages(got: codec.Value, expected: codec.Value, fragment: str) -> None:
    check = compare_value(got, expected, "dj_dw", TOL, public=True)
    assert not check.passed and fragment in check.message
    hidden = compare_value(got, expected, "dj_dw", TOL, public=False)  # no size of a hidden input
    assert not hidden.passed and not re.search(r"\d", hidden.message), hidden.message
    assert hidden.message.startswith("dj_dw ")


def test_list_of_numbers_accepted_for_an_array() -> None:
    expected = arr([1.0, 2.0])
    assert compare_value(seq(num(1.0), num(2.0), kind="list"), expected, "w", TOL, True).passed


LABELS = [1, 0, 0, 1, 1]
AS_BOOL, AS_INT, AS_FLOAT = (np.array(LABELS, dtype=t) for t in (bool, np.int64, float))


def wrap(values: np.ndarray) -> Array:
    return Array(values, "numpy.ndarray")


@pytest.mark.parametrize("got", [AS_BOOL, AS_INT, AS_FLOAT, AS_INT.astype(np.int8), AS_FLOAT.astype(np.float32)],
                         ids=["bool", "int", "float", "int8", "float32"])
@pytest.mark.parametrize("expected", [AS_BOOL, AS_INT, AS_FLOAT], ids=["expect-bool", "expect-int", "expect-float"])
def test_booleans_and_zero_one_numbers_are_the_same_labels(got: np.ndarray, expected: np.ndarray) -> None:
    assert compare_value(wrap(got), wrap(expected), "p", TOL, public=True).passed
    flipped = got.copy()
    flipped[1] = 1 - flipped[1] if flipped.dtype.kind != "b" else not flipped[1]
    check = compare_value(wrap(flipped), wrap(expected), "p", TOL, public=True)
    assert not check.passed and "p is wrong" in check.message


@pytest.mark.parametrize("got", [np.array([0.9, 0.1, 0.2, 0.7, 0.6]), np.array([2, 0, 0, 5, 1]),
                                 np.array([1.0, 0.0, 0.0, 1.0, 1.000001]), np.array([-1, 0, 0, 1, 1])],
                         ids=["probabilities", "counts", "almost-one", "minus-one"])
def test_numbers_are_never_read_as_booleans(got: np.ndarray) -> None:
    """Truthy numbers are not True: only exactly 0 and 1 compare with booleans."""
    check = compare_value(wrap(got), wrap(AS_BOOL), "p", TOL, public=True)
    assert not check.passed
    assert check.message == "p should hold booleans (True/False) or the numbers 0 and 1; it holds other numbers"
    assert not compare_value(wrap(got), wrap(AS_BOOL), "p", TOL, public=False).passed


def test_booleans_are_wrong_where_other_numbers_are_expected() -> None:
    check = compare_value(wrap(AS_BOOL), arr([1.0, 0.0, 0.0, 1.0, 2.0]), "w", TOL, public=True)
    assert not check.passed and check.message == "w holds booleans (True/False); it should hold numbers"
    check = compare_value(wrap(np.array([True, False])), arr([0.5, 0.0]), "w", TOL, public=False)
    assert not check.passed and "holds booleans" in check.message


def test_a_boolean_scalar_matches_a_boolean_but_not_a_float() -> None:
    assert compare_value(Scalar(True, "bool"), Scalar(True, "bool"), "done", TOL, public=True).passed
    assert not compare_value(Scalar(False, "bool"), Scalar(True, "bool"), "done", TOL, public=True).passed
    assert not compare_value(Scalar(True, "bool"), num(1.0), "cost", TOL, public=True).passed


def test_booleans_in_a_tuple_of_returns() -> None:
    expected = Seq("tuple", (wrap(AS_INT), num(0.5)))
    got = Seq("tuple", (wrap(AS_BOOL), num(0.5)))
    assert compare_returns(got, expected, ("labels", "rate"), TOL, public=True).passed


@pytest.mark.parametrize("type_name", ["numpy.matrix", "numpy.ma.MaskedArray", "mymodule.Sneaky"])
def test_ndarray_subclass_rejected_by_type_name(type_name: str) -> None:
    check = compare_value(arr([1.0, 2.0], type_name), arr([1.0, 2.0]), "w", TOL, public=True)
    assert not check.passed
    assert check.message == f"w should be a plain numpy.ndarray; it is a {type_name}"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_rejected_when_expected_finite(bad: float) -> None:
    check = compare_value(arr([1.0, bad]), arr([1.0, 2.0]), "w", TOL, public=True)
    assert not check.passed and "NaN or infinite" in check.message
    check = compare_value(num(bad), num(2.0), "cost", TOL, public=True)
    assert not check.passed and "NaN or infinite" in check.message


def test_reference_that_is_not_numeric() -> None:
    check = compare_value(num(1.0), Text("x"), "cost", TOL, public=True)
    assert not check.passed and "reference is not numeric" in check.message


# ---------------------------------------------------------------- several return values


def test_tuple_and_list_both_accepted_for_several_values() -> None:
    expected = seq(arr([1.0, 2.0]), num(0.5))
    names = ("dj_dw", "dj_db")
    assert compare_returns(seq(arr([1.0, 2.0]), num(0.5)), expected, names, TOL, True).passed
    assert compare_returns(seq(arr([1.0, 2.0]), num(0.5), kind="list"), expected, names, TOL, True).passed


@pytest.mark.parametrize("got, fragment", [
    (seq(arr([1.0, 2.0])), "it returned a tuple of 1 values"),
    (seq(arr([1.0, 2.0]), num(0.5), num(0.0)), "it returned a tuple of 3 values"),
    (arr([1.0, 2.0]), "it returned an array of shape (2,) and dtype float64"),
    (NoneValue(), "it returned None"),
])
def test_wrong_number_of_returned_values(got: codec.Value, fragment: str) -> None:
    check = compare_returns(got, seq(arr([1.0, 2.0]), num(0.5)), ("dj_dw", "dj_db"), TOL, True)
    assert not check.passed
    assert check.message.startswith("should return 2 values (dj_dw, dj_db) as a tuple")
    assert fragment in check.message


def test_first_failing_value_is_named() -> None:
    expected = seq(arr([1.0, 2.0]), num(0.5))
    check = compare_returns(seq(arr([1.0, 2.0]), num(0.75)), expected, ("dj_dw", "dj_db"), TOL, True)
    assert not check.passed and check.message.startswith("dj_db is wrong")


def test_reference_without_several_values() -> None:
    check = compare_returns(seq(num(1.0), num(2.0)), num(1.0), ("a", "b"), TOL, True)
    assert not check.passed and "reference did not return several values" in check.message


@pytest.mark.parametrize("got_len", [4, 6])
def test_j_history_length_message(got_len: int) -> None:
    expected = seq(arr([1.0, 2.0]), num(0.5), Seq("list", tuple(num(float(k)) for k in range(5))))
    history = Seq("list", tuple(num(float(k)) for k in range(got_len)))
    check = compare_returns(seq(arr([1.0, 2.0]), num(0.5), history), expected, ("w", "b", "J_history"),
                            TOL, public=True)
    assert not check.passed
    assert check.message == f"J_history has {got_len} entries but should have 5"
    # an ndarray history of the wrong length gets the same message
    check = compare_value(arr(np.arange(got_len)), expected.items[2], "J_history", TOL, True)
    assert check.message == f"J_history has {got_len} entries but should have 5"
    # on a hidden case the length would tell its number of iterations
    hidden = compare_value(arr(np.arange(got_len)), expected.items[2], "J_history", TOL, False)
    assert hidden.message == f"J_history has too {'few' if got_len < 5 else 'many'} entries"


# ---------------------------------------------------------------- tolerance


@pytest.mark.parametrize("scale", [1e-2, 1.0, 1e3, 1e8])
def test_relative_tolerance_is_scale_aware(scale: float) -> None:
    expected = np.array([1.0, -2.0, 3.5]) * scale
    assert close(expected * (1 + 1e-8), expected, TOL)
    assert not close(expected * (1 + 1e-5), expected, TOL)
    assert compare_value(arr(expected * (1 + 1e-8)), arr(expected), "w", TOL, True).passed
    assert not compare_value(arr(expected * (1 + 1e-5)), arr(expected), "w", TOL, True).passed


def test_zeros_in_place_of_a_tiny_gradient_fail() -> None:
    gradient = np.array([3e-9, -5e-9, 8e-9])
    assert not compare_value(arr(np.zeros(3)), arr(gradient), "dj_dw", TOL, True).passed
    assert compare_value(arr(gradient * (1 + 1e-8)), arr(gradient), "dj_dw", TOL, True).passed


def test_absolute_floor_is_inclusive() -> None:
    """Against an expected 0 only atol is left: a difference of exactly atol passes, more fails."""
    tol = Tolerance(rtol=1e-6, atol=2.0**-30)
    assert close(np.array([2.0**-30]), np.array([0.0]), tol)
    assert not close(np.array([2.0**-30 + 2.0**-52]), np.array([0.0]), tol)


def test_small_entries_are_judged_on_the_scale_of_the_largest() -> None:
    """An entry far below the largest one gets the floor 1e-3 * max|expected| (times rtol)."""
    expected = np.array([1000.0, 1e-7])
    bound = TOL.atol + TOL.rtol * 1e-3 * 1000.0  # = 1e-6 + 1e-9
    assert close(np.array([1000.0, 0.0]), expected, TOL)              # off by 1e-7 < bound
    assert close(np.array([1000.0, 1e-7 + 0.99 * bound]), expected, TOL)
    assert not close(np.array([1000.0, 1e-7 + 1.01 * bound]), expected, TOL)


def test_entry_exactly_at_the_floor() -> None:
    """|expected| == 1e-3 * max|expected|: both sides of the max agree; the bound is 2e-9 here."""
    expected = np.array([1.0, 1e-3])
    assert close(np.array([1.0, 1e-3 + 1.9e-9]), expected, TOL)
    assert not close(np.array([1.0, 1e-3 + 2.1e-9]), expected, TOL)


def test_close_on_empty_and_mismatched_shapes() -> None:
    assert close(np.zeros(0), np.zeros(0), TOL)
    assert not close(np.zeros(2), np.zeros(3), TOL)


def test_same_array_is_exact() -> None:
    a = arr([1.0, 2.0])
    assert same_array(a, arr([1.0, 2.0]))
    assert not same_array(a, arr([1.0, 2.0 + 1e-15]))
    assert not same_array(a, arr([[1.0, 2.0]]))
    assert not same_array(a, Text("x"))


# ---------------------------------------------------------------- hidden cases quote no values


HIDDEN_EXPECTED = arr([1234.5678, -8765.4321, 4242.4242])


@pytest.mark.parametrize("got", [
    arr([1.0, 2.0, 3.0]),
    arr([2469.1356, -17530.8642, 8484.8484]),
    arr([1234.5678, -8765.4321, np.nan]),
    arr([[1234.5678], [-8765.4321], [4242.4242]]),
    arr([1234.5678, -8765.4321]),
    num(1234.5678),
    Scalar(True, "bool"),
    arr([1234.5678, -8765.4321, 4242.4242], "numpy.matrix"),
], ids=["wrong", "doubled", "nan", "column", "short", "scalar", "bool", "subclass"])
def test_hidden_cases_never_quote_numbers(got: codec.Value) -> None:
    check = compare_value(got, HIDDEN_EXPECTED, "w", TOL, public=False)
    assert not check.passed
    assert not re.search(r"\d", check.message), check.message  # no value, shape or length


def test_public_cases_quote_both_values() -> None:
    check = compare_value(arr([1.0, 2.0, 3.0]), HIDDEN_EXPECTED, "w", TOL, public=True)
    assert "got [1., 2., 3.]" in check.message and "1234.5678" in check.message
    check = compare_value(num(0.25), num(0.5), "cost", TOL, public=True)
    assert check.message == "cost is wrong: got 0.25, expected 0.5"


# ---------------------------------------------------------------- NaN and infinities


@pytest.mark.parametrize("got, expected, equal", [
    ([np.nan, 0.5], [np.nan, 0.5], True),
    ([np.inf, -np.inf, 1.0], [np.inf, -np.inf, 1.0], True),
    ([np.nan, 0.5], [0.5, 0.5], False),
    ([0.5, 0.5], [np.nan, 0.5], False),
    ([np.inf, 1.0], [-np.inf, 1.0], False),
    ([np.nan, 1.0], [np.inf, 1.0], False),
    ([np.nan, 1e6], [np.nan, 1e6 + 0.5], True),     # the scale comes from the finite values
    ([np.nan, 2.0], [np.nan, 1.0], False),
], ids=["nan", "infinities", "nan-for-number", "number-for-nan", "opposite-inf", "nan-for-inf", "scale", "values"])
def test_nan_and_infinities_equal_themselves_in_place(got: list[float], expected: list[float], equal: bool) -> None:
    assert close(np.array(got), np.array(expected), TOL) is equal


def test_a_mutant_that_overflows_is_matched_but_nan_never_passes_a_finite_answer() -> None:
    overflowed = arr([np.nan, 0.25, 1.0])
    assert compare_value(overflowed, arr([np.nan, 0.25, 1.0]), "s", TOL, public=False).passed
    check = compare_value(overflowed, arr([0.0, 0.25, 1.0]), "s", TOL, public=True)
    assert not check.passed and "NaN or infinite" in check.message
