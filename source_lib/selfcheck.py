"""The student's self-check: ``check("compute_gradient")`` inside the notebook.

It judges the student's current answer with the batch grader's own judge, on
the public cases shipped in ``source_lib/public/<assignment>.json`` (and, when
nbgrader's autograder restores the hidden-test blocks, on the hidden ones too).
It prints a short verdict that names the mistake; it never shows hidden inputs.

In the student's notebook a check only prints, so "Run All" reaches the end.
Under nbgrader (``NBGRADER_EXECUTION`` set by its autograde and validate) the
test cells keep nbgrader's semantics: full marks -> returns None; partial credit
with hidden data -> returns the points earned (nbgrader reads the number);
nothing earned or a failed public case -> raises ``CheckFailed``, which Jupyter
shows as a short message instead of a traceback.

A question that builds on earlier ones (its ``uses``) judges those first, so a
failure caused by an earlier answer names that answer.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from source_lib.export import recorded_warnings, seeded_global_random, to_wire
from source_lib.judge import checkdata, codec, symbolic
from source_lib.judge.answers import judge_choice, judge_symbolic, normalise_choice
from source_lib.judge.calls import judge_function
from source_lib.judge.decode import Call, ErrorInfo, Lookup
from source_lib.judge.reference import FunctionReference, ValueReference
from source_lib.judge.results import Outcome, QuestionResult
from source_lib.judge.spec import AutoQuestion, ChoiceQuestion, FunctionQuestion, SymbolicQuestion, Symbols
from source_lib.judge.summary import question_result

PUBLIC_DIR = Path(__file__).resolve().parent / "public"


class CheckFailed(AssertionError):
    """A failed self-check; Jupyter renders only its message (no traceback)."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def checker(assignment: str) -> Checker:
    """The ``check`` function for one assignment's notebook (its data loads on first use)."""
    return Checker(lambda: _public_data(assignment))


def _public_data(assignment: str) -> dict[str, Any]:
    path = PUBLIC_DIR / f"{assignment}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except OSError:
        raise CheckFailed(f"The self-check data {path.name} is missing from source_lib/public/: "
                          "ask your instructor to run `autograder release` (or reinstall the kit).") from None


