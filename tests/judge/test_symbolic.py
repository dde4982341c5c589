"""Equivalence by exact evaluation, constant-ratio diagnoses, mutants and the two verdict functions."""

from __future__ import annotations

import dataclasses
import json

import pytest
import sympy as sp

from autograder.declarations import load
from source_lib.judge.interval import numeric_value
from source_lib.judge.spec import SymbolicQuestion
from source_lib.judge.symbolic import (
    Comparison,
    Point,
    compare,
    fingerprint,
    judge_against_fingerprints,
    judge_answer,
    sample_points,
)
from source_lib.judge.symparse import ParseFailure, parse
from tests.fixtures.symbols import SYMBOLS, J, R, b, i, k, m, w, x, y

SEED, COUNT = 7, 4
KEYS = {"parsed", "parse_error", "equivalent", "proof", "diagnosis", "message", "mutants", "latex",
        "tolerant", "constant", "checked"}



def S(expr: sp.Basic) -> str:
    return sp.sstr(expr)


def _sum(body: sp.Expr, upper: sp.Expr = m) -> sp.Expr:
    return sp.Sum(body, (i, 1, upper))


REF_W = S(sp.diff(J, w))
REF_B = S(sp.diff(J, b))
REF_W0 = S(sp.diff(J, w).subs({w: 0, b: 0}))
REF_B0 = S(sp.diff(J, b).subs({w: 0, b: 0}))

CORRECT_W = [
    sp.diff(J, w),
    _sum(x[i] * R) / m,
    (w * _sum(x[i] ** 2) + b * _sum(x[i]) - _sum(x[i] * y[i])) / m,
    w * _sum(x[i] ** 2) / m + b * _sum(x[i]) / m - _sum(x[i] * y[i]) / m,
    sp.factor_terms(_sum(x[i] * R) / m),
    _sum((b - y[i] + w * x[i]) * x[i]) / m,
    sp.Integer(2) / (2 * m) * _sum(R * x[i]),
    -_sum(x[i] * (y[i] - w * x[i] - b)) / m,
    _sum(x[i] * R / m),
    sp.Derivative(J, w),
    sp.Float(0.5) * _sum(2 * x[i] * R) / m,
    _sum(sp.expand(x[i] * R)) / m,
    sp.Sum(x[k] * (w * x[k] + b - y[k]), (k, 1, m)) / m,
    sp.Sum(x[i + 1] * (w * x[i + 1] + b - y[i + 1]), (i, 0, m - 1)) / m,
    sp.Rational(1, 2) * _sum(2 * R * x[i]) / m,
    sp.expand(sp.diff(J, w)),     # one Sum per monomial
    sp.factor(sp.diff(J, w)),
    sp.diff(J, w).evalf(),        # 0.5*Sum(...)/m
]
CORRECT_B = [
    sp.diff(J, b),
    _sum(R) / m,
    b + (w * _sum(x[i]) - _sum(y[i])) / m,
    sp.Derivative(J, b),
    _sum(R / m),
]
CORRECT_W0 = [-_sum(x[i] * y[i]) / m, sp.Subs(sp.Derivative(J, w), (w, b), (0, 0)),
              sp.diff(J, w).subs({w: 0, b: 0}), -1.0 * _sum(x[i] * y[i]) / m]
CORRECT_B0 = [-_sum(y[i]) / m, sp.diff(J, b).subs({w: 0, b: 0})]


def _judge(student: str, reference: str = REF_W, mutants: dict[str, str] | None = None) -> dict:
    result = judge_answer(student, reference, mutants or {}, SYMBOLS, SEED, COUNT)
    assert set(result) == KEYS
    json.dumps(result)  # JSON-able, for the time box
    return result


