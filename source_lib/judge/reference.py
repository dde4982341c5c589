"""Expected values, taken from a sandboxed run of the solution notebook.

The solution and every catalogued mutant of it run through the same child
process path as a submission; this module only reads what they reported.
The judge therefore never executes instructor code either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from source_lib.errors import AssignmentError
from source_lib.judge.codec import ExprText, Scalar, Value
from source_lib.judge.decode import Call, Observations
from source_lib.judge.spec import Assignment, CaseSet, FunctionQuestion, variant_key


@dataclass(frozen=True)
class FunctionReference:
    """Per case: the solution's call, and each misconception's call on the same inputs."""

    expected: Mapping[str, Call]
    mutants: Mapping[str, Mapping[str, Call]]  # misconception id -> case id -> call


@dataclass(frozen=True)
class ValueReference:
    """The solution's value of a named answer, and each misconception's value."""

    expected: Value
    mutants: Mapping[str, Value]


Reference = FunctionReference | ValueReference


@dataclass(frozen=True)
class References:
    by_question: Mapping[str, Reference]

    def function(self, question_id: str) -> FunctionReference:
        ref = self.by_question[question_id]
        assert isinstance(ref, FunctionReference)
        return ref

    def value(self, question_id: str) -> ValueReference:
        ref = self.by_question[question_id]
        assert isinstance(ref, ValueReference)
        return ref


def build_references(assignment: Assignment, cases: CaseSet, observed: Observations,
                     cell_name: Callable[[int], str] = lambda index: f"cell {index + 1}") -> References:
    """Collect expected values; AssignmentError when the solution itself failed anywhere.

    ``cell_name`` names a cell (by its index in the notebook) in that error.
    """
    problems = [f"{cell_name(e.cell)} raised {e.error_type}: {e.message}" for e in observed.cell_errors]
    if not observed.done:
        problems.append("the solution run did not finish")
    refs: dict[str, Reference] = {}
    for question in assignment.auto_questions:
        if isinstance(question, FunctionQuestion):
            refs[question.id] = _function_reference(question, cases, observed, problems)
        else:
            refs[question.id] = _value_reference(question.id, [m.id for m in question.misconceptions],
                                                 observed, problems)
    if problems:
        raise AssignmentError(assignment.name, "the solution notebook does not run cleanly: "
                              + "; ".join(problems[:5]))
    return References(refs)


def _function_reference(question: FunctionQuestion, cases: CaseSet, observed: Observations,
                        problems: list[str]) -> FunctionReference:
    ids = [c.id for c in cases.by_question[question.id]]
    expected = {case: observed.call(question.id, case) for case in ids}
    for case, call in expected.items():
        if call.status != "returned":
            problems.append(f"{question.id} on case {case}: {call.status}"
                            + (f" ({call.error.type}: {call.error.message})" if call.error else ""))
    mutants = {m.id: {case: observed.call(question.id, case, variant_key(question.id, m.id)) for case in ids}
               for m in question.misconceptions}
    return FunctionReference(expected, mutants)


def _value_reference(question_id: str, misconception_ids: list[str], observed: Observations,
                     problems: list[str]) -> ValueReference:
    found = observed.lookup(question_id)
    if found.status != "found" or found.value is None:
        problems.append(f"{question_id} is not defined by the solution ({found.status})")
    expected = found.value if found.value is not None else Scalar(0, "missing")
    mutants = {}
    for mid in misconception_ids:
        value = observed.lookup(question_id, variant_key(question_id, mid)).value
        if value is not None:
            mutants[mid] = value
    return ValueReference(expected, mutants)


def expression_source(value: Value) -> str | None:
    """The sympy text of a value, accepting plain numbers (a student may write 0 for an expression)."""
    if isinstance(value, ExprText):
        return value.src
    if isinstance(value, Scalar) and not isinstance(value.value, bool):
        return repr(value.value)
    return None
