"""Compare sympy answers by exact evaluation at random points, and name constant-factor mistakes.

Two expressions that agree at random rational points at each concrete size m are
equal with high probability (Schwartz-Zippel); for polynomial answers the batch
judge then confirms with ``expand(student - reference) == 0`` at each size. All
values travel as strings so the student self-check can hold a reference
*fingerprint* without ever holding the reference formula:

    "p/q" or "p"        an exact rational
    "f:<float repr>"    a float (the value involves exp, log or a root)
    "err:<reason>"      not a number: "err:unknown:W", "err:free:x[i]", "err:undefined", ...
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from source_lib.judge.interval import Imprecise, Undefined, numeric_value
from source_lib.judge.spec import Symbols
from source_lib.judge.symparse import Parsed, ParseFailure, canonical_symbols, parse_answer
from source_lib.sums import write_out_sums

RTOL = 1e-9            # decimals in an answer are rounded by sympy's printer (15 digits)
ATOL = 1e-12
MAX_VALUE_BITS = 12_000  # exact values print in decimal; Python refuses ints over 4300 digits
_RTOL, _ATOL = Fraction(RTOL), Fraction(ATOL)
MAX_PROOF_DEGREE = 8   # expand() of large polynomials can take very long: sampling decides then
MAX_PROOF_TERMS = 20_000
LATEX_CHARS = 2000

_INDEXED = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\[(-?\d+)\]\Z")

# Each diagnosis: a generic statement of the mistake and what to check by default; a declaration
# replaces the latter with advice in its own terms (SymbolicQuestion.hints). "{m}" is the size symbol.
_MESSAGES: dict[str, tuple[str, str]] = {
    "sign_flipped": ("Your expression has the wrong sign",
                     "check each minus sign, and the inner derivative of the chain rule."),
    "missing_1_over_m": ("Your expression is {m} times the correct one", "did you forget a factor 1/{m}?"),
    "sign_and_missing_1_over_m": ("Your expression is -{m} times the correct one",
                                  "check the sign and the factor 1/{m}."),
    "extra_1_over_m": ("Your expression is the correct one divided by {m}", "did you divide by {m} twice?"),
    "factor_2": ("Your expression is twice the correct one", "check the constant factors."),
    "factor_half": ("Your expression is half the correct one", "check the constant factors."),
    "constant_factor": ("Your expression is a constant multiple of the correct one", "check the constant factors."),
    "zero": ("Your expression is 0 at every test point, but the correct one is not", ""),
    "undefined": ("Your expression divides by zero or is undefined at some test values", ""),
    "complex": ("Your expression gives complex numbers at some test values",
                "is there a log or a square root of a negative number?"),
}
_SIZE_FACTORS: dict[str, Callable[[int], Fraction]] = {  # student / reference as a function of the size m
    "missing_1_over_m": lambda n: Fraction(n),
    "sign_and_missing_1_over_m": lambda n: Fraction(-n),
    "extra_1_over_m": lambda n: Fraction(1, n),
}
_CONSTANT_FACTORS = {Fraction(-1): "sign_flipped", Fraction(2): "factor_2", Fraction(1, 2): "factor_half"}


@dataclass(frozen=True)
class Point:
    """One evaluation point: a size m and values for the reals and the data, as strings."""

    size: int
    values: tuple[tuple[str, str], ...]   # ("w", "3/7"), ("x[1]", "-2/5"), ...


@dataclass(frozen=True)
class Comparison:
    """The verdict of comparing two fingerprints; ``message`` is student-facing."""

    equivalent: bool
    diagnosis: str | None
    message: str


def sample_points(symbols: Symbols, count: int, seed: int) -> tuple[Point, ...]:
    """``count`` random points per size value (so count * len(size_values) in all).

    The data get values x[k] for k = 0..m+1, so a Sum shifted by one still evaluates
    (to a wrong value) instead of leaving x[m+1] undefined.
    """
    rng = random.Random(seed)
    points = []
    for size in symbols.sizes:
        for _ in range(count):
            values = [(name, _random_rational(rng)) for name in symbols.reals]
            for base in symbols.indexed:
                values += [(f"{base}[{k}]", _random_rational(rng)) for k in range(0, size + 2)]
            points.append(Point(size, tuple(values)))
    return tuple(points)


def _random_rational(rng: random.Random) -> str:
    # Small nonzero fractions of both signs: exact arithmetic stays cheap, zeros are rare.
    return str(Fraction(rng.choice((-1, 1)) * rng.randint(1, 30), rng.randint(1, 12)))


def fingerprint(expr: sympy.Expr, points: Sequence[Point], symbols: Symbols) -> tuple[str, ...]:
    """The values of ``expr`` at ``points``: m is substituted, Sums written out, Derivatives done."""
    return _fingerprint(_concrete(expr, symbols, points), points, symbols)


def _concrete(expr: sympy.Expr, symbols: Symbols, points: Sequence[Point]) -> dict[int, sympy.Expr | str]:
    """``expr`` at each size of ``points``, with Sums, Derivatives and Subs done (or an "err:" string)."""
    size_symbol = canonical_symbols(symbols).get(symbols.size)
    return {size: _at_size(expr, size_symbol, size) for size in sorted({p.size for p in points})}


def _fingerprint(concrete: Mapping[int, sympy.Expr | str], points: Sequence[Point],
                 symbols: Symbols) -> tuple[str, ...]:
    table = canonical_symbols(symbols)
    out = []
    for point in points:
        at_size = concrete[point.size]
        out.append(at_size if isinstance(at_size, str) else _value(at_size, point, table))
    return tuple(out)


def _at_size(expr: sympy.Expr, size_symbol: sympy.Basic | None, size: int) -> sympy.Expr | str:
    try:
        concrete = expr.xreplace({size_symbol: sympy.Integer(size)}) if size_symbol is not None else expr
        return write_out_sums(concrete).doit()
    except Exception as exc:  # noqa: BLE001 - a student's expression may not evaluate at all
        return f"err:eval:{type(exc).__name__}"


def _assignment(point: Point, table: Mapping[str, sympy.Basic]) -> dict[sympy.Basic, sympy.Rational]:
    mapping: dict[sympy.Basic, sympy.Rational] = {}
    for name, text in point.values:
        value = sympy.Rational(Fraction(text).numerator, Fraction(text).denominator)
        match = _INDEXED.match(name)
        key = table[match.group(1)][int(match.group(2))] if match else table[name]
        mapping[key] = value
    return mapping


def _value(expr: sympy.Expr, point: Point, table: Mapping[str, sympy.Basic]) -> str:
    try:
        value = expr.xreplace(_assignment(point, table))
        if value.has(sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity):
            return "err:undefined"
        if value.free_symbols:
            return _free_error(value, table)
        value = value.doit()  # a Subs or Derivative left in a function argument
        if value.is_Rational:
            if max(abs(value.p).bit_length(), value.q.bit_length()) > MAX_VALUE_BITS:
                return "err:too_large"
            return str(value)
        number = numeric_value(value)
    except Undefined:
        return "err:undefined"
    except Imprecise:
        return "err:imprecise"
    except Exception as exc:  # noqa: BLE001 - e.g. OverflowError from a huge float
        return f"err:eval:{type(exc).__name__}"
    if number != number:
        return "err:undefined"
    if abs(number) == float("inf"):
        return "err:too_large"
    if abs(number.imag) > ATOL + RTOL * abs(number.real):
        return "err:complex"
    return f"f:{number.real!r}"


def _free_error(value: sympy.Expr, table: Mapping[str, sympy.Basic]) -> str:
    """Name what is left: undeclared names, or data/index outside the sampled range or a Sum."""
    indexed = value.atoms(sympy.Indexed)
    inside = set().union(*(a.free_symbols for a in indexed)) if indexed else set()
    plain = {s.name for s in value.free_symbols if isinstance(s, sympy.Symbol) and s not in inside}
    unknown = sorted(n for n in plain if n not in table)
    if unknown:
        return "err:unknown:" + _names(unknown)
    return "err:free:" + _names(sorted({sympy.sstr(a) for a in indexed} | plain, key=lambda n: (len(n), n)))


def _names(names: Sequence[str], most: int = 4) -> str:
    return ",".join(list(names[:most]) + (["..."] if len(names) > most else []))


# -- comparison ---------------------------------------------------------------------------

def diagnosis_message(diagnosis: str, size: str, hints: Mapping[str, str] | None = None) -> str:
    """The student-facing text of a diagnosis: its statement, then the declaration's advice or the default."""
    statement, default = _MESSAGES[diagnosis]
    advice = ((hints or {}).get(diagnosis) or default).strip()
    text = (f"{statement}: {advice}" if advice else statement).replace("{m}", size)
    return text if text.endswith(("?", ".", "!")) else text + "."


