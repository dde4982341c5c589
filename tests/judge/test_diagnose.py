"""judge.diagnose: constant-ratio hints, swapped returns, and catalogue matching."""

from __future__ import annotations

import numpy as np
import pytest

from source_lib.judge.codec import Array, NoneValue, Scalar, Seq, Text
from source_lib.judge.decode import Call, ErrorInfo
from source_lib.judge.diagnose import generic_diagnosis, matching_misconceptions
from source_lib.judge.numeric import Tolerance

TOL = Tolerance()
DIMS = {"m": 7, "n": 3}
GRADIENT = np.array([0.75, -1.5, 2.25])
# advice as a declaration words it (FunctionQuestion.hints); the judge itself names no formula
HINTS = {"sign_flipped": "check which way round you took the difference",
         "factor_2": "check the constant in front of the sum", "factor_half": "check the inner derivative"}


def arr(values: object) -> Array:
    return Array(np.asarray(values, dtype=float), "numpy.ndarray")


def num(x: float) -> Scalar:
    return Scalar(x, "float")


# ---------------------------------------------------------------- constant ratios


@pytest.mark.parametrize("ratio, expected_hint", [
    (7.0, "dj_dw is m times too large: did you forget to divide by m?"),
    (3.0, "dj_dw is n times too large: did you forget to divide by n?"),
    (1 / 7, "dj_dw is m times too small: did you divide by m twice?"),
    (1 / 3, "dj_dw is n times too small: did you divide by n twice?"),
    (2.0, "dj_dw is twice the correct value: check the constant in front of the sum"),
    (0.5, "dj_dw is half the correct value: check the inner derivative"),
    (-1.0, "dj_dw has the wrong sign: check which way round you took the difference"),
])
def test_constant_ratio_hints(ratio: float, expected_hint: str) -> None:
    got = arr(GRADIENT * ratio)
    assert generic_diagnosis(got, arr(GRADIENT), ("dj_dw",), DIMS, TOL, HINTS) == expected_hint


@pytest.mark.parametrize("ratio, expected_hint", [
    (2.0, "dj_dw is twice the correct value"),
    (0.5, "dj_dw is half the correct value"),
    (-1.0, "dj_dw has the wrong sign"),
])
def test_without_hints_the_ratio_is_stated_generically(ratio: float, expected_hint: str) -> None:
    got = arr(GRADIENT * ratio)
    assert generic_diagnosis(got, arr(GRADIENT), ("dj_dw",), DIMS, TOL) == expected_hint
    assert generic_diagnosis(got, arr(GRADIENT), ("dj_dw",), DIMS, TOL, {"sign_flipped": " "}) == expected_hint


@pytest.mark.parametrize("ratio, expected_hint", [
    (4.0, "cost is m times too large: did you forget to divide by m?"),
    (2.0, "cost is twice the correct value: check the constant in front of the sum"),
    (-1.0, "cost has the wrong sign: check which way round you took the difference"),
])
def test_ratio_hints_for_a_scalar(ratio: float, expected_hint: str) -> None:
    dims = {"m": 4, "n": 2}  # n = 2 is too small to name: 2 means "twice", not "n times"
    assert generic_diagnosis(num(1.375 * ratio), num(1.375), ("cost",), dims, TOL, HINTS) == expected_hint


def test_dimension_labels_come_from_dims() -> None:
    hint = generic_diagnosis(arr(GRADIENT * 9), arr(GRADIENT), ("g",), {"rows": 9}, TOL)
    assert hint == "g is rows times too large: did you forget to divide by rows?"
    assert generic_diagnosis(arr(GRADIENT * 9), arr(GRADIENT), ("g",), {}, TOL) is None


@pytest.mark.parametrize("got", [
    GRADIENT + np.array([0.1, 0.0, -0.2]),           # not a multiple
    GRADIENT * np.array([2.0, 2.0, 2.001]),           # almost constant, not quite
    GRADIENT * 1.0,                                   # ratio 1 is "equal", not a hint
    GRADIENT * 5.0,                                   # a constant with no name
    np.array([0.75, -1.5, np.nan]),                    # not finite
    np.zeros(3),                                      # zero is no multiple worth naming
    np.array([0.75, -1.5]),                           # other shape
], ids=["offset", "almost", "equal", "unnamed", "nan", "zeros", "shape"])
def test_no_hint_without_a_named_constant_ratio(got: np.ndarray) -> None:
    assert generic_diagnosis(arr(got), arr(GRADIENT), ("dj_dw",), DIMS, TOL) is None


def test_zero_entries_must_stay_zero_for_a_ratio() -> None:
    expected = np.array([0.0, 1.5, -3.0])
    assert generic_diagnosis(arr(expected * 2), arr(expected), ("g",), {}, TOL) is not None
    assert generic_diagnosis(arr([0.5, 3.0, -6.0]), arr(expected), ("g",), {}, TOL) is None


def test_non_numeric_values_get_no_hint() -> None:
    assert generic_diagnosis(Text("x"), num(1.0), ("cost",), DIMS, TOL) is None
    assert generic_diagnosis(NoneValue(), num(1.0), ("cost",), DIMS, TOL) is None


# ---------------------------------------------------------------- several values