@pytest.mark.parametrize("reference, forms", [
    (REF_W, CORRECT_W), (REF_B, CORRECT_B), (REF_W0, CORRECT_W0), (REF_B0, CORRECT_B0),
], ids=["dJ_dw", "dJ_db", "dJ_dw_at_zero", "dJ_db_at_zero"])
def test_correct_forms_are_equivalent(reference: str, forms: list[sp.Expr]) -> None:
    for expr in forms:
        result = _judge(S(expr), reference)
        assert result["equivalent"], (S(expr), result)
        assert result["proof"] == "expand", (S(expr), result)  # all of these are polynomials
        assert result["diagnosis"] is None and result["mutants"] == []
        assert result["latex"]


def test_floats_make_the_comparison_tolerant() -> None:
    third = _judge(S(sp.Float(1 / 3) * _sum(3 * x[i] * R) / m))
    assert third["equivalent"] and third["tolerant"] and third["proof"] == "sampling"
    assert "exact fractions" in third["message"]
    assert not _judge(S(sp.Float(0.333) * _sum(3 * x[i] * R) / m))["equivalent"]


WRONG = [
    # (student, reference, diagnosis, words in the message)
    (_sum(x[i] * R), REF_W, "missing_1_over_m", "1/m"),
    (-_sum(x[i] * R) / m, REF_W, "sign_flipped", "wrong sign"),
    (2 * _sum(x[i] * R) / m, REF_W, "factor_2", "twice"),
    (_sum(x[i] * R) / (2 * m), REF_W, "factor_half", "half the correct one"),
    (-_sum(x[i] * R), REF_W, "sign_and_missing_1_over_m", "-m times"),
    (_sum(x[i] * R) / m ** 2, REF_W, "extra_1_over_m", "divided by m"),
    (3 * _sum(x[i] * R) / m, REF_W, "constant_factor", "constant multiple"),
    (_sum(x[i] * (w * x[i] - y[i])) / m, REF_W, None, "not equal"),             # missing b
    (_sum(R) / m, REF_W, None, "not equal"),                                    # dJ/db for dJ/dw
    (_sum(x[i] * R, m - 1) / m, REF_W, None, "not equal"),                       # one sample dropped
    (_sum(x[i] * R) / m, REF_W0, None, "not equal"),                             # general for at-zero
    (sp.Integer(0), REF_W0, "zero", "0 at every test point"),
    (_sum(x[i] * (sp.Symbol("W") * x[i] + b - y[i])) / m, REF_W, "unknown_symbol", "uses W"),
    (x[i] * R / m, REF_W, "free_index", "outside a Sum"),
    (_sum(x[i + 5] * R) / m, REF_W, "free_index", "x[6]"),
    (_sum(x[i] * R) / (w - w + b - b), REF_W, None, None),  # parse refuses: division by zero
]


@pytest.mark.parametrize("student, reference, diagnosis, words", WRONG,
                         ids=[f"wrong{n}" for n in range(len(WRONG))])
def test_wrong_forms_are_diagnosed(student: sp.Expr, reference: str, diagnosis: str | None,
                                   words: str | None) -> None:
    result = _judge(S(student), reference)
    assert not result["equivalent"] and result["proof"] is None
    if words is None:
        assert not result["parsed"] and result["parse_error"]
        return
    assert result["parsed"]
    assert result["diagnosis"] == diagnosis, result
    assert words in result["message"], result["message"]


def test_messages_never_reveal_reference_values() -> None:
    points = sample_points(SYMBOLS, COUNT, SEED)
    ref_fp = fingerprint(parse(REF_W, SYMBOLS), points, SYMBOLS)
    for student, *_ in WRONG[:12]:
        parsed = parse(S(student), SYMBOLS)
        message = compare(fingerprint(parsed, points, SYMBOLS), ref_fp, points, tolerant=False, size="m").message
        assert not any(value in message for value in ref_fp if len(value) > 2), message
        assert "Sum(" not in message