def compare(student_fp: Sequence[str], reference_fp: Sequence[str], points: Sequence[Point], *,
            tolerant: bool, size: str = "the size", hints: Mapping[str, str] | None = None) -> Comparison:
    """Equal at every point (exactly, or within RTOL when ``tolerant`` or a value is a float)?

    For the message, ``size`` names the size symbol (``Symbols.size``) and ``hints`` hold the
    question's advice per diagnosis; a caller that only needs ``equivalent`` may omit both.
    """
    if not (len(student_fp) == len(reference_fp) == len(points)):
        raise ValueError("fingerprints and points differ in length")
    errors = [s for s in student_fp if s.startswith("err:")]
    if errors:
        kind, message = _error_diagnosis(errors[0])
        return Comparison(False, kind, message or diagnosis_message(kind, size, hints))
    if all(_same(s, r, tolerant) for s, r in zip(student_fp, reference_fp)):
        note = (" (up to rounding: prefer exact fractions such as Rational(1, 2) to decimals)"
                if tolerant else "")
        return Comparison(True, None, "Your expression is correct" + note + ".")
    diagnosis = _ratio_diagnosis(student_fp, reference_fp, points, tolerant)
    if diagnosis is not None:
        return Comparison(False, diagnosis, diagnosis_message(diagnosis, size, hints))
    wrong = sum(not _same(s, r, tolerant) for s, r in zip(student_fp, reference_fp))
    return Comparison(False, None, f"Your expression is not equal to the correct one (it differs at "
                                   f"{wrong} of {len(points)} test points).")


