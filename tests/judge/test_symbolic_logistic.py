"""Symbolic judging of logistic-regression answers: exp, log, tanh and every form of the sigmoid.

The judge knows nothing of logistic regression: these tests give it a logistic J through the
declaration's vocabulary (Symbols with tanh among its functions) and check that equivalent forms of
each answer are accepted, typical mistakes are named, and every judgement stays well inside the
time box the batch grader gives one answer (GradingConfig.symbolic_seconds).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import sympy as sp

from autograder.config import GradingConfig
from source_lib.judge.spec import STANDARD_FUNCTIONS, Symbols
from source_lib.judge.symbolic import fingerprint, judge_against_fingerprints, judge_answer, sample_points
from source_lib.judge.symparse import parse

SYMBOLS = Symbols(reals=("w", "b"), size="m", index="i", indexed=("x", "y"),
                  functions=STANDARD_FUNCTIONS + ("tanh",))
SEEDS, COUNT = (11, 20261129), 4
TIME_BOX = GradingConfig().symbolic_seconds

w, b = sp.symbols("w b", real=True)
m = sp.symbols("m", integer=True, positive=True)
i, k = sp.symbols("i k", integer=True)
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")
Z = w * x[i] + b

Sigmoid = Callable[[sp.Expr], sp.Expr]
SIGMOIDS: dict[str, Sigmoid] = {
    "1/(1+exp(-z))": lambda z: 1 / (1 + sp.exp(-z)),
    "exp(z)/(1+exp(z))": lambda z: sp.exp(z) / (1 + sp.exp(z)),
    "(1+tanh(z/2))/2": lambda z: (1 + sp.tanh(z / 2)) / 2,
    "1-1/(1+exp(z))": lambda z: 1 - 1 / (1 + sp.exp(z)),
}
s = SIGMOIDS["1/(1+exp(-z))"]


def _sum(body: sp.Expr, index: sp.Symbol = i) -> sp.Expr:
    return sp.Sum(body, (index, 1, m))


def cost(sigmoid: Sigmoid = s, log: Callable[[sp.Expr], sp.Expr] = sp.log) -> sp.Expr:
    """The notebook's J (with the sigmoid and the log of the caller's choosing)."""
    return _sum(-(y[i] * log(sigmoid(Z)) + (1 - y[i]) * log(1 - sigmoid(Z)))) / m


J = cost()
DJ_DW, DJ_DB = sp.diff(J, w), sp.diff(J, b)
REFERENCES = {"dJ_dw": DJ_DW, "dJ_db": DJ_DB, "dJ_dw_at_zero": DJ_DW.subs({w: 0, b: 0}),
              "dJ_db_at_zero": DJ_DB.subs({w: 0, b: 0}), "J_at_zero": sp.log(2)}


def S(expr: sp.Expr) -> str:
    return sp.sstr(expr)


CORRECT: dict[str, list[sp.Expr]] = {
    "dJ_dw": [
        DJ_DW,                                                     # sp.diff, unsimplified
        sp.Derivative(J, w),                                       # unevaluated
        *(_sum((f(Z) - y[i]) * x[i]) / m for f in SIGMOIDS.values()),
        *(sp.diff(cost(f), w) for name, f in SIGMOIDS.items() if name != "1/(1+exp(-z))"),
        _sum(x[i] * ((1 - y[i]) * s(Z) - y[i] * (1 - s(Z)))) / m,
        _sum(x[i] * s(Z)) / m - _sum(x[i] * y[i]) / m,
        sp.Sum((SIGMOIDS["exp(z)/(1+exp(z))"](w * x[k] + b) - y[k]) * x[k], (k, 1, m)) / m,   # index k
        _sum((s(Z) - y[i]) * x[i] / m),
        -_sum(x[i] * (y[i] - s(Z))) / m,
        sp.Sum((s(w * x[i + 1] + b) - y[i + 1]) * x[i + 1], (i, 0, m - 1)) / m,             # shifted
        sp.simplify(DJ_DW),
        _sum(x[i] * (1 - y[i] - 1 / (1 + sp.exp(Z)))) / m,
        sp.Float(0.5) * _sum(2 * (s(Z) - y[i]) * x[i]) / m,                                # a decimal
    ],
    "dJ_db": [
        DJ_DB,
        sp.Derivative(J, b),
        *(_sum(f(Z) - y[i]) / m for f in SIGMOIDS.values()),
        sp.diff(cost(SIGMOIDS["(1+tanh(z/2))/2"]), b),
        _sum(s(Z)) / m - _sum(y[i]) / m,
        sp.Sum(s(w * x[k] + b) - y[k], (k, 1, m)) / m,
        sp.simplify(DJ_DB),
        _sum((1 - y[i]) * s(Z) - y[i] * (1 - s(Z))) / m,
    ],
    "dJ_dw_at_zero": [
        REFERENCES["dJ_dw_at_zero"],
        _sum(x[i] * (sp.Rational(1, 2) - y[i])) / m,
        _sum(x[i]) / (2 * m) - _sum(x[i] * y[i]) / m,
        sp.Subs(sp.Derivative(J, w), (w, b), (0, 0)),
        sp.diff(cost(SIGMOIDS["(1+tanh(z/2))/2"]), w).subs({w: 0, b: 0}),
        -_sum(x[i] * (y[i] - sp.Rational(1, 2))) / m,
        sp.Sum(x[k] * (sp.Rational(1, 2) - y[k]), (k, 1, m)) / m,
        sp.Float(0.5) * _sum(x[i]) / m - _sum(x[i] * y[i]) / m,
    ],
    "dJ_db_at_zero": [
        REFERENCES["dJ_db_at_zero"],
        _sum(sp.Rational(1, 2) - y[i]) / m,
        sp.Rational(1, 2) - _sum(y[i]) / m,
        sp.Subs(sp.Derivative(J, b), (w, b), (0, 0)),
        sp.diff(cost(SIGMOIDS["exp(z)/(1+exp(z))"]), b).subs({w: 0, b: 0}),
        sp.Sum(sp.Rational(1, 2) - y[k], (k, 1, m)) / m,
    ],
    "J_at_zero": [
        sp.log(2),
        J.subs({w: 0, b: 0}),                                      # left as a Sum over y
        cost(SIGMOIDS["(1+tanh(z/2))/2"]).subs({w: 0, b: 0}),
        sp.log(4) / 2,
        -sp.log(sp.Rational(1, 2)),
        2 * sp.log(sp.sqrt(2)),
        sp.Sum(sp.log(2), (k, 1, m)) / m,
        sp.Float(0.6931471805599453),                              # a decimal, to rounding
        sp.simplify(J.subs({w: 0, b: 0})),
    ],
}


def _judge(answer: str, student: sp.Expr | str, seed: int, mutants: dict[str, str] | None = None) -> dict:
    source = student if isinstance(student, str) else S(student)
    started = time.perf_counter()
    result = judge_answer(source, S(REFERENCES[answer]), mutants or {}, SYMBOLS, seed, COUNT)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_BOX / 2, (answer, source[:80], elapsed)  # warm: the reference is cached
    json.dumps(result)
    return result


CASES = [(answer, n) for answer, forms in CORRECT.items() for n in range(len(forms))]


def test_there_are_many_forms() -> None:
    assert sum(len(forms) for forms in CORRECT.values()) >= 50
    assert all(len(forms) >= 6 for forms in CORRECT.values())
    assert len(CORRECT["dJ_dw"]) >= 15


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("answer, n", CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_equivalent_forms_are_accepted(answer: str, n: int, seed: int) -> None:
    form = CORRECT[answer][n]
    assert parse(S(form), SYMBOLS) is not None
    result = _judge(answer, form, seed)
    assert result["parsed"], result["parse_error"]
    assert result["equivalent"], (S(form), result["message"])
    assert result["mutants"] == [] and result["diagnosis"] is None


WRONG = [
    # (answer, student, diagnosis, words in the message)
    ("dJ_dw", _sum((s(Z) - y[i]) * x[i]), "missing_1_over_m", "1/m"),
    ("dJ_dw", -_sum((s(Z) - y[i]) * x[i]) / m, "sign_flipped", "wrong sign"),
    ("dJ_dw", -_sum((s(Z) - y[i]) * x[i]), "sign_and_missing_1_over_m", "-m times"),
    ("dJ_dw", sp.diff(cost(log=lambda v: sp.log(v, 10)), w), "constant_factor", "constant multiple"),  # log10
    ("dJ_dw", _sum((Z - y[i]) * x[i]) / m, None, "not equal"),       # no sigmoid: the linear gradient
    ("dJ_dw", _sum(s(Z) - y[i]) / m, None, "not equal"),             # dJ/db for dJ/dw
    ("dJ_dw", _sum((s(w * x[i]) - y[i]) * x[i]) / m, None, "not equal"),   # bias ignored
    ("dJ_dw", _sum((s(-Z) - y[i]) * x[i]) / m, None, "not equal"),   # sigmoid of -z
    ("dJ_db", _sum(s(Z) - y[i]), "missing_1_over_m", "1/m"),
    ("dJ_db", _sum(y[i] - s(Z)) / m, "sign_flipped", "wrong sign"),
    ("dJ_dw_at_zero", sp.Integer(0), "zero", "0 at every test point"),          # "the gradient at zero is zero"
    ("dJ_dw_at_zero", DJ_DW.subs({w: 0}), None, "not equal"),                   # only w substituted
    ("dJ_dw_at_zero", _sum(x[i] * y[i]) / m, None, "not equal"),
    ("dJ_db_at_zero", sp.Integer(0), "zero", "0 at every test point"),
    ("dJ_db_at_zero", _sum(y[i] - sp.Rational(1, 2)) / m, "sign_flipped", "wrong sign"),
    ("J_at_zero", sp.Rational(1, 2), None, "not equal"),
    ("J_at_zero", sp.Integer(0), "zero", "0 at every test point"),
    ("J_at_zero", sp.log(2) / sp.log(10), None, "not equal"),                   # log10(2)
    ("J_at_zero", -sp.log(2), "sign_flipped", "wrong sign"),
    ("J_at_zero", _sum(sp.log(2)), "missing_1_over_m", "1/m"),
    ("J_at_zero", sp.log(4), "factor_2", "twice"),
]


@pytest.mark.parametrize("answer, student, diagnosis, words", WRONG, ids=[f"{w[0]}-{n}" for n, w in enumerate(WRONG)])
def test_typical_mistakes_are_rejected_and_named(answer: str, student: sp.Expr, diagnosis: str | None,
                                                 words: str) -> None:
    result = _judge(answer, student, SEEDS[0])
    assert result["parsed"] and not result["equivalent"], result
    assert result["diagnosis"] == diagnosis, result
    assert words in result["message"], result["message"]


def test_catalogued_mutants_are_named() -> None:
    mutants = {"log10": S(sp.diff(cost(log=lambda v: sp.log(v, 10)), w)), "missing_1_over_m": S(DJ_DW * m),
               "sign_flipped": S(-DJ_DW), "no_sigmoid": S(_sum((Z - y[i]) * x[i]) / m)}
    for mutant, student in [("log10", _sum((s(Z) - y[i]) * x[i]) / (m * sp.log(10))),
                            ("missing_1_over_m", _sum((SIGMOIDS["(1+tanh(z/2))/2"](Z) - y[i]) * x[i])),
                            ("sign_flipped", _sum((y[i] - SIGMOIDS["exp(z)/(1+exp(z))"](Z)) * x[i]) / m),
                            ("no_sigmoid", _sum(x[i] * (w * x[i] + b - y[i])) / m)]:
        result = _judge("dJ_dw", student, SEEDS[0], mutants)
        assert result["mutants"] == [mutant], (mutant, result)
    assert _judge("dJ_dw", CORRECT["dJ_dw"][4], SEEDS[0], mutants)["mutants"] == []


def test_the_self_check_agrees_from_fingerprints_alone() -> None:
    """The public data holds only float fingerprints; the verdicts are the batch grader's."""
    points = sample_points(SYMBOLS, COUNT, SEEDS[1])
    for answer in ("dJ_dw", "J_at_zero"):
        reference_fp = fingerprint(parse(S(REFERENCES[answer]), SYMBOLS), points, SYMBOLS)
        assert all(v.startswith(("f:", "-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")) for v in reference_fp)
        reference_fp = tuple(json.loads(json.dumps(list(reference_fp))))
        for form in CORRECT[answer]:
            verdict = judge_against_fingerprints(S(form), reference_fp, {}, points, SYMBOLS)
            assert verdict["equivalent"], (S(form), verdict["message"])
        wrong = judge_against_fingerprints("0", reference_fp, {}, points, SYMBOLS)
        assert not wrong["equivalent"] and wrong["diagnosis"] == "zero"


def test_a_cold_judgement_of_the_unsimplified_derivative_fits_the_time_box() -> None:
    """The slowest case: nothing cached, the reference and the student both sp.diff's raw output."""
    started = time.perf_counter()
    result = judge_answer(S(DJ_DW), S(DJ_DW), {"sign": S(-DJ_DW)}, SYMBOLS, 987654, COUNT)
    assert result["equivalent"]
    assert time.perf_counter() - started < TIME_BOX / 2
