"""Judge every question of one submission from its observations."""

from __future__ import annotations

from autograder.notebook import Notebook
from source_lib.judge.answers import SymbolicVerdict, judge_choice, judge_manual, judge_symbolic
from source_lib.judge.calls import judge_function
from source_lib.judge.decode import Observations
from source_lib.judge.reference import References
from source_lib.judge.results import QuestionResult
from source_lib.judge.spec import (
    Assignment,
    CaseSet,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    SymbolicQuestion,
)


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
        done[question.id] = result
    return tuple(done.values())


def _manual(question: ManualQuestion, notebook: Notebook, release: Notebook | None) -> QuestionResult:
    answer = notebook.by_grade_id(question.cell)
    released = release.by_grade_id(question.cell) if release else None
    return judge_manual(question, answer.source if answer else "", released.source if released else "")