def test_mutants_are_recognised() -> None:
    mutants = {
        "missing_b": S(sp.diff(sp.Sum((w * x[i] - y[i]) ** 2, (i, 1, m)) / (2 * m), w)),
        "db_for_dw": REF_B,
        "sign": S(-sp.diff(J, w)),
    }
    missing_b = _judge(S(_sum(x[i] * (w * x[i] - y[i])) / m), REF_W, mutants)
    assert missing_b["mutants"] == ["missing_b"]
    assert _judge(S(_sum(R) / m), REF_W, mutants)["mutants"] == ["db_for_dw"]
    assert _judge(S(-_sum(x[i] * R) / m), REF_W, mutants)["mutants"] == ["sign"]
    assert _judge(S(w), REF_W, mutants)["mutants"] == []
    assert _judge(REF_W, REF_W, mutants)["mutants"] == []  # equivalent answers report no mutant


def test_at_zero_mutant_that_coincides_with_the_reference_is_not_reported() -> None:
    # At w = b = 0 the "missing b" mistake vanishes; the correct answer must not be flagged.
    mutant = S(sp.diff(sp.Sum((w * x[i] - y[i]) ** 2, (i, 1, m)) / (2 * m), w).subs(w, 0))
    result = _judge(S(-_sum(x[i] * y[i]) / m), REF_W0, {"missing_b": mutant})
    assert result["equivalent"] and result["mutants"] == []


def test_reference_zero_everywhere_does_not_divide_by_zero() -> None:
    assert _judge("0", "0")["equivalent"]
    assert _judge(S(w - w), "0")["equivalent"]
    result = _judge("w", "0")
    assert not result["equivalent"] and result["diagnosis"] is None


def test_transcendental_answers_compare_in_floats() -> None:
    reference = S(sp.exp(w + b) * _sum(x[i]) / m)
    result = _judge(S(_sum(sp.exp(w) * sp.exp(b) * x[i] / m)), reference)
    assert result["equivalent"] and result["proof"] == "sampling"
    assert _judge(S(-sp.exp(w + b) * _sum(x[i]) / m), reference)["diagnosis"] == "sign_flipped"
    assert _judge(S(sp.log(w) * _sum(x[i]) / m), reference)["diagnosis"] in ("complex", "undefined")


def test_parse_errors_are_reported_as_values() -> None:
    result = _judge("__import__('os').system('true')")
    assert result["parsed"] is False and result["diagnosis"] == "parse_error"
    assert result["message"] == result["parse_error"] and result["latex"] is None


def test_a_reference_that_does_not_parse_is_a_grader_fault() -> None:
    with pytest.raises(ValueError, match="reference"):
        judge_answer(REF_W, "sin(w)", {}, SYMBOLS, SEED, COUNT)


def test_sample_points_are_deterministic_json_and_cover_the_data() -> None:
    points = sample_points(SYMBOLS, 2, 3)
    assert points == sample_points(SYMBOLS, 2, 3) != sample_points(SYMBOLS, 2, 4)
    assert [p.size for p in points] == [1, 1, 2, 2, 3, 3]
    json.dumps([dataclasses.asdict(p) for p in points])
    names = dict(points[-1].values)
    assert {"w", "b", "x[1]", "x[3]", "y[3]"} <= set(names)
    assert all(value != "0" for _, value in points[-1].values)


def test_fingerprints_are_exact_strings() -> None:
    points = (Point(2, (("w", "1/2"), ("b", "-1"), ("x[1]", "2"), ("x[2]", "3"),
                        ("y[1]", "1"), ("y[2]", "-1"))),)
    # dJ/dw = (x1 (w x1 + b - y1) + x2 (w x2 + b - y2)) / 2 = (2*(-1) + 3*(3/2)) / 2 = 5/4
    assert fingerprint(parse(REF_W, SYMBOLS), points, SYMBOLS) == ("5/4",)
    assert fingerprint(parse("exp(w)", SYMBOLS), points, SYMBOLS)[0].startswith("f:1.6487")
    assert fingerprint(parse("V*w", SYMBOLS), points, SYMBOLS) == ("err:unknown:V",)


