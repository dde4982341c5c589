"""The whitelist parser: real sympy output round-trips; hostile strings are refused, fast, unexecuted."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from source_lib.judge.symparse import Parsed, ParseFailure, canonical_symbols, parse, parse_answer
from tests.fixtures.symbols import SYMBOLS, J, R, b, i, k, m, w, x, y

EXACT_FORMS = {
    "diff_w": sp.diff(J, w),
    "diff_b": sp.diff(J, b),
    "sum_over_m": sp.Sum(x[i] * R, (i, 1, m)) / m,
    "split_sums": (w * sp.Sum(x[i] ** 2, (i, 1, m)) + b * sp.Sum(x[i], (i, 1, m))
                   - sp.Sum(x[i] * y[i], (i, 1, m))) / m,
    "split_distributed": w * sp.Sum(x[i] ** 2, (i, 1, m)) / m + b * sp.Sum(x[i], (i, 1, m)) / m
                         - sp.Sum(x[i] * y[i], (i, 1, m)) / m,
    "one_over_m_inside": sp.Sum(x[i] * R / m, (i, 1, m)),
    "two_over_2m": sp.Integer(2) / (2 * m) * sp.Sum(x[i] * R, (i, 1, m)),
    "minus_distributed": -sp.Sum(x[i] * (y[i] - w * x[i] - b), (i, 1, m)) / m,
    "derivative": sp.Derivative(J, w),
    "at_zero_w": -sp.Sum(x[i] * y[i], (i, 1, m)) / m,
    "at_zero_b": -sp.Sum(y[i], (i, 1, m)) / m,
    "diff_at_zero": sp.diff(J, w).subs({w: 0, b: 0}),
    "subs_derivative": sp.Derivative(J, w).subs({w: 0, b: 0}),
    "other_index": sp.Sum(x[k] * (w * x[k] + b - y[k]), (k, 1, m)) / m,
    "shifted_index": sp.Sum(x[i + 1] * (w * x[i + 1] + b - y[i + 1]), (i, 0, m - 1)) / m,
    "rational_half": sp.Rational(1, 2) * sp.Sum(2 * x[i] * R, (i, 1, m)) / m,
    "expanded_inside": sp.Sum(sp.expand(x[i] * R), (i, 1, m)) / m,
    "second_derivative": sp.Derivative(J, (w, 2)),
    "rational_power": sp.sqrt(w ** 2 + 1) * w ** sp.Rational(-3, 2),
    "functions": sp.exp(-w) * sp.log(b ** 2 + 1) + sp.Abs(w) * sp.sign(b) + sp.KroneckerDelta(i, 1),
}


@pytest.mark.parametrize("name", sorted(EXACT_FORMS))
def test_sstr_round_trip_is_structural(name: str) -> None:
    expr = EXACT_FORMS[name]
    parsed = parse(sp.sstr(expr), SYMBOLS)
    assert not isinstance(parsed, ParseFailure), parsed
    assert parsed == expr


def test_assumptions_come_from_the_declaration_not_the_string() -> None:
    # A student who forgot real=True prints the same string; the judge's symbols are canonical.
    w0, i0 = sp.Symbol("w"), sp.Symbol("i", integer=True, positive=True)
    parsed = parse(sp.sstr(sp.Sum(x[i0] * w0, (i0, 1, m))), SYMBOLS)
    assert parsed == sp.Sum(x[i] * w, (i, 1, m))
    table = canonical_symbols(SYMBOLS)
    assert table["w"].is_real and table["m"].is_positive and table["i"].is_integer
    assert isinstance(table["x"], sp.IndexedBase)


@pytest.mark.parametrize("src, value", [
    ("0.5*w", sp.Rational(1, 2) * w),
    ("0.1*w", w / 10),  # exactly 1/10, from the decimal text, not the binary float
    ("1.0e-20*w", w / 10 ** 20),
    ("w**(-1.0)", 1 / w),
    ("Float('0.25')*b", b / 4),
])
def test_floats_convert_exactly_and_are_flagged(src: str, value: sp.Expr) -> None:
    result = parse_answer(src, SYMBOLS)
    assert isinstance(result, Parsed) and result.had_floats
    assert result.expr == value


def test_exact_answers_are_not_flagged_as_floats() -> None:
    result = parse_answer(sp.sstr(EXACT_FORMS["diff_w"]), SYMBOLS)
    assert isinstance(result, Parsed) and not result.had_floats and result.unknown == ()


def test_undeclared_names_become_real_symbols_and_are_reported() -> None:
    result = parse_answer("Sum(x[i]*(W*x[i] - y[i]), (i, 1, n))/n + E + pi", SYMBOLS)
    assert isinstance(result, ParseFailure)  # n is not allowed in the limits
    result = parse_answer("Sum(x[i]*(W*x[i] - y[i]), (i, 1, m))/n", SYMBOLS)
    assert isinstance(result, Parsed)
    assert result.unknown == ("W", "n")
    assert sp.Symbol("W", real=True) in result.expr.free_symbols


@pytest.mark.parametrize("src, words", [
    ("sin(w)", "not allowed"),
    ("Piecewise((1, w > 0), (0, True))", "not allowed"),
    ("w < b", "comparisons"),
    ("w and b", "and/or"),
    ("w if b else 1", "if/else"),
    ("[w]", "lists"),
    ("'w'", "Strings"),
    ("f'{w}'", "strings"),
    ("w // b", "//"),
    ("w % b", "%"),
    ("x", "index"),
    ("z[i]", "Only the data"),
    ("x[i, 1]", "single index"),
    ("x[w]", "whole number"),
    ("w(2)", "not a function"),
    ("exp", "function"),
    ("Sum(x[i])", "limits"),
    ("Sum(x[i], (w, 1, m))", "summation index"),
    ("Sum(x[i], (i, 1, b))", "limits"),
    ("Sum(x[i], (i, 1, m/2))", "whole numbers"),
    ("w**b", "Exponents"),
    ("w/0", "division by zero"),
    ("Rational(1, 0)", "divides by zero"),
    ("oo", "infinity"),
    ("zoo*w", "complex infinity"),
    ("nan", "undefined"),
    ("I*w", "imaginary"),
    ("True", "not a number"),
    ("1j*w", "Complex"),
    ("w +", "syntax"),
    ("exp(exp(w))", "exp inside exp"),
    ("Derivative(J, x)", "index"),
    ("(w, b)", "tuple"),
])
def test_refusals_say_what_is_wrong(src: str, words: str) -> None:
    result = parse(src, SYMBOLS)
    assert isinstance(result, ParseFailure), result
    assert words.lower() in result.message.lower()
    assert "Traceback" not in result.message


def _hostile(marker: str) -> list[str]:
    return [
        f"__import__('os').system('touch {marker}')",
        "().__class__.__bases__[0].__subclasses__()",
        "x.__class__",
        "w.__class__.__init__.__globals__",
        "(lambda: 1)()",
        f"open('{marker}', 'w')",
        f"exec('open(\"{marker}\", \"w\")')",
        f"eval('open(\"{marker}\", \"w\")')",
        "__builtins__",
        "Sum(w, (i, 1, 10**12))",
        "Sum(x[i], (i, 1, m + 10**6))",
        "Sum(Sum(Sum(x[i]*y[k]*x[j], (i, 1, 900)), (j, 1, 900)), (k, 1, 900))",
        "9**9**9",
        "(w+1)**100000",
        "(x[i]+1)**100000",
        "Integer(2)**(10**8)",
        "Rational(1, 2)**(-10**9)",
        "((((w+1)**64)**64)**64)**64",
        "((((((2**64)**64)**64)**64)**64)**64)",
        "w**(1/100000)",
        "1" * 5000,
        "1" * 4000 + "*w",
        "1e999999*w",
        "Float('1e999999')*w",
        "Float('nan')*w",
        "exp(w, evaluate=False)",
        "Sum(*[w])",
        "Derivative(w, (w, 10**9))",
        "x[i]" + "*x[i]" * 2000,
        "-" * 4000 + "w",
        "(" * 250 + "w" + ")" * 250,
        "w" + "\x00",
        "ω*w",
        "_w",
        "__import__",
    ]


def test_hostile_strings_are_refused_quickly_and_never_run(tmp_path) -> None:
    marker = tmp_path / "pwned"
    for src in _hostile(str(marker)):
        start = time.perf_counter()
        result = parse(src, SYMBOLS)
        elapsed = time.perf_counter() - start
        assert isinstance(result, ParseFailure), (src[:60], result)
        assert result.message and "Traceback" not in result.message
        assert elapsed < 0.5, (src[:60], elapsed)
    assert not marker.exists()


@pytest.mark.parametrize("src, words", [
    ("x" * (1 << 20), "too long"),
    ("(" * 10_000 + "w" + ")" * 10_000, "too long"),
])
def test_huge_input_is_refused_by_length(src: str, words: str) -> None:
    start = time.perf_counter()
    result = parse(src, SYMBOLS)
    assert isinstance(result, ParseFailure) and words in result.message
    assert time.perf_counter() - start < 0.5


def test_deep_nesting_is_refused_even_when_length_is_allowed() -> None:
    for src in ("(" * 10_000 + "w" + ")" * 10_000, "-(" * 5_000 + "w" + ")" * 5_000,
                "exp(" * 3_000 + "w" + ")" * 3_000):
        start = time.perf_counter()
        result = parse(src, SYMBOLS, max_chars=10 ** 6, max_nodes=10 ** 6)
        assert isinstance(result, ParseFailure), result
        assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("src, words", [
    ("w" + "+w" * 2000, "too large"),
    ("(((((((((((((w)))))))))))))", None),
    ("Abs(" * 61 + "w" + ")" * 61, "nested too deeply"),
])
def test_node_and_depth_caps(src: str, words: str | None) -> None:
    result = parse(src, SYMBOLS)
    if words is None:
        assert result == w  # parentheses alone add no depth
    else:
        assert isinstance(result, ParseFailure) and words in result.message


def test_long_flat_sums_are_not_mistaken_for_deep_nesting() -> None:
    src = " + ".join(f"x[{n}]*y[{n}]" for n in range(1, 200))
    result = parse(src, SYMBOLS)
    assert result == sum(x[n] * y[n] for n in range(1, 200))


def test_exponent_limit_is_configurable() -> None:
    assert parse("w**65", SYMBOLS) != parse("w**65", SYMBOLS, max_exponent=100)
    assert isinstance(parse("w**65", SYMBOLS), ParseFailure)
    assert parse("w**65", SYMBOLS, max_exponent=100) == w ** 65
