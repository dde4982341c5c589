"""The declaration's own consistency checks (``Assignment.check``)."""

from __future__ import annotations

import dataclasses

import pytest

from source_lib.errors import AssignmentError
from source_lib.judge.spec import (
    FUNCTION_DIAGNOSES,
    STANDARD_FUNCTIONS,
    SUPPORTED_FUNCTIONS,
    SYMBOLIC_DIAGNOSES,
    Assignment,
    FunctionQuestion,
    SymbolicQuestion,
    Symbols,
)

SYMBOLS = Symbols(reals=("w",), size="m", index="i", indexed=("x",))
FIRST = SymbolicQuestion(id="first", title="first", points=1, variable="first")


def assignment(*questions: SymbolicQuestion | FunctionQuestion) -> Assignment:
    return Assignment(name="toy", title="toy", seed=1, symbols=SYMBOLS, questions=questions)


def test_uses_may_name_an_earlier_question() -> None:
    assignment(FIRST, SymbolicQuestion(id="second", title="s", points=1, variable="second", uses=("first",))).check()


@pytest.mark.parametrize("uses", [("second",), ("nowhere",)], ids=["later", "unknown"])
def test_uses_must_name_an_earlier_question(uses: tuple[str, ...]) -> None:
    second = SymbolicQuestion(id="second", title="s", points=1, variable="second", uses=uses)
    with pytest.raises(AssignmentError, match=f"second: uses='{uses[0]}' must name a question listed before"):
        assignment(FIRST, second).check()


def test_hints_must_name_known_diagnoses() -> None:
    good = SymbolicQuestion(id="second", title="s", points=1, variable="second",
                            hints={"sign_flipped": "check the order of the difference"})
    assignment(FIRST, good).check()
    typo = dataclasses.replace(good, hints={"sign_flip": "..."})
    with pytest.raises(AssignmentError, match="second: hints for unknown diagnoses \\['sign_flip'\\]"):
        assignment(FIRST, typo).check()


def test_function_hints_are_checked_against_the_function_diagnoses() -> None:
    function = FunctionQuestion(id="f", title="f", points=1, function="f", params=("a",), returns=("r",),
                                public_cases=(), hidden_cases=lambda rng: (), hints={"factor_2": "x"})
    assignment(FIRST, function).check()
    wrong = dataclasses.replace(function, hints={"missing_1_over_m": "symbolic only"})
    with pytest.raises(AssignmentError, match="f: hints for unknown diagnoses"):
        assignment(FIRST, wrong).check()
    assert FUNCTION_DIAGNOSES < SYMBOLIC_DIAGNOSES


def test_declared_functions_must_be_supported() -> None:
    with_tanh = dataclasses.replace(SYMBOLS, functions=STANDARD_FUNCTIONS + ("tanh",))
    Assignment(name="toy", title="toy", seed=1, symbols=with_tanh, questions=(FIRST,)).check()
    with pytest.raises(AssignmentError, match="Symbols.functions: erf cannot be read"):
        Assignment(name="toy", title="toy", seed=1, symbols=dataclasses.replace(SYMBOLS, functions=("exp", "erf")),
                   questions=(FIRST,)).check()
    with pytest.raises(AssignmentError, match="size_values"):
        Assignment(name="toy", title="toy", seed=1, symbols=dataclasses.replace(SYMBOLS, size_values=(0, 2)),
                   questions=(FIRST,)).check()
    assert set(STANDARD_FUNCTIONS) < SUPPORTED_FUNCTIONS


def test_the_generic_diagnoses_are_the_judges() -> None:
    from source_lib.judge import diagnose, symbolic
    assert {d for _, d, _ in diagnose._NAMED_RATIOS} == FUNCTION_DIAGNOSES
    assert set(symbolic._MESSAGES) == SYMBOLIC_DIAGNOSES


def test_declarations_hash_and_compare() -> None:
    """Symbols keys the symbolic judge's cache: it must stay hashable with its new fields."""
    assert hash(SYMBOLS) == hash(Symbols(reals=("w",), size="m", index="i", indexed=("x",)))
    assert dataclasses.replace(FIRST, hints={"zero": "z"}) != FIRST