NAMES = ("dj_dw", "dj_db")
EXPECTED = Seq("tuple", (arr(GRADIENT), num(-0.625)))


def test_swapped_tuple_detected() -> None:
    got = Seq("tuple", (num(-0.625), arr(GRADIENT)))
    assert generic_diagnosis(got, EXPECTED, NAMES, DIMS, TOL) == \
        "the two values are in the wrong order: return (dj_dw, dj_db)"


def test_swapped_scalars_detected() -> None:
    expected = Seq("tuple", (num(2.0), num(-3.0)))
    got = Seq("list", (num(-3.0), num(2.0)))
    assert "wrong order" in generic_diagnosis(got, expected, ("w", "b"), {}, TOL)


def test_half_swapped_is_not_swapped() -> None:
    got = Seq("tuple", (num(-0.625), arr(GRADIENT * 3)))
    assert generic_diagnosis(got, EXPECTED, NAMES, {}, TOL) is None


def test_ratio_hint_names_the_wrong_member() -> None:
    got = Seq("tuple", (arr(GRADIENT), num(-0.625 * 7)))
    assert generic_diagnosis(got, EXPECTED, NAMES, DIMS, TOL) == \
        "dj_db is m times too large: did you forget to divide by m?"
    got = Seq("tuple", (arr(-GRADIENT), num(-0.625)))
    assert generic_diagnosis(got, EXPECTED, NAMES, DIMS, TOL).startswith("dj_dw has the wrong sign")


def test_three_values_are_never_called_swapped() -> None:
    expected = Seq("tuple", (num(1.0), num(5.0), num(3.0)))
    got = Seq("tuple", (num(5.0), num(1.0), num(3.0)))
    assert generic_diagnosis(got, expected, ("a", "b", "c"), {}, TOL) is None


# ---------------------------------------------------------------- catalogue matching


X = arr([[1.0, 2.0], [3.0, 4.0]])
W_IN = arr([0.5, -0.5])
W_MUTATED = arr([0.25, -0.75])
RESULT = Seq("tuple", (arr([0.1, 0.2]), num(0.3)))
OTHER_RESULT = Seq("tuple", (arr([0.1, 0.2]), num(0.4)))


def call(value: object = RESULT, w_after: Array = W_IN, status: str = "returned") -> Call:
    error = ErrorInfo("ValueError", "bad") if status == "raised" else None
    return Call(status, value if status == "returned" else None, error, (X, W_IN if w_after is None else w_after))


@pytest.mark.parametrize("mutant, student, immutable, matches", [
    (call(), call(), (0, 1), True),                                        # same value, same inputs
    (call(w_after=W_MUTATED), call(w_after=W_MUTATED), (0, 1), True),      # both mutate w the same way
    (call(w_after=W_MUTATED), call(), (0, 1), False),                      # value equal, inputs differ
    (call(), call(w_after=W_MUTATED), (0, 1), False),
    (call(w_after=W_MUTATED), call(), (0,), True),                         # w not immutable: ignored
    (call(OTHER_RESULT), call(), (0, 1), False),                           # inputs equal, value differs
    (call(status="raised"), call(), (0, 1), False),                        # the mutant raised
    (call(), call(status="raised"), (0, 1), False),                        # the student raised
    (Call("absent"), call(), (), False),
    (call(), Call("returned", RESULT, None, (X,)), (0, 1), False),         # student's args_after short
], ids=["same", "same-mutation", "student-kept-w", "student-mutated-w", "w-free", "value-differs",
        "mutant-raised", "student-raised", "mutant-absent", "args-missing"])
def test_matching_requires_value_and_modified_inputs(mutant: Call, student: Call,
                                                     immutable: tuple[int, ...], matches: bool) -> None:
    found = matching_misconceptions(student, {"the_mistake": mutant}, NAMES, immutable, TOL)
    assert found == (["the_mistake"] if matches else [])


def test_every_matching_mutant_is_listed_in_catalogue_order() -> None:
    mutants = {"first": call(), "differs": call(OTHER_RESULT), "second": call()}
    assert matching_misconceptions(call(), mutants, NAMES, (0, 1), TOL) == ["first", "second"]


def test_matching_uses_the_tolerance() -> None:
    close_result = Seq("tuple", (arr([0.1 * (1 + 1e-9), 0.2]), num(0.3)))
    far_result = Seq("tuple", (arr([0.1 * (1 + 1e-4), 0.2]), num(0.3)))
    assert matching_misconceptions(call(close_result), {"m": call()}, NAMES, (), TOL) == ["m"]
    assert matching_misconceptions(call(far_result), {"m": call()}, NAMES, (), TOL) == []


def test_a_mutant_that_overflows_to_nan_is_matched() -> None:
    """A sigmoid that overflows returns NaN where the solution does not: a student with the same
    code returns the same NaN, and is named."""
    overflowed = Seq("tuple", (arr([np.nan, 0.2]), num(0.3)))
    assert matching_misconceptions(call(overflowed), {"overflow": call(overflowed)}, NAMES, (), TOL) == ["overflow"]
    elsewhere = Seq("tuple", (arr([0.1, np.nan]), num(0.3)))
    assert matching_misconceptions(call(elsewhere), {"overflow": call(overflowed)}, NAMES, (), TOL) == []
