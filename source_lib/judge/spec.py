"""The vocabulary an assignment is declared in: questions, cases, misconceptions.

One declaration per assignment (``solutions/<name>.py``, loaded by ``autograder.declarations``) drives the
student self-check, the nbgrader test cells and the batch grader alike.
Everything here is frozen data; nothing runs student code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from source_lib.errors import AssignmentError
from source_lib.judge.numeric import Tolerance
from source_lib.judge.properties import Property

Edit = tuple[str, str]

# The generic diagnoses a declaration may add advice to (``hints``), by question kind. A hint
# is what to check, appended to the judge's generic statement of the mistake:
# "dj_dw has the wrong sign" + ": " + hint. The ids name the declared size symbol "m" whatever
# it is called in the assignment (``Symbols.size``).
FUNCTION_DIAGNOSES = frozenset({"sign_flipped", "factor_2", "factor_half"})
SYMBOLIC_DIAGNOSES = frozenset({"sign_flipped", "missing_1_over_m", "sign_and_missing_1_over_m", "extra_1_over_m",
                                "factor_2", "factor_half", "constant_factor", "zero", "undefined", "complex"})
# Functions a sympy answer may use unless the declaration says otherwise (``Symbols.functions``),
# and every function the whitelist parser can read.
STANDARD_FUNCTIONS = ("exp", "log", "sqrt", "Abs", "sign", "KroneckerDelta")
SUPPORTED_FUNCTIONS = frozenset(STANDARD_FUNCTIONS + ("tanh", "sinh", "cosh", "sech"))


@dataclass(frozen=True)
class Misconception:
    """A named mistake, recognised by running its mutant of the solution on the same inputs.

    ``edits`` are (old, new) text replacements applied to the question's solution
    cell; each ``old`` must occur exactly once. The mutant's outputs are what a
    student with this misconception would produce, so matching them names the mistake.
    """

    id: str
    feedback: str
    edits: tuple[Edit, ...]
    credit: float = 0.0  # fraction of the question still earned when this is the only mistake

    def apply(self, source: str, where: str) -> str:
        """Return the solution cell ``source`` with this misconception injected."""
        for old, new in self.edits:
            count = source.count(old)
            if count != 1:
                raise AssignmentError(where, f"{self.id}: text {old!r} occurs {count} times, expected once")
            source = source.replace(old, new)
        return source


@dataclass(frozen=True)
class Case:
    """Inputs for one call of a student function, in parameter order.

    With ``properties`` the case is graded by what the result must satisfy (judge.properties),
    not by equality with the solution's result: for functions with many correct outputs.
    """

    id: str
    args: tuple[Any, ...]
    hidden: bool = False
    properties: tuple[Property, ...] = ()


class _InCell:
    """A question answered in the solution cell whose nbgrader grade_id is the question id."""

    id: str

    @property
    def cell(self) -> str:
        return self.id


class _NamedValue(_InCell):
    """A question answered by assigning a value to ``variable``."""

    variable: str

    @property
    def name(self) -> str:
        return self.variable


@dataclass(frozen=True)
class FunctionQuestion(_InCell):
    """The student implements ``function``; it is called on public and hidden cases."""

    id: str
    title: str
    points: float
    function: str
    params: tuple[str, ...]
    returns: tuple[str, ...]
    public_cases: tuple[Case, ...]
    hidden_cases: Callable[[np.random.Generator], tuple[Case, ...]]
    immutable: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()  # ids of questions whose functions this one calls
    rtol: float = 1e-6
    atol: float = 1e-9
    misconceptions: tuple[Misconception, ...] = ()
    # advice per generic diagnosis (keys in FUNCTION_DIAGNOSES), shown when no misconception matched,
    # e.g. {"factor_2": "check the constant in front of the sum"}
    hints: Mapping[str, str] = field(default_factory=dict)
    # a call that raises a warning (NumPy's overflow in exp, say) fails its case unless the solution's warns too
    forbid_warnings: bool = False
    # (rtol, atol) of particular outputs, by the name feedback uses: {"costs": (1e-4, 1e-7)}
    tolerances: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.function

    @property
    def tolerance(self) -> Tolerance:
        return Tolerance(self.rtol, self.atol, tuple((k, float(r), float(a)) for k, (r, a) in self.tolerances.items()))


@dataclass(frozen=True)
class SymbolicQuestion(_NamedValue):
    """The student defines ``variable`` as a sympy expression."""

    id: str
    title: str
    points: float
    variable: str
    misconceptions: tuple[Misconception, ...] = ()
    uses: tuple[str, ...] = ()  # ids of earlier answers this one is derived from
    # advice per generic diagnosis (keys in SYMBOLIC_DIAGNOSES), shown when no misconception matched,
    # e.g. {"sign_flipped": "check which way round you took the difference"}
    hints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChoiceQuestion(_NamedValue):
    """Multiple choice: the student sets ``variable`` to one option letter."""

    id: str
    title: str
    points: float
    variable: str
    choices: Mapping[str, str]
    misconceptions: tuple[Misconception, ...] = ()
    # the feedback for a wrong letter that no misconception names (never the answer)
    wrong_feedback: str = "Not the best answer: weigh each option against what you derived and observed."


@dataclass(frozen=True)
class ManualQuestion(_InCell):
    """A written answer (a markdown cell) graded by a person in nbgrader."""

    id: str
    title: str
    points: float


AutoQuestion = FunctionQuestion | SymbolicQuestion | ChoiceQuestion
Question = FunctionQuestion | SymbolicQuestion | ChoiceQuestion | ManualQuestion


@dataclass(frozen=True)
class Symbols:
    """Names a sympy answer may use, with the assumptions the notebook gives them.

    ``reals`` are free real parameters, ``size`` is the positive-integer sample
    count, ``index`` the summation index, ``indexed`` the data (IndexedBase).
    ``size_values`` are the concrete sizes at which answers are compared (each Sum
    is expanded at each of them: larger sizes cost time, see tests/judge).
    A problem about one example declares no size, index or data: its answers have no Sums.
    ``functions`` are the functions an answer may call, out of SUPPORTED_FUNCTIONS
    (Sum, Derivative, Subs, Rational, Integer and Float are always allowed).
    """

    reals: tuple[str, ...]
    size: str = ""
    index: str = ""
    indexed: tuple[str, ...] = ()
    size_values: tuple[int, ...] = (1, 2, 3)
    functions: tuple[str, ...] = STANDARD_FUNCTIONS

    @property
    def sizes(self) -> tuple[int, ...]:
        """The sizes answers are compared at: one, with no size declared."""
        return self.size_values if self.size else (1,)


@dataclass(frozen=True)
class Assignment:
    """One assignment: its notebook, its questions and the seed for hidden cases."""

    name: str
    title: str
    seed: int
    symbols: Symbols
    questions: tuple[Question, ...]
    symbolic_points: int = 4  # random evaluation points per size value
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def auto_questions(self) -> tuple[AutoQuestion, ...]:
        return tuple(q for q in self.questions if not isinstance(q, ManualQuestion))

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise AssignmentError(self.name, f"no question {question_id!r}")

    def cases(self, question: FunctionQuestion, seed: int | None = None) -> tuple[Case, ...]:
        """Public cases then hidden ones; hidden inputs come from the instructor's seed."""
        index = self.questions.index(question)
        rng = np.random.default_rng([self.seed if seed is None else seed, index])
        hidden = tuple(replace(c, hidden=True) for c in question.hidden_cases(rng))
        return question.public_cases + hidden

    def check(self) -> None:
        """Raise AssignmentError when the declaration contradicts itself."""
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise AssignmentError(self.name, "question ids must be unique")
        unsupported = sorted(set(self.symbols.functions) - SUPPORTED_FUNCTIONS)
        if unsupported:
            raise AssignmentError(self.name, f"Symbols.functions: {', '.join(unsupported)} cannot be read by the "
                                             f"judge; supported: {', '.join(sorted(SUPPORTED_FUNCTIONS))}")
        if not self.symbols.size_values or min(self.symbols.size_values) < 1:
            raise AssignmentError(self.name, "Symbols.size_values must be positive whole numbers")
        if (self.symbols.index or self.symbols.indexed) and not (self.symbols.size and self.symbols.index):
            raise AssignmentError(self.name, "Symbols: data (indexed) and a summation index need a size "
                                             "and an index, or declare none of the three")
        for q in self.auto_questions:
            names = [m.id for m in q.misconceptions]
            if len(set(names)) != len(names):
                raise AssignmentError(self.name, f"{q.id}: misconception ids must be unique")
            if isinstance(q, FunctionQuestion):
                _check_function_question(self.name, q)
            if not isinstance(q, ChoiceQuestion):
                known = FUNCTION_DIAGNOSES if isinstance(q, FunctionQuestion) else SYMBOLIC_DIAGNOSES
                unknown = sorted(set(q.hints) - known)
                if unknown:
                    raise AssignmentError(self.name, f"{q.id}: hints for unknown diagnoses {unknown}; "
                                                     f"known: {', '.join(sorted(known))}")
            earlier = ids[:ids.index(q.id)]
            for used in () if isinstance(q, ChoiceQuestion) else q.uses:
                if used not in earlier:
                    raise AssignmentError(self.name, f"{q.id}: uses={used!r} must name a question listed "
                                                     f"before {q.id} in ASSIGNMENT.questions")


def _check_function_question(name: str, q: FunctionQuestion) -> None:
    unknown = set(q.immutable) - set(q.params)
    if unknown:
        raise AssignmentError(name, f"{q.id}: immutable names {sorted(unknown)} are not parameters")
    for case in q.public_cases:
        if len(case.args) != len(q.params) or case.hidden:
            raise AssignmentError(name, f"{q.id}: public case {case.id} does not match the parameters")


@dataclass(frozen=True)
class CaseSet:
    """The inputs every run of one assignment is probed with (public, then hidden)."""

    by_question: Mapping[str, tuple[Case, ...]]

    @classmethod
    def build(cls, assignment: Assignment, seed: int | None) -> CaseSet:
        return cls({q.id: assignment.cases(q, seed) for q in assignment.auto_questions
                    if isinstance(q, FunctionQuestion)})


def variant_key(question_id: str, misconception_id: str) -> str:
    """The variant id under which a misconception's observations come back from the sandbox."""
    return f"{question_id}:{misconception_id}"
