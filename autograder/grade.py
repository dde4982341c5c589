"""Judge every question of one submission from its observations."""

from __future__ import annotations

from dataclasses import replace

from autograder.notebook import Notebook
from source_lib.judge.answers import SymbolicVerdict, judge_choice, judge_manual, judge_symbolic
from source_lib.judge.calls import NOT_WRITTEN, judge_function
from source_lib.judge.decode import Observations
from source_lib.judge.reference import References
from source_lib.judge.results import Outcome, QuestionResult
from source_lib.judge.spec import (
    Assignment,
    CaseSet,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    Question,
    SymbolicQuestion,
)
from source_lib.judge.summary import fix_first_note


def grade_questions(assignment: Assignment, cases: CaseSet, references: References,
                    observed: Observations, notebook: Notebook, release: Notebook | None,
                    verdict_of: SymbolicVerdict) -> tuple[QuestionResult, ...]:
    """One result per question, in the assignment's order."""
    done: dict[str, QuestionResult] = {}
    for question in assignment.questions:
        if isinstance(question, FunctionQuestion):
            calls = {c.id: observed.call(question.id, c.id) for c in cases.by_question[question.id]}
            result = judge_function(question, cases.by_question[question.id],
                                    references.function(question.id), calls, done)
        elif isinstance(question, SymbolicQuestion):
            result = judge_symbolic(question, references.value(question.id),
                                    observed.lookup(question.id), verdict_of, done)
        elif isinstance(question, ChoiceQuestion):
            result = judge_choice(question, references.value(question.id), observed.lookup(question.id))
        else:
            result = _manual(question, notebook, release)
        done[question.id] = _why_missing(result, question, notebook, observed)
    return tuple(done.values())


def _why_missing(result: QuestionResult, question: Question, notebook: Notebook,
                 observed: Observations) -> QuestionResult:
    """A missing answer whose own cell raised: the error is the reason, not a forgotten cell."""
    cell = notebook.by_grade_id(question.cell)
    error = next((e for e in observed.cell_errors if cell is not None and e.cell == cell.index), None)
    missing = result.outcome is Outcome.MISSING and not isinstance(question, ManualQuestion)
    if not missing or error is None or error.error_type == NOT_WRITTEN:
        return result
    assert not isinstance(question, ManualQuestion)
    where = f" on line {error.line}" if error.line else ""
    detail = f": {error.message}" if error.message else ""
    reason = (f"Your answer cell raised {error.error_type}{detail}{where}, so `{question.name}` was never "
              "defined: fix that error and run the cell again.")
    note = fix_first_note(question, result.fix_first)
    return replace(result, feedback="\n".join(t for t in (note, reason) if t))


def _manual(question: ManualQuestion, notebook: Notebook, release: Notebook | None) -> QuestionResult:
    answer = notebook.by_grade_id(question.cell)
    released = release.by_grade_id(question.cell) if release else None
    return judge_manual(question, answer.source if answer else "", released.source if released else "")
