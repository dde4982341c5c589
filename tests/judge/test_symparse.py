"""The whitelist parser: real sympy output round-trips; hostile strings are refused, fast, unexecuted."""

from __future__ import annotations

import dataclasses
import time

import pytest
import sympy as sp

from source_lib.judge.spec import STANDARD_FUNCTIONS, Symbols
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
        assert elapsed < 3.0, (src[:60], elapsed)
    assert not marker.exists()


@pytest.mark.parametrize("src, words", [
    ("x" * (1 << 20), "too long"),
    ("(" * 10_000 + "w" + ")" * 10_000, "too long"),
])
def test_huge_input_is_refused_by_length(src: str, words: str) -> None:
    start = time.perf_counter()
    result = parse(src, SYMBOLS)
    assert isinstance(result, ParseFailure) and words in result.message
    assert time.perf_counter() - start < 3.0


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


# ---------------------------------------------------------------- declared functions (Symbols.functions)

WITH_TANH = dataclasses.replace(SYMBOLS, functions=STANDARD_FUNCTIONS + ("tanh", "sinh", "cosh"))
Z = w * x[i] + b


@pytest.mark.parametrize("expr", [
    1 / (1 + sp.exp(-Z)),
    sp.exp(Z) / (1 + sp.exp(Z)),
    (1 + sp.tanh(Z / 2)) / 2,
    1 - 1 / (1 + sp.exp(Z)),
    sp.exp(Z / 2) / (2 * sp.cosh(Z / 2)),
    sp.sinh(w) + sp.cosh(b),
    sp.log(1 + sp.exp(-Z)),
    sp.log(w ** 2 + 1, 10),   # prints as log(w**2 + 1)/log(10)
    sp.log(2) / 2,
], ids=["sigmoid", "exp_ratio", "tanh", "one_minus", "cosh", "sinh_cosh", "softplus", "log10", "log2_half"])
def test_logistic_forms_round_trip(expr: sp.Expr) -> None:
    summed = sp.Sum(expr * x[i], (i, 1, m)) / m
    assert parse(sp.sstr(summed), WITH_TANH) == summed


@pytest.mark.parametrize("src, expected", [
    ("log(w, 10)", sp.log(w) / sp.log(10)),
    ("log(w, E)", sp.log(w)),
    ("log(4)/2", sp.log(4) / 2),
    ("-log(1/2)", sp.log(2)),
    ("-log(Rational(1, 2))", sp.log(2)),
])
def test_log_with_a_base_is_the_natural_log_divided(src: str, expected: sp.Expr) -> None:
    assert parse(src, WITH_TANH) == expected


@pytest.mark.parametrize("src, words", [
    ("tanh(w)", "The function tanh is not allowed here"),
    ("log(w, 10, 2)", "log takes 1 or 2 arguments"),
    ("exp(w, b)", "exp takes 1 argument"),
    ("log(w, 1)", "division by zero"),
])
def test_function_refusals(src: str, words: str) -> None:
    result = parse(src, SYMBOLS)  # the default functions: no tanh
    assert isinstance(result, ParseFailure) and words in result.message, result


def test_only_declared_functions_are_listed_and_read() -> None:
    refused = parse("tanh(w)", SYMBOLS)
    assert isinstance(refused, ParseFailure) and "tanh" not in refused.message.split("Allowed:")[1]
    assert parse("tanh(w)", WITH_TANH) == sp.tanh(w)
    only_exp = dataclasses.replace(SYMBOLS, functions=("exp",))
    assert isinstance(parse("log(w)", only_exp), ParseFailure)
    assert parse("exp(w)", only_exp) == sp.exp(w)
    assert parse("Sum(x[i], (i, 1, m))", only_exp) == sp.Sum(x[i], (i, 1, m))  # structure always allowed


@pytest.mark.parametrize("src", ["exp(exp(w))", "tanh(exp(w))", "cosh(sinh(w))", "exp(sinh(w))",
                                 "sinh(" * 30 + "w" + ")" * 30])
def test_growing_exponential_functions_never_nest(src: str) -> None:
    start = time.perf_counter()
    result = parse(src, WITH_TANH)
    assert isinstance(result, ParseFailure) and "not supported" in result.message
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize("src", ["exp(tanh(w))", "tanh(tanh(w))", "1/(1 + exp(-(3*tanh(w) + b)))",
                                 "tanh(" * 30 + "w" + ")" * 30])
def test_tanh_may_sit_inside_an_exponential_since_it_stays_within_one(src: str) -> None:
    """The sigmoid of tanh hidden units (symmetry_breaking) is exp of tanh."""
    start = time.perf_counter()
    assert isinstance(parse(src, WITH_TANH), sp.Expr)
    assert time.perf_counter() - start < 3.0


def test_examples_in_refusals_use_the_declared_symbols() -> None:
    other = Symbols(reals=("theta",), size="n", index="j", indexed=("u",))
    derivative = parse("Derivative(theta, 2)", other)
    subs = parse("Subs(theta, (2,), (0,))", other)
    assert isinstance(derivative, ParseFailure) and "Derivative(f, theta)" in derivative.message
    assert isinstance(subs, ParseFailure) and "Subs(f, theta, 0)" in subs.message
    two = parse("Subs(w, (2,), (0,))", SYMBOLS)
    assert isinstance(two, ParseFailure) and "Subs(f, (w, b), (0, 0))" in two.message