def _error_diagnosis(error: str) -> tuple[str, str]:
    kind, _, detail = error[4:].partition(":")
    if kind == "unknown":
        return "unknown_symbol", (f"Your answer uses {detail.replace(',', ', ')}, which the problem "
                                  f"does not define. Use only the symbols declared in the notebook.")
    if kind == "free":
        return "free_index", (f"Your answer contains {detail.replace(',', ', ')} outside a Sum over "
                              f"the data: check the index and the limits of your Sum.")
    if kind in ("undefined", "complex"):
        return kind, ""  # worded by diagnosis_message, with the question's advice
    if kind == "too_large":
        return "too_large", "Your expression gives numbers too large to compare: simplify it."
    return "not_evaluable", "Your expression could not be evaluated at the test values."


def _number(text: str) -> tuple[Fraction, bool] | None:
    """(exact value, came from a float); floats convert exactly, so no comparison can overflow."""
    if text.startswith("err:"):
        return None
    try:
        return (Fraction(float(text[2:])), True) if text.startswith("f:") else (Fraction(text), False)
    except (ValueError, OverflowError):
        return None


def _close(a: Fraction, b: Fraction, tolerant: bool) -> bool:
    if not tolerant:
        return a == b
    return abs(a - b) <= _ATOL + _RTOL * max(abs(a), abs(b))


def _same(student: str, reference: str, tolerant: bool) -> bool:
    s, r = _number(student), _number(reference)
    if s is None or r is None:
        return student == reference
    return _close(s[0], r[0], tolerant or s[1] or r[1])


def _ratio_diagnosis(student_fp: Sequence[str], reference_fp: Sequence[str],
                     points: Sequence[Point], tolerant: bool) -> str | None:
    """A constant-ratio mistake when student/reference is the same at every nonzero reference value."""
    ratios: list[tuple[Fraction, int]] = []
    tolerant = tolerant or any(t.startswith("f:") for t in (*student_fp, *reference_fp))
    for s_text, r_text, point in zip(student_fp, reference_fp, points):
        s, r = _number(s_text), _number(r_text)
        if s is None or r is None:
            return None
        if _close(r[0], Fraction(0), tolerant):
            if not _close(s[0], Fraction(0), tolerant):
                return None  # not a multiple: the reference vanishes here, the student does not
            continue
        ratios.append((s[0] / r[0], point.size))
    if not ratios:
        return None
    if all(_close(q, Fraction(0), tolerant) for q, _ in ratios):
        return "zero"
    if len({n for _, n in ratios}) > 1:  # m-dependent factors need two sizes to be told apart
        for diagnosis, factor in _SIZE_FACTORS.items():
            if all(_close(q, factor(n), tolerant) for q, n in ratios):
                return diagnosis
    first = ratios[0][0]
    if not all(_close(q, first, tolerant) for q, _ in ratios):
        return None
    named = next((d for k, d in _CONSTANT_FACTORS.items() if _close(first, k, tolerant)), None)
    if named is None and len(set(reference_fp)) == 1:
        return None  # a constant answer: any other constant is "a multiple" of it, which says nothing
    return named or "constant_factor"


