"""Rare catalogued mistakes two students share: evidence no text comparison can see.

The mistakes come from a graded batch (the ``--out`` folder of ``autograder grade``): each
student's ``record.json`` names the catalogued misconceptions the judge recognised in each
question. A mistake is *rare* when at most ``RARE_MAX`` students made it, or at most ``RARE_SHARE``
of the graded students when that is more: two students who both make the same uncommon mistake
did not often get there independently. Only misconceptions the assignment's declaration
catalogues count (an unknown id in a record, from an older declaration, is left out).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import ConfigError
from autograder.report.record import RECORD, read_record
from source_lib.judge.spec import Assignment

RARE_SHARE = 0.05
RARE_MAX = 2


@dataclass(frozen=True)
class Mistakes:
    """Each graded student's catalogued mistakes (``"question: misconception"``), and how many made each."""

    by_student: Mapping[str, frozenset[str]]
    holders: Mapping[str, int]
    graded: int
    problems: tuple[str, ...] = ()  # records that could not be read

    @property
    def limit(self) -> int:
        """A mistake is rare when at most this many students made it."""
        return max(RARE_MAX, math.floor(RARE_SHARE * self.graded))

    def shared(self, a: str, b: str) -> tuple[str, ...]:
        """The rare mistakes both students made, sorted."""
        both = self.by_student.get(a, frozenset()) & self.by_student.get(b, frozenset())
        return tuple(sorted(m for m in both if self.holders[m] <= self.limit))

    def rare_holders(self) -> dict[str, tuple[str, ...]]:
        """Each rare mistake made by two students or more, with who made it."""
        found: dict[str, list[str]] = {}
        for student, held in sorted(self.by_student.items()):
            for mistake in held:
                if 2 <= self.holders[mistake] <= self.limit:
                    found.setdefault(mistake, []).append(student)
        return {mistake: tuple(students) for mistake, students in sorted(found.items())}


def read_mistakes(folder: Path, assignment: Assignment) -> Mistakes:
    """The mistakes recorded in the graded batch at ``folder``; ConfigError when it is not one."""
    students = folder / "students"
    if not students.is_dir():
        raise ConfigError(f"--batch {folder}: no students/ folder there; pass the --out folder of "
                          f"`autograder grade {assignment.name} ...`")
    _check_assignment(folder, assignment.name)
    catalogue = {f"{q.id}: {m.id}" for q in assignment.auto_questions for m in q.misconceptions}
    by_student: dict[str, frozenset[str]] = {}
    problems = []
    for path in sorted(students.glob(f"*/{RECORD}")):
        try:
            result = read_record(path)
        except ValueError as exc:
            problems.append(f"{path.parent.name}: {exc}")
            continue
        made = {f"{q.question_id}: {m}" for q in result.questions for m in q.misconceptions}
        by_student[result.student] = frozenset(made & catalogue)
    if not by_student:
        raise ConfigError(f"--batch {folder}: no student records (students/*/{RECORD}) there")
    holders = Counter(m for held in by_student.values() for m in held)
    return Mistakes(by_student, dict(holders), len(by_student), tuple(problems))


def _check_assignment(folder: Path, name: str) -> None:
    try:
        graded = json.loads((folder / "batch.json").read_text(encoding="utf-8")).get("assignment")
    except (OSError, ValueError, AttributeError):
        return  # an older or partial batch: the records still say what they say
    if isinstance(graded, str) and graded != name:
        raise ConfigError(f"--batch {folder} holds a batch of {graded}, not {name}")
