"""Property checks: a case graded by what its result must satisfy, not by the solution's exact values.

A function that draws from a random generator has many correct outputs (any order of draws, any
correct use of the generator). Its cases declare properties instead (``Case(..., properties=...)``);
the judge evaluates each one on the decoded values, in the trusted process or the self-check,
never in the sandbox. Each property also *measures* what it checks (a shape, a scale ratio, whether
two results agree), so a student's result is matched to a catalogued mistake when every
measurement agrees with the mutant's, even though their random draws differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from source_lib.judge.codec import Array, Dict, Scalar, Value, describe
from source_lib.judge.numeric import same_array

Measure = tuple[Any, ...]  # what a property saw: compared between a student's result and a mutant's
MEASURE_RTOL = 0.2  # measured numbers (a scale ratio) agree within this: random draws differ


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str      # student-facing, with ``{name}`` already filled in; "" when passed
    measure: Measure


@dataclass(frozen=True)
class Property:
    """Base: ``key`` selects an entry of a returned dict ("" for the whole value)."""

    key: str = ""

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        raise NotImplementedError

    def label(self, name: str) -> str:
        return f"{name}[{self.key!r}]" if self.key else name

    def part(self, value: Value) -> Value | None:
        return value.get(self.key) if self.key and isinstance(value, Dict) else (None if self.key else value)

    def to_json(self) -> dict[str, Any]:
        return {"kind": type(self).__name__, **{k: getattr(self, k) for k in self.__dataclass_fields__}}


def _numbers(value: Value | None) -> np.ndarray | None:
    if isinstance(value, Array) and value.value.dtype.kind in "biuf":
        return value.value.astype(float)
    if isinstance(value, Scalar) and not isinstance(value.value, bool):
        return np.asarray(float(value.value))
    return None


@dataclass(frozen=True)
class SameLayout(Property):
    """Same shape as the solution's, floats (a dict: every key of the solution's, each checked)."""

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        return _layout(self.part(got), self.part(expected), self.label(name), public)


def _layout(got: Value | None, expected: Value | None, name: str, public: bool) -> Outcome:
    if isinstance(expected, Dict):
        if not isinstance(got, Dict):
            return Outcome(False, f"{name} should be a dict; it is {_what(got)}", ("kind",))
        for key, wanted in expected.items:
            inner = _layout(got.get(key), wanted, f"{name}[{key!r}]", public)
            if not inner.passed:
                return inner
        return Outcome(True, "", ("ok",))
    want, have = _numbers(expected), _numbers(got)
    if have is None or want is None:
        return Outcome(False, f"{name} should be numeric; it is {_what(got)}", ("kind",))
    if have.shape != want.shape:
        return Outcome(False, _shape_message(name, have.shape, want.shape, public), ("shape", have.shape))
    if not _holds_floats(got):
        return Outcome(False, f"{name} should hold floats", ("dtype",))
    return Outcome(True, "", ("ok",))


def _what(value: Value | None) -> str:
    return describe(value, sizes=False) if value is not None else "missing"


def _shape_message(name: str, got: tuple[int, ...], wanted: tuple[int, ...], public: bool) -> str:
    if len(got) == 2 and got == wanted[::-1] and got != wanted:
        swapped = f"shape {got}, expected {wanted}: " if public else ""
        return f"{name} has {swapped}its rows and columns are swapped"
    return f"{name} has shape {got} but should have shape {wanted}" if public else f"{name} has the wrong shape"


def _holds_floats(value: Value | None) -> bool:
    if isinstance(value, Array):
        return value.value.dtype.kind == "f"
    return isinstance(value, Scalar) and isinstance(value.value, float)


@dataclass(frozen=True)
class AllEqual(Property):
    """Every entry exactly ``value`` (0.0 for "all zeros")."""

    value: float = 0.0

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        have = _numbers(self.part(got))
        if have is None:
            return Outcome(False, f"{self.label(name)} is not numeric", ("kind",))
        if np.all(have == self.value):
            return Outcome(True, "", (True,))
        return Outcome(False, f"{self.label(name)} should be exactly {self.value:g} everywhere", (False,))


@dataclass(frozen=True)
class DistinctRows(Property):
    """No two rows equal (for a layer's weights: its units start different, the symmetry is broken)."""

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        have = _numbers(self.part(got))
        if have is None or have.ndim != 2:
            return Outcome(False, f"{self.label(name)} should be a matrix", ("kind",))
        rows = {row.tobytes() for row in have}
        if len(rows) == have.shape[0]:
            return Outcome(True, "", (True,))
        return Outcome(False, f"some rows of {self.label(name)} are equal: rows that start equal get "
                              "the same updates and stay equal", (False,))


@dataclass(frozen=True)
class Scale(Property):
    """The entries' standard deviation within ``rel`` of ``target`` (mean near 0); measures the ratio."""

    target: float = 1.0
    rel: float = 0.15

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        have = _numbers(self.part(got))
        if have is None or have.size < 2:
            return Outcome(False, f"{self.label(name)} is not an array of numbers", ("kind",))
        ratio = float(np.std(have)) / self.target
        if abs(ratio - 1.0) <= self.rel:
            return Outcome(True, "", ("ok",))
        how = "zero" if ratio == 0 else f"{ratio:.3g} times"
        return Outcome(False, f"the spread (standard deviation) of {self.label(name)} is {how} the scale "
                              "asked for: check the factor in front of the random draws", ("ratio", ratio))


@dataclass(frozen=True)
class SameAsCase(Property):
    """The same result as case ``case`` (called with a generator of the same seed)."""

    case: str = ""

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        same = same_array(got, others.get(self.case))
        if same:
            return Outcome(True, "", (True,))
        return Outcome(False, f"{name} differs between two calls with generators of the same seed: draw "
                              "every random number from the generator the function is given", (False,))


@dataclass(frozen=True)
class DiffersFromCase(Property):
    """A different result from case ``case`` (called with a generator of another seed)."""

    case: str = ""

    def evaluate(self, got: Value, expected: Value, others: Mapping[str, Value], name: str,
                 public: bool) -> Outcome:
        if not same_array(got, others.get(self.case)):
            return Outcome(True, "", (True,))
        return Outcome(False, f"{name} is the same for generators of different seeds: draw the random "
                              "numbers from the generator the function is given, not from np.random or a "
                              "fixed seed", (False,))


KINDS: dict[str, type[Property]] = {cls.__name__: cls for cls in
                                     (SameLayout, AllEqual, DistinctRows, Scale, SameAsCase, DiffersFromCase)}


def from_json(obj: Mapping[str, Any]) -> Property:
    fields = {k: v for k, v in obj.items() if k != "kind"}
    return KINDS[str(obj["kind"])](**fields)


def evaluate_properties(properties: tuple[Property, ...], got: Value, expected: Value,
                        others: Mapping[str, Value], name: str, public: bool) -> list[Outcome]:
    """Each property's outcome for one result (``others``: the same function's results on other cases).

    Shapes are quoted only when ``public``: on a hidden case they would tell its sizes."""
    return [p.evaluate(got, expected, others, name, public) for p in properties]


def measures_agree(ours: list[Outcome], theirs: list[Outcome]) -> bool:
    """Every property failed or passed alike and measured the same (numbers within MEASURE_RTOL)."""
    return len(ours) == len(theirs) and all(
        a.passed == b.passed and _agree(a.measure, b.measure) for a, b in zip(ours, theirs))


def _agree(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_agree(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= MEASURE_RTOL * max(abs(a), abs(b))
    return bool(a == b)