def test_compare_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        compare(("1",), ("1", "2"), (), tolerant=False, size="m")
    assert compare((), (), (), tolerant=False, size="m") == Comparison(True, None, "Your expression is correct.")


def test_self_check_variant_gives_the_same_verdict_from_fingerprints() -> None:
    points = sample_points(SYMBOLS, COUNT, SEED)
    ref_fp = fingerprint(parse(REF_W, SYMBOLS), points, SYMBOLS)
    mutant_fps = {"db_for_dw": fingerprint(parse(REF_B, SYMBOLS), points, SYMBOLS)}
    # The student's own objects, declared without assumptions: re-parsed canonically.
    ws, bs, ms, i_s = sp.symbols("w b m i")
    student = sp.Sum(x[i_s] * (ws * x[i_s] + bs - y[i_s]), (i_s, 1, ms)) / ms
    ok = judge_against_fingerprints(student, ref_fp, {}, points, SYMBOLS)
    assert set(ok) == KEYS and ok["equivalent"] and ok["proof"] == "sampling"
    wrong = judge_against_fingerprints(S(_sum(R) / m), ref_fp, mutant_fps, points, SYMBOLS)
    assert not wrong["equivalent"] and wrong["mutants"] == ["db_for_dw"]
    batch = judge_answer(S(_sum(x[i] * R)), REF_W, {}, SYMBOLS, SEED, COUNT)
    check = judge_against_fingerprints(S(_sum(x[i] * R)), ref_fp, {}, points, SYMBOLS)
    assert (batch["diagnosis"], batch["message"]) == (check["diagnosis"], check["message"])


@pytest.mark.parametrize("student, constant", [("5/2", True), ("0", True), ("2.5", True),
                                               ("Sum(x[i], (i, 1, m))", False), ("w", False)])
def test_a_number_where_the_answer_varies_is_flagged(student: str, constant: bool) -> None:
    assert _judge(student)["constant"] is constant


# ---------------------------------------------------------------- wording: declared size name and hints


def _points(*sizes: int) -> tuple[Point, ...]:
    return tuple(Point(n, ()) for n in sizes)


@pytest.mark.parametrize("student, diagnosis, generic", [
    (("4", "12"), "missing_1_over_m", "Your expression is n times the correct one: did you forget a factor 1/n?"),
    (("-4", "-12"), "sign_and_missing_1_over_m",
     "Your expression is -n times the correct one: check the sign and the factor 1/n."),
    (("1", "4/3"), "extra_1_over_m",
     "Your expression is the correct one divided by n: did you divide by n twice?"),
    (("-2", "-4"), "sign_flipped",
     "Your expression has the wrong sign: check each minus sign, and the inner derivative of the chain rule."),
    (("4", "8"), "factor_2", "Your expression is twice the correct one: check the constant factors."),
    (("1", "2"), "factor_half", "Your expression is half the correct one: check the constant factors."),
    (("6", "12"), "constant_factor",
     "Your expression is a constant multiple of the correct one: check the constant factors."),
    (("0", "0"), "zero", "Your expression is 0 at every test point, but the correct one is not."),
    (("err:undefined", "1"), "undefined", "Your expression divides by zero or is undefined at some test values."),
    (("err:complex", "1"), "complex", "Your expression gives complex numbers at some test values: is there a "
                                      "log or a square root of a negative number?"),
])
def test_diagnoses_name_the_declared_size_and_take_the_declarations_advice(
        student: tuple[str, str], diagnosis: str, generic: str) -> None:
    points, reference = _points(2, 3), ("2", "4")
    plain = compare(student, reference, points, tolerant=False, size="n")
    assert (plain.diagnosis, plain.message) == (diagnosis, generic)
    advised = compare(student, reference, points, tolerant=False, size="n", hints={diagnosis: "look at step 3"})
    statement = generic.split(":")[0].rstrip(".")
    assert (advised.diagnosis, advised.message) == (diagnosis, f"{statement}: look at step 3.")


