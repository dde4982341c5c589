"""The data the in-notebook ``check()`` needs, in one JSON format.

Public data (public cases with the solution's outputs, symbolic fingerprints at
public points, no answers) ships to students in ``source_lib/public/``. Hidden
data (hidden cases, the multiple-choice answer) goes only into the hidden-test
blocks of the instructor's source notebook, which nbgrader strips on release.
Both are derived from the same sandboxed solution run as the batch grader's
references, so the three uses of a question can never disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from source_lib.judge import codec, properties, symbolic, symparse
from source_lib.judge.decode import Call, ErrorInfo
from source_lib.judge.reference import References, expression_source
from source_lib.judge.spec import (
    Assignment,
    AutoQuestion,
    Case,
    CaseSet,
    ChoiceQuestion,
    FunctionQuestion,
    Misconception,
    SymbolicQuestion,
    Symbols,
)

FORMAT = 1
PUBLIC_POINTS_SEED_OFFSET = 1  # public evaluation points never coincide with the hidden ones


def public_data(assignment: Assignment, cases: CaseSet, references: References) -> dict[str, Any]:
    """Everything a student's self-check may know about every auto-graded question."""
    questions = {}
    for q in assignment.auto_questions:
        entry = _declaration(q)
        if isinstance(q, FunctionQuestion):
            entry["cases"] = _cases(q, (c for c in cases.by_question[q.id] if not c.hidden), references)
            entry["has_hidden_cases"] = any(c.hidden for c in cases.by_question[q.id])
        elif isinstance(q, SymbolicQuestion):
            entry.update(_fingerprints(assignment, q, references, assignment.seed + PUBLIC_POINTS_SEED_OFFSET))
        questions[q.id] = entry
    return {"format": FORMAT, "assignment": assignment.name, "order": [q.id for q in assignment.auto_questions],
            "symbols": dataclasses.asdict(assignment.symbols), "questions": questions}


def hidden_data(assignment: Assignment, question: AutoQuestion, cases: CaseSet, references: References,
                seed: int) -> dict[str, Any]:
    """What the hidden-test block of one question's nbgrader test cell registers."""
    if isinstance(question, FunctionQuestion):
        return {"cases": _cases(question, (c for c in cases.by_question[question.id] if c.hidden), references)}
    if isinstance(question, SymbolicQuestion):
        return _fingerprints(assignment, question, references, seed)
    ref = references.value(question.id)
    return {"expected": _letter(ref.expected), "misconceptions": _misconceptions(question),
            "mutants": {mid: _letter(v) for mid, v in ref.mutants.items()}}


def _declaration(q: AutoQuestion) -> dict[str, Any]:
    # A choice question's misconceptions go with the hidden data only: one text per wrong
    # letter would leave the letter without a text, the answer, for everyone to see.
    entry: dict[str, Any] = {"kind": _kind(q), "title": q.title, "points": q.points, "name": q.name,
                             "misconceptions": [] if isinstance(q, ChoiceQuestion) else _misconceptions(q)}
    if isinstance(q, FunctionQuestion | SymbolicQuestion):
        entry["uses"] = list(q.uses)
        if q.hints:
            entry["hints"] = dict(q.hints)
    if isinstance(q, FunctionQuestion):
        entry.update(params=list(q.params), returns=list(q.returns), immutable=list(q.immutable),
                     rtol=q.rtol, atol=q.atol)
        if q.forbid_warnings:
            entry["forbid_warnings"] = True
        if q.tolerances:
            entry["tolerances"] = {k: list(v) for k, v in q.tolerances.items()}
    if isinstance(q, ChoiceQuestion):
        entry["choices"] = dict(q.choices)
        entry["wrong_feedback"] = q.wrong_feedback
    return entry


def _misconceptions(q: AutoQuestion) -> list[dict[str, Any]]:
    return [{"id": m.id, "feedback": m.feedback, "credit": m.credit} for m in q.misconceptions]


def misconceptions_from_json(entries: list[dict[str, Any]]) -> tuple[Misconception, ...]:
    """Misconceptions as the self-check knows them: named and explained, without their edits."""
    return tuple(Misconception(m["id"], m["feedback"], (), m["credit"]) for m in entries)


def _kind(q: AutoQuestion) -> str:
    return {FunctionQuestion: "function", SymbolicQuestion: "symbolic", ChoiceQuestion: "choice"}[type(q)]