def under_nbgrader() -> bool:
    """True while nbgrader's autograde or validate runs the notebook."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


class Checker:
    """Callable as ``check(question_id)``; ``all()`` summarises every question.

    ``add_hidden`` is used by nbgrader's hidden tests; ``strict`` tells whether a
    failed check raises (under nbgrader) or only prints (in the student's notebook).
    """

    def __init__(self, load: Callable[[], dict[str, Any]],
                 namespace: Callable[[], dict[str, Any]] | None = None,
                 strict: Callable[[], bool] = under_nbgrader) -> None:
        self.load = load
        self.hidden: dict[str, dict[str, Any]] = {}
        self.namespace = namespace or (lambda: vars(sys.modules["__main__"]))
        self.strict = strict
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = self.load()
        return self._data

    @property
    def symbols(self) -> Symbols:
        return checkdata.symbols_from_json(self.data["symbols"])

    def add_hidden(self, question_id: str, data: str) -> None:
        """Register hidden cases (JSON text from an nbgrader hidden-test block) for one question."""
        self.hidden[question_id] = json.loads(data)

    def __call__(self, question_id: str) -> float | None:
        entry = self.data["questions"].get(question_id)
        if entry is None:
            known = ", ".join(self.data["questions"])
            message = f"There is no question {question_id!r} in this assignment (its questions: {known})."
            if self.strict():
                raise CheckFailed(message)
            print(f"\u2718 {message}")
            return None
        result = self.result(question_id)
        print(render(result, entry, hidden=question_id in self.hidden))
        if result.outcome is Outcome.MANUAL or not self.strict():
            return None
        return self._nbgrader_outcome(question_id, result)

    def all(self) -> None:
        """Print one row per question: the whole notebook's self-check at a glance."""
        questions = self.data["questions"]
        known: dict[str, QuestionResult] = {}
        for question_id in self.data.get("order", questions):  # the notebook's order
            if question_id not in known:  # judged already when a later question builds on it
                known[question_id] = self.result(question_id, known)
        ordered = {q: known[q] for q in self.data.get("order", questions)}
        print(summary_table(ordered, any(e.get("has_hidden_cases") for e in questions.values())))

    def result(self, question_id: str, known: dict[str, QuestionResult] | None = None) -> QuestionResult:
        """The student's current answer judged, after the earlier answers it builds on."""
        known = {} if known is None else known
        entry = self.data["questions"][question_id]
        question = checkdata.question_from_json(question_id, entry)
        uses = () if isinstance(question, ChoiceQuestion) else question.uses
        for earlier in uses:
            if earlier not in known and earlier in self.data["questions"]:
                known[earlier] = self.result(earlier, known)
        return self.judge(question, entry, self.hidden.get(question_id), known)

    def judge(self, question: AutoQuestion, entry: dict[str, Any], hidden: dict[str, Any] | None,
              upstream: dict[str, QuestionResult] | None = None) -> QuestionResult:
        """The QuestionResult for the student's current answer (``upstream``: earlier results)."""
        upstream = upstream or {}
        if isinstance(question, FunctionQuestion):
            result = self._function(question, entry, hidden, upstream)
        elif isinstance(question, SymbolicQuestion):
            result = self._symbolic(question, entry, hidden, upstream)
        else:
            result = self._choice(question, hidden)
        return self._near_miss(question.name, result) if result.outcome is Outcome.MISSING else result

    def _near_miss(self, name: str, result: QuestionResult) -> QuestionResult:
        """A missing answer next to a name that looks like a typo of it: say so."""
        defined = [k for k in self.namespace() if not k.startswith("_") and k != name]
        close = difflib.get_close_matches(name, defined, n=1, cutoff=0.8)
        if not close:
            return result
        hint = f"You defined `{close[0]}`: is it a typo? The name must be exactly `{name}`."
        return replace(result, feedback=f"{result.feedback}\n{hint}")

    def _function(self, q: FunctionQuestion, entry: dict[str, Any], hidden: dict[str, Any] | None,
                  upstream: dict[str, QuestionResult]) -> QuestionResult:
        raw_cases = entry["cases"] + (hidden["cases"] if hidden else [])
        cases = tuple(checkdata.case_from_json(c) for c in raw_cases)
        reference = FunctionReference(
            {c["id"]: checkdata.call_from_json(c["expected"]) for c in raw_cases},
            {m.id: {c["id"]: checkdata.call_from_json(c["mutants"][m.id]) for c in raw_cases}
             for m in q.misconceptions})
        function = self.namespace().get(q.function)
        calls = {case.id: call_student(function, case.args) if callable(function) else Call("missing")
                 for case in cases}
        return judge_function(q, cases, reference, calls, upstream)

    def _symbolic(self, q: SymbolicQuestion, entry: dict[str, Any], hidden: dict[str, Any] | None,
                  upstream: dict[str, QuestionResult]) -> QuestionResult:
        parts = [entry] + ([hidden] if hidden else [])
        points = tuple(checkdata.point_from_json(p) for part in parts for p in part["eval_points"])
        expected = tuple(v for part in parts for v in part["expected"])
        mutants = {m.id: tuple(v for part in parts for v in part["mutants"].get(m.id, []))
                   for m in q.misconceptions}

        def verdict(question: SymbolicQuestion, source: str) -> dict[str, Any]:
            return symbolic.judge_against_fingerprints(source, expected, mutants, points, self.symbols,
                                                       question.hints)

        return judge_symbolic(q, ValueReference(codec.NoneValue(), {}), self._lookup(q.variable), verdict, upstream)

    def _choice(self, q: ChoiceQuestion, hidden: dict[str, Any] | None) -> QuestionResult:
        lookup = self._lookup(q.variable)
        if hidden is None:  # the answer is not public: only check that one option was chosen
            letter = normalise_choice(lookup.value)
            if letter in q.choices:
                return question_result(q, (), Outcome.MANUAL, f"Answer {letter} recorded; it is graded "
                                       "after you submit (nothing here tells whether it is right).")
            hidden = {"expected": None, "mutants": {}, "misconceptions": []}
        q = replace(q, misconceptions=checkdata.misconceptions_from_json(hidden["misconceptions"]))
        reference = ValueReference(codec.Text(hidden["expected"] or ""),
                                   {mid: codec.Text(v) for mid, v in hidden["mutants"].items() if v})
        return judge_choice(q, reference, lookup)

    def _lookup(self, name: str) -> Lookup:
        namespace = self.namespace()
        if name not in namespace:
            return Lookup("missing")
        return Lookup("found", codec.decode(to_wire(namespace[name])))

    def _nbgrader_outcome(self, question_id: str, result: QuestionResult) -> float | None:
        if result.score >= result.max_score:
            return None
        if question_id in self.hidden and result.score > 0:
            return result.score
        if question_id in self.hidden:
            raise CheckFailed(f"{question_id}: 0 of {result.max_score:g} points (see the messages above).")
        raise CheckFailed(f"{question_id}: not every public check passes yet (see the messages above).")


def call_student(function: Callable[..., Any], args: tuple[Any, ...]) -> Call:
    """Call the student's function on private copies of the inputs, as the sandbox does."""
    fresh = [copy.deepcopy(a) for a in args]
    try:
        with recorded_warnings() as warned, seeded_global_random():
            value = function(*fresh)
    except Exception as exc:  # the student's own error becomes feedback
        return Call("raised", None, ErrorInfo(type(exc).__name__, str(exc)[:500]))
    return Call("returned", codec.decode(to_wire(value)), None,
                tuple(codec.decode(to_wire(a)) for a in fresh), tuple(warned))


def render(result: QuestionResult, entry: dict[str, Any], hidden: bool) -> str:
    """The printed verdict: a headline, then what to fix (never hidden inputs)."""
    mark = _mark(result)
    lines = result.feedback.splitlines() or [""]
    text = [f"{mark} {result.question_id}: {lines[0]}"] + [f"  {line}" for line in lines[1:]]
    if entry.get("has_hidden_cases") and not hidden and result.outcome is not Outcome.MISSING:
        text.append("  (The autograder also runs hidden cases.)")
    return "\n".join(text)


def summary_table(results: dict[str, QuestionResult], has_hidden: bool) -> str:
    """``check_all()``'s table: a mark, the question and the first line of its verdict."""
    width = max(len(q) for q in results) if results else 0
    lines = ["Self-check of every question" + (" (public checks; the autograder also runs hidden cases):"
                                            if has_hidden else ":")]
    for question_id, result in results.items():
        wrapped = textwrap.wrap(_headline(result), 88) or [""]
        lines.append(f"  {_mark(result)} {question_id:<{width}}  {wrapped[0]}")
        lines.extend(f"    {'':<{width}}  {more}" for more in wrapped[1:])
    passing = sum(r.outcome is Outcome.PASSED for r in results.values())
    recorded = sum(r.outcome is Outcome.MANUAL for r in results.values())
    tally = f"{passing} of {len(results) - recorded} checked answers pass"
    lines.append(tally + (f"; {recorded} answer(s) recorded, graded after you submit." if recorded else "."))
    return "\n".join(lines)


def _headline(result: QuestionResult) -> str:
    """The line that says what to do: a callee to fix first, else what follows the case tally."""
    lines = result.feedback.splitlines() or [""]
    if result.outcome is Outcome.MISSING and not result.fix_first:
        return "not answered yet (or its cell stopped with an error)"
    if result.fix_first or len(result.cases) <= 1 or len(lines) == 1:
        return lines[0]
    return lines[1]


def _mark(result: QuestionResult) -> str:
    if result.outcome is Outcome.MANUAL:
        return "\u2022"  # neither a pass nor a fail: it is not checked here
    return "\u2714" if result.score >= result.max_score else "\u2718"