def test_a_constant_answer_is_not_called_a_multiple_of_another_constant() -> None:
    points, log2 = _points(1, 2, 3), ("f:0.6931471805599453",) * 3
    assert compare(("1/2",) * 3, log2, points, tolerant=False).diagnosis is None       # J(0) = 1/2
    assert compare(("f:1.3862943611198906",) * 3, log2, points, tolerant=False).diagnosis == "factor_2"
    assert compare(("f:-0.6931471805599453",) * 3, log2, points, tolerant=False).diagnosis == "sign_flipped"
    assert compare(("0",) * 3, log2, points, tolerant=False).diagnosis == "zero"


LINEAR_TEXTS = {  # the linear_regression wording, now carried by its declaration (SymbolicQuestion.hints)
    "sign_flipped": "Your expression has the wrong sign: check the order of (prediction - y) and the chain rule.",
    "missing_1_over_m": "Your expression is m times the correct one: did you forget the 1/m in front of the sum?",
    "sign_and_missing_1_over_m": "Your expression is -m times the correct one: check the sign (prediction - y) "
                                 "and the 1/m in front of the sum.",
    "factor_2": "Your expression is twice the correct one: the 2 from differentiating the square cancels the 2 "
                "in 1/(2m).",
    "factor_half": "Your expression is half the correct one: did you drop the factor 2 from the chain rule (the "
                   "derivative of a square)?",
}


def test_the_linear_declaration_keeps_its_own_wording() -> None:
    question = load("linear_regression").question("dJ_dw")
    assert isinstance(question, SymbolicQuestion)
    students = {"sign_flipped": -_sum(x[i] * R) / m, "missing_1_over_m": _sum(x[i] * R),
                "sign_and_missing_1_over_m": -_sum(x[i] * R), "factor_2": 2 * _sum(x[i] * R) / m,
                "factor_half": _sum(x[i] * R) / (2 * m)}
    for diagnosis, student in students.items():
        result = judge_answer(S(student), REF_W, {}, SYMBOLS, SEED, COUNT, question.hints)
        assert (result["diagnosis"], result["message"]) == (diagnosis, LINEAR_TEXTS[diagnosis])
        points = sample_points(SYMBOLS, COUNT, SEED)
        check = judge_against_fingerprints(S(student), fingerprint(parse(REF_W, SYMBOLS), points, SYMBOLS), {},
                                           points, SYMBOLS, question.hints)
        assert check["message"] == LINEAR_TEXTS[diagnosis]


def test_the_verdict_says_where_it_was_checked() -> None:
    assert _judge(S(_sum(x[i] * R)))["checked"] == "m = 1, 2, 3"
    other = dataclasses.replace(SYMBOLS, size_values=(2, 4))
    assert judge_answer("w", REF_W, {}, other, SEED, 2)["checked"] == "m = 2, 4"
    assert judge_answer("w +", REF_W, {}, other, SEED, 2)["checked"] == "m = 2, 4"


# ---------------------------------------------------------------- evaluation of exp, log, tanh


Z = w * x[i] + b


def test_cancellations_are_evaluated_exactly_enough() -> None:
    """sympy's evalf drops such terms silently; the interval evaluation widens its precision instead."""
    big = sp.Integer(434)
    one_minus = (1 - 1 / (1 + sp.exp(-big))) * sp.exp(big)    # = sigmoid(434), about 1 - 10^-189
    assert numeric_value(one_minus) == numeric_value(1 / (1 + sp.exp(-big))) == 1.0
    assert abs(complex(one_minus.evalf(30))) > 1e40            # what sympy's evalf makes of it
    assert numeric_value(sp.log(1 - 1 / (sp.exp(-sp.Integer(900)) + 1))) == -900.0
    assert numeric_value(sp.exp(-sp.Integer(900))) == 0.0     # below the float range, absolutely tiny


