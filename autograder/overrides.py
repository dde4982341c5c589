"""Scores set by hand: manual grades and regrades that win over the automatic ones, every run.

``overrides.csv`` has the columns ``student,question,score,reason``. It is read on every grading
run (``grade --overrides``), so a regrade survives re-grading. An overridden question counts
with its new score, manual questions included, and every report shows the instructor's reason.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.errors import ConfigError
from source_lib.judge.results import Outcome, QuestionResult, SubmissionResult
from source_lib.judge.spec import Assignment

COLUMNS = ("student", "question", "score", "reason")


@dataclass(frozen=True)
class Override:
    student: str
    question: str
    score: float
    reason: str


Overrides = Mapping[tuple[str, str], Override]


def read_overrides(path: Path, assignment: Assignment) -> dict[tuple[str, str], Override]:
    """The file's overrides by (student, question); an unknown question or a score out of range is an error."""
    points = {q.id: q.points for q in assignment.questions}
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
    except OSError as exc:
        raise ConfigError(f"--overrides {path}: {exc.strerror or exc}") from None
    if rows and not set(COLUMNS[:3]) <= set(rows[0]):
        raise ConfigError(f"--overrides {path}: needs the columns {','.join(COLUMNS)}")
    found: dict[tuple[str, str], Override] = {}
    for line, row in enumerate(rows, start=2):
        where = f"--overrides {path}, line {line}"
        student, question = (row.get("student") or "").strip(), (row.get("question") or "").strip()
        if question not in points:
            raise ConfigError(f"{where}: {assignment.name} has no question {question!r}")
        try:
            score = float(row.get("score") or "")
        except ValueError:
            raise ConfigError(f"{where}: the score {row.get('score')!r} is not a number") from None
        if not math.isfinite(score) or not 0 <= score <= points[question]:
            raise ConfigError(f"{where}: the score {score:g} is outside 0 to {points[question]:g} for {question}")
        if not student or (student, question) in found:
            raise ConfigError(f"{where}: " + ("no student id" if not student else "the same student and question "
                                              "appear twice"))
        found[(student, question)] = Override(student, question, score, (row.get("reason") or "").strip())
    return found


def apply_overrides(result: SubmissionResult, overrides: Overrides) -> SubmissionResult:
    """``result`` with each of its student's overridden questions scored by hand."""
    questions = tuple(_overridden(q, overrides.get((result.student, q.question_id))) for q in result.questions)
    return result if questions == result.questions else replace(result, questions=questions)


def _overridden(question: QuestionResult, override: Override | None) -> QuestionResult:
    if override is None:
        return question
    full = override.score >= question.max_score - 1e-9
    outcome = Outcome.PASSED if full else Outcome.PARTIAL if override.score > 0 else Outcome.FAILED
    return replace(question, score=override.score, outcome=outcome, manual=False,
                   override=override.reason or "score set by your instructor")


def unused(overrides: Overrides, students: set[str]) -> list[str]:
    """Overrides for students this batch did not grade (a typo, or another batch's student)."""
    return sorted(f"{o.student}/{o.question}" for o in overrides.values() if o.student not in students)