# -- verdicts -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ReferencePrints:
    """The reference's and each mutant's values at the sample points: plain strings, so a cache can
    keep them between runs (computing the mutants' values is most of preparing a question)."""

    reference: tuple[str, ...]
    mutants: Mapping[str, tuple[str, ...]]
    tolerant: bool  # the reference holds floats: values are compared with a tolerance

    def as_json(self) -> dict[str, Any]:
        return {"reference": list(self.reference), "mutants": {k: list(v) for k, v in self.mutants.items()},
                "tolerant": self.tolerant}

    @classmethod
    def from_json(cls, data: Any) -> ReferencePrints | None:
        """The prints a cache held, or None when ``data`` is not what ``as_json`` wrote."""
        try:
            mutants = {str(k): _strings(v) for k, v in data["mutants"].items()}
            prints = cls(_strings(data["reference"]), mutants, data["tolerant"])
        except (KeyError, TypeError, AttributeError, ValueError):
            return None
        return prints if isinstance(prints.tolerant, bool) else None


def _strings(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("not a list of strings")
    return tuple(values)


def judge_answer(student_src: str, reference_src: str, mutants: Mapping[str, str], symbols: Symbols,
                 seed: int, count: int, hints: Mapping[str, str] | None = None,
                 prints: ReferencePrints | None = None) -> dict[str, Any]:
    """The batch verdict for one answer (pure, JSON-able; run it inside a time box).

    The reference side is cached: one call in the parent before forking (for example on the
    reference itself) lets every forked child skip re-evaluating the reference and mutants.
    ``prints`` (from ``reference_prints``, perhaps of an earlier run) saves evaluating the mutants.
    ``hints`` are the question's advice per diagnosis (``SymbolicQuestion.hints``).
    """
    points = _points(symbols, count, seed)
    _, reference_concrete = _reference(reference_src, symbols, seed, count)
    prints = prints or reference_prints(reference_src, mutants, symbols, seed, count)
    return _verdict(student_src, prints.reference, prints.mutants, points, symbols, prints.tolerant,
                    reference_concrete, hints or {})


def reference_prints(reference_src: str, mutants: Mapping[str, str], symbols: Symbols, seed: int,
                     count: int) -> ReferencePrints:
    """The values of the reference and of each mutant at the sample points."""
    return _prints(reference_src, tuple(sorted(mutants.items())), symbols, seed, count)


@functools.lru_cache(maxsize=64)
def _prints(reference_src: str, mutants: tuple[tuple[str, str], ...], symbols: Symbols, seed: int,
            count: int) -> ReferencePrints:
    points = _points(symbols, count, seed)
    reference, reference_concrete = _reference(reference_src, symbols, seed, count)
    mutant_fps = {mid: fingerprint(_trusted(src, symbols, f"mutant {mid}").expr, points, symbols)
                  for mid, src in mutants}
    return ReferencePrints(_fingerprint(reference_concrete, points, symbols), mutant_fps, reference.had_floats)


def warm_reference(reference_src: str, symbols: Symbols, seed: int, count: int) -> None:
    """Parse the reference and write it out at each size now, so that forked judges inherit it."""
    _reference(reference_src, symbols, seed, count)


@functools.lru_cache(maxsize=64)
def _reference(reference_src: str, symbols: Symbols, seed: int,
               count: int) -> tuple[Parsed, dict[int, sympy.Expr | str]]:
    """The parsed reference and its concrete form at each size (for the proof by expansion)."""
    reference = _trusted(reference_src, symbols, "reference")
    return reference, _concrete(reference.expr, symbols, _points(symbols, count, seed))


@functools.lru_cache(maxsize=64)
def _points(symbols: Symbols, count: int, seed: int) -> tuple[Point, ...]:
    return sample_points(symbols, count, seed)


def judge_against_fingerprints(student: Any, reference_fp: Sequence[str],
                               mutant_fps: Mapping[str, Sequence[str]], points: Sequence[Point],
                               symbols: Symbols, hints: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The same verdict from fingerprints only (the self-check never holds the reference formula).

    ``student`` is a string or a sympy object; an object is printed with ``sstr`` and re-parsed,
    so the notebook's symbol assumptions are replaced by the canonical ones.
    """
    try:
        src = student if isinstance(student, str) else sympy.sstr(student)
    except Exception:  # noqa: BLE001 - any object may reach the self-check
        src = None  # parse_answer explains that this is not an expression
    return _verdict(src, tuple(reference_fp), {k: tuple(v) for k, v in mutant_fps.items()},
                    tuple(points), symbols, False, None, hints or {})


def _trusted(src: str, symbols: Symbols, what: str) -> Parsed:
    parsed = parse_answer(src, symbols)
    if isinstance(parsed, ParseFailure):
        raise ValueError(f"the {what} does not parse: {parsed.message}")
    return parsed


def _verdict(student_src: str | None, reference_fp: tuple[str, ...], mutant_fps: Mapping[str, tuple[str, ...]],
             points: Sequence[Point], symbols: Symbols, reference_tolerant: bool,
             reference_concrete: Mapping[int, sympy.Expr | str] | None,
             hints: Mapping[str, str]) -> dict[str, Any]:
    checked = checked_at(symbols, points)
    parsed = parse_answer(student_src, symbols)
    if isinstance(parsed, ParseFailure):
        return {"parsed": False, "parse_error": parsed.message, "equivalent": False, "proof": None,
                "diagnosis": "parse_error", "message": parsed.message, "mutants": [], "latex": None,
                "tolerant": False, "constant": False, "checked": checked}
    tolerant = parsed.had_floats or reference_tolerant
    student_concrete = _concrete(parsed.expr, symbols, points)
    student_fp = _fingerprint(student_concrete, points, symbols)
    result = compare(student_fp, reference_fp, points, tolerant=tolerant, size=symbols.size, hints=hints)
    proof = "sampling" if result.equivalent else None
    if result.equivalent and reference_concrete is not None:
        expanded = _expand_proof(student_concrete, reference_concrete)
        if expanded is True:
            proof = "expand"
        elif expanded is False and not tolerant:
            # Exact polynomials that differ: the random points were unlucky; trust the algebra.
            result = Comparison(False, None, "Your expression is not equal to the correct one.")
            proof = None
    mutants = [] if result.equivalent else sorted(
        mid for mid, fp in mutant_fps.items()
        if compare(student_fp, fp, points, tolerant=tolerant, size=symbols.size).equivalent)
    return {"parsed": True, "parse_error": None, "equivalent": result.equivalent, "proof": proof,
            "diagnosis": result.diagnosis, "message": result.message, "mutants": mutants,
            "latex": _latex(parsed.expr), "tolerant": tolerant,
            # a number where the answer varies with the symbols: say so rather than compare values
            "constant": not result.equivalent and not parsed.expr.free_symbols and len(set(reference_fp)) > 1,
            "checked": checked}


def checked_at(symbols: Symbols, points: Sequence[Point]) -> str:
    """Where answers were compared, for feedback: "m = 1, 2, 3"."""
    sizes = sorted({p.size for p in points})
    return f"{symbols.size} = {', '.join(map(str, sizes))}" if sizes and symbols.size else ""


def _latex(expr: sympy.Expr) -> str:
    try:
        text = str(sympy.latex(expr))
    except Exception:  # noqa: BLE001 - the echo is a courtesy, not part of the verdict
        return ""
    return text if len(text) <= LATEX_CHARS else text[:LATEX_CHARS] + r"\ldots"


def _expand_proof(student: Mapping[int, sympy.Expr | str],
                  reference: Mapping[int, sympy.Expr | str]) -> bool | None:
    """``expand(s - r) == 0`` at every size; None when the difference is not a small polynomial."""
    for size, s in student.items():
        r = reference.get(size)
        if isinstance(s, str) or r is None or isinstance(r, str):
            return None
        difference = s - r
        shape = _polynomial_shape(difference)
        if shape is None or shape[0] > MAX_PROOF_DEGREE or shape[1] > MAX_PROOF_TERMS:
            return None
        if sympy.expand(difference) != 0:
            return False
    return True


def _polynomial_shape(expr: sympy.Basic) -> tuple[int, int] | None:
    """(total degree, bound on the products expand() forms), or None when not a polynomial."""
    if isinstance(expr, (sympy.Symbol, sympy.Indexed)):
        return 1, 1
    if expr.is_Rational:
        return 0, 1
    if isinstance(expr, (sympy.Add, sympy.Mul)):
        shapes = [_polynomial_shape(a) for a in expr.args]
        if any(shape is None for shape in shapes):
            return None
        degrees, terms = zip(*shapes)
        if isinstance(expr, sympy.Add):
            return max(degrees), sum(terms)
        return sum(degrees), math.prod(terms)
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and 0 <= expr.exp <= MAX_PROOF_DEGREE:
        base = _polynomial_shape(expr.base)
        if base is None:
            return None
        return base[0] * int(expr.exp), base[1] ** int(expr.exp)
    return None
