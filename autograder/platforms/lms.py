"""Batches' grades as a file an LMS gradebook imports: Canvas, Moodle, or a plain CSV.

Each batch folder (``grade --out``) holds ``batch.json``: its assignment and each student's
automatic score. A roster maps the kit's student ids to the LMS's people:

    student,name,lms_id,sis_user_id,sis_login_id,section,email

(``student`` is required, the rest as the LMS needs). One column per assignment; a rostered
student without a submission gets an empty cell (the LMS leaves the grade as it is), and a
graded student missing from the roster is left out and named, never guessed.
Manually graded questions are not in these scores: they are added in the LMS or the nbgrader
gradebook.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import ConfigError
from autograder.report._text import num
from autograder.report.gradebook import defuse

FORMATS = ("canvas", "moodle", "csv")
ROSTER_COLUMNS = ("student", "name", "lms_id", "sis_user_id", "sis_login_id", "section", "email")


@dataclass(frozen=True)
class Person:
    """One roster row."""

    student: str
    name: str = ""
    lms_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""


@dataclass(frozen=True)
class Batch:
    """One graded assignment: its automatic maximum and each student's score."""

    assignment: str
    max_score: float
    scores: Mapping[str, float]


@dataclass(frozen=True)
class Export:
    text: str
    left_out: tuple[str, ...] = field(default=())   # graded students not in the roster


def read_roster(path: Path) -> list[Person]:
    """The roster's people, in its order; a missing ``student`` column or a repeated id is an error."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
    except OSError as exc:
        raise ConfigError(f"--roster {path}: {exc.strerror or exc}") from None
    if not rows or "student" not in rows[0]:
        raise ConfigError(f"--roster {path}: needs a header with a 'student' column "
                          f"(and any of {', '.join(ROSTER_COLUMNS[1:])})")
    people, seen = [], set()
    for number, row in enumerate(rows, start=2):
        student = (row.get("student") or "").strip()
        if not student:
            raise ConfigError(f"--roster {path}, line {number}: no student id")
        if student in seen:
            raise ConfigError(f"--roster {path}, line {number}: student {student!r} is listed twice")
        seen.add(student)
        people.append(Person(**{key: (row.get(key) or "").strip() for key in ROSTER_COLUMNS}))
    return people


def read_batch(folder: Path) -> Batch:
    """The assignment and scores of one ``grade --out`` folder."""
    try:
        data = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
        students = data["students"]
        max_score = max((float(s["max_score"]) for s in students), default=0.0)
        return Batch(str(data["assignment"]), max_score, {str(s["student"]): float(s["score"]) for s in students})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{folder}: not the output of autograder grade (batch.json: {exc})") from None


def export(batches: Sequence[Batch], people: Sequence[Person], fmt: str) -> Export:
    """The import file for ``fmt``, one row per rostered person, one column per batch."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}")
    names = [b.assignment for b in batches]
    if len(set(names)) != len(names):
        raise ConfigError(f"one batch per assignment, please: {', '.join(names)}")
    rostered = {p.student for p in people}
    left_out = tuple(sorted({s for b in batches for s in b.scores} - rostered))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    head, points, row = _LAYOUTS[fmt]
    writer.writerow([*head, *names])
    if points:
        writer.writerow(["Points Possible", *[""] * (len(head) - 1), *(num(b.max_score, 6) for b in batches)])
    for person in people:
        cells = [defuse(getattr(person, key)) for key in row]
        writer.writerow([*cells, *(_score(b, person.student) for b in batches)])
    return Export(buffer.getvalue(), left_out)


def _score(batch: Batch, student: str) -> str:
    return num(batch.scores[student], 6) if student in batch.scores else ""


# header, whether a "Points Possible" row follows it, and the roster fields of each row
_LAYOUTS: dict[str, tuple[tuple[str, ...], bool, tuple[str, ...]]] = {
    # Canvas's gradebook import: these five columns, then one per assignment
    "canvas": (("Student", "ID", "SIS User ID", "SIS Login ID", "Section"), True,
               ("name", "lms_id", "sis_user_id", "sis_login_id", "section")),
    # Moodle's grade import maps a column to its users: the email address is the usual choice
    "moodle": (("Email address", "ID number", "Full name"), False, ("email", "sis_user_id", "name")),
    "csv": (("student", "name", "section"), False, ("student", "name", "section")),
}