def test_forms_agree_where_the_sigmoid_saturates() -> None:
    point = (Point(2, (("w", "29"), ("b", "1"), ("x[0]", "1"), ("x[1]", "-15"), ("x[2]", "15"), ("x[3]", "2"),
                       ("y[0]", "1"), ("y[1]", "1/3"), ("y[2]", "2"), ("y[3]", "1"))),)
    sigmoid = 1 / (1 + sp.exp(-Z))
    forms = [_sum((sigmoid - y[i]) * x[i]) / m,
             _sum(((1 - 1 / (1 + sp.exp(Z))) - y[i]) * x[i]) / m,
             _sum(((1 - 1 / (1 + sp.exp(-Z))) * sp.exp(Z) - y[i]) * x[i]) / m,
             _sum((sp.exp(-Z) / ((1 - sigmoid) * (1 + sp.exp(-Z)) ** 2) - y[i]) * x[i]) / m]
    values = {fingerprint(parse(S(f), SYMBOLS), point, SYMBOLS)[0] for f in forms}
    assert len(values) == 1, values


def test_undefined_and_complex_values_are_named() -> None:
    assert _value_of(1 / (sp.log(4) - 2 * sp.log(2)) + w) == "err:undefined"  # exactly 1/0, not simplified
    assert _value_of(sp.log(w - 100)) == "err:complex"
    assert _value_of(sp.sqrt(w - 100)) == "err:complex"
    assert _value_of(sp.log(4) - 2 * sp.log(2) + 1) == "f:1.0"


def _value_of(expr: sp.Expr) -> str:
    point = (Point(1, (("w", "3"), ("b", "1"), ("x[0]", "1"), ("x[1]", "1"), ("x[2]", "1"),
                       ("y[0]", "1"), ("y[1]", "1"), ("y[2]", "1"))),)
    parsed = parse(S(expr), SYMBOLS)
    assert not isinstance(parsed, ParseFailure), parsed
    return fingerprint(parsed, point, SYMBOLS)[0]


def test_transcendental_values_compare_with_a_relative_tolerance() -> None:
    points = _points(1, 1)
    close = compare(("f:0.6931471805599454", "f:1234567.8901234"), ("f:0.6931471805599453", "f:1234567.890123401"),
                    points, tolerant=False)
    assert close.equivalent
    assert compare(("1/2", "f:3e-20"), ("f:0.5000000000000001", "0"), points, tolerant=False).equivalent
    assert not compare(("f:0.6931", "1"), ("f:0.6931471805599453", "1"), points, tolerant=False).equivalent
    assert not compare(("f:1234567.9", "1"), ("f:1234567.8901234", "1"), points, tolerant=False).equivalent


@pytest.mark.parametrize("expr", [
    parse("Sum(x[i], (i, 3, m))", SYMBOLS),                          # an empty or reversed range (Karr's convention)
    parse("Sum(x[i] * Sum(y[i], (i, 1, m)), (i, 1, m))", SYMBOLS),   # an inner Sum rebinding the outer index
    sp.Sum(x[i] * y[k], (k, 1, i), (i, 1, m)),                       # an inner range depending on the outer index
    parse("Sum(x[i], (i, 1, 70)) / 70 + Sum(y[i], (i, 1, m))", SYMBOLS),  # too long to write out: left to sympy
    parse("Derivative(Sum(log(1 + exp(-w * x[i] - b)), (i, 1, m)), w) / m", SYMBOLS),
], ids=["reversed", "rebound", "dependent", "long", "derivative"])
def test_sums_written_out_term_by_term_agree_with_sympys_doit(expr: sp.Expr) -> None:
    assert not isinstance(expr, ParseFailure), expr
    for size in (1, 3):
        points = sample_points(dataclasses.replace(SYMBOLS, size_values=(size,)), 2, 5)
        by_sympy = expr.xreplace({m: sp.Integer(size)}).doit()
        assert fingerprint(expr, points, SYMBOLS) == fingerprint(by_sympy, points, SYMBOLS), size