def _cases(q: FunctionQuestion, cases: Iterable[Case], references: References) -> list[dict[str, Any]]:
    ref = references.function(q.id)
    return [{"id": c.id, "hidden": c.hidden, "args": [codec.encode(a) for a in c.args],
             **({"properties": [p.to_json() for p in c.properties]} if c.properties else {}),
             "expected": call_to_json(ref.expected[c.id]),
             "mutants": {mid: call_to_json(by_case[c.id]) for mid, by_case in ref.mutants.items()}}
            for c in cases]


def _fingerprints(assignment: Assignment, q: SymbolicQuestion, references: References,
                  seed: int) -> dict[str, Any]:
    ref = references.value(q.id)
    points = symbolic.sample_points(assignment.symbols, assignment.symbolic_points, seed)

    def fp(value: codec.Value) -> list[str]:
        parsed = symparse.parse(expression_source(value) or "", assignment.symbols)
        if isinstance(parsed, symparse.ParseFailure):
            return []
        return list(symbolic.fingerprint(parsed, points, assignment.symbols))

    return {"eval_points": [point_to_json(p) for p in points], "expected": fp(ref.expected),
            "mutants": {mid: fp(v) for mid, v in ref.mutants.items()}}


def _letter(value: codec.Value) -> str | None:
    return value.value if isinstance(value, codec.Text) else None


# ---------------------------------------------------------------- conversions


def call_to_json(call: Call) -> dict[str, Any]:
    return {"status": call.status,
            "value": codec.to_wire(call.value) if call.value is not None else None,
            "error": {"type": call.error.type, "message": call.error.message} if call.error else None,
            "args_after": [codec.to_wire(v) for v in call.args_after],
            **({"warnings": list(call.warnings)} if call.warnings else {})}


def call_from_json(obj: dict[str, Any]) -> Call:
    error = obj.get("error")
    return Call(obj["status"], codec.decode(obj["value"]) if obj.get("value") else None,
                ErrorInfo(error["type"], error["message"]) if error else None,
                tuple(codec.decode(v) for v in obj.get("args_after", [])),
                tuple(str(w) for w in obj.get("warnings", [])))


def point_to_json(point: symbolic.Point) -> dict[str, Any]:
    return {"size": point.size, "values": [list(pair) for pair in point.values]}


def point_from_json(obj: dict[str, Any]) -> symbolic.Point:
    return symbolic.Point(int(obj["size"]), tuple((str(k), str(v)) for k, v in obj["values"]))


def question_from_json(qid: str, entry: dict[str, Any]) -> AutoQuestion:
    """Rebuild the public part of a declaration (misconceptions without their edits)."""
    misconceptions = misconceptions_from_json(entry["misconceptions"])
    hints = {str(k): str(v) for k, v in entry.get("hints", {}).items()}
    if entry["kind"] == "function":
        return FunctionQuestion(qid, entry["title"], entry["points"], entry["name"], tuple(entry["params"]),
                                tuple(entry["returns"]), (), lambda rng: (), tuple(entry["immutable"]),
                                tuple(entry["uses"]), entry["rtol"], entry["atol"], misconceptions, hints,
                                bool(entry.get("forbid_warnings", False)),
                                {str(k): (float(v[0]), float(v[1])) for k, v in entry.get("tolerances", {}).items()})
    if entry["kind"] == "symbolic":
        return SymbolicQuestion(qid, entry["title"], entry["points"], entry["name"], misconceptions,
                                tuple(entry.get("uses", ())), hints)
    if "wrong_feedback" in entry:
        return ChoiceQuestion(qid, entry["title"], entry["points"], entry["name"], entry["choices"], misconceptions,
                              str(entry["wrong_feedback"]))
    return ChoiceQuestion(qid, entry["title"], entry["points"], entry["name"], entry["choices"], misconceptions)


def symbols_from_json(obj: dict[str, Any]) -> Symbols:
    return Symbols(**{k: tuple(v) if isinstance(v, list) else v for k, v in obj.items()})  # type: ignore[arg-type]


def case_from_json(obj: dict[str, Any]) -> Case:
    return Case(obj["id"], tuple(codec.plain(codec.decode(a)) for a in obj["args"]), bool(obj["hidden"]),
                tuple(properties.from_json(p) for p in obj.get("properties", [])))
