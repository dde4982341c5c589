"""Plain, immutable result values: what the judge decided, ready for the reports.

Data flows one way: notebook -> extracted answers -> these results -> reports.
Nothing here runs student code or decides a score; it only holds decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Outcome(str, Enum):
    """How one question ended. Anything but PASSED earns less than full marks."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    MISSING = "missing"          # the name was never defined
    ERROR = "error"              # the student's code raised
    TIMEOUT = "timeout"          # the run ended before this question was probed
    MANUAL = "manual"            # graded by a person, not here


class Status(str, Enum):
    """How a whole submission ended."""

    GRADED = "graded"            # the notebook ran to the end and every question was judged
    TIMEOUT = "timeout"          # the time limit cut the run; earlier answers still count
    CRASHED = "crashed"          # the process ended early (os._exit, a signal, memory)
    UNGRADABLE = "ungradable"    # not a readable notebook
    GRADER_ERROR = "grader_error"  # the grader failed; the submission is not at fault


@dataclass(frozen=True)
class CaseResult:
    """One check of one question (a test case, or one symbolic comparison)."""

    case_id: str
    passed: bool
    hidden: bool
    message: str = ""
    misconception: str | None = None
    credit: float = 0.0          # fraction of this case's share earned (1.0 when passed)


@dataclass(frozen=True)
class QuestionResult:
    """The judged answer to one question."""

    question_id: str
    title: str
    score: float
    max_score: float
    outcome: Outcome
    feedback: str
    cases: tuple[CaseResult, ...] = ()
    misconceptions: tuple[str, ...] = ()
    manual: bool = False
    answer_text: str = ""        # shown for manually graded answers only
    fix_first: tuple[str, ...] = ()  # earlier questions it builds on that fail: the real culprits
    override: str | None = None  # the instructor's reason when the score was set by hand (overrides.csv)


@dataclass(frozen=True)
class CellError:
    """A cell of the notebook that raised while it ran.

    Jupyter shows no cell numbers, so a student finds the cell by ``question``: the
    question whose answer cell it is (``offset`` 0) or the nearest one above it (the
    ``offset``-th code cell below it); with no question above, ``question`` is None and
    ``offset`` counts code cells from the top of the notebook.
    """

    cell: int
    error_type: str
    message: str
    line: int | None = None
    question: str | None = None
    offset: int = 0


SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Lateness:
    """When a submission came in against its due date, and what the late policy took off."""

    submitted_at: str       # ISO 8601 in UTC; "" when the submission's time is unknown
    due: str                # ISO 8601 in UTC
    late_seconds: float     # 0.0 when on time (or the time is unknown)
    penalty: float          # points taken off the automatic score
    policy: str             # as the instructor wrote it: "none", "zero", "percent-per-day:10", "late-days:2"


@dataclass(frozen=True)
class SubmissionResult:
    """Everything decided about one submission."""

    student: str
    source: str
    sha256: str
    status: Status
    reason: str
    questions: tuple[QuestionResult, ...]
    grader_version: str
    isolation: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    compute_seconds: float = 0.0
    output: str = ""
    cell_errors: tuple[CellError, ...] = ()
    warnings: tuple[str, ...] = ()
    lateness: Lateness | None = None

    @property
    def raw_score(self) -> float:
        """The automatic score before any late penalty."""
        return round(sum(q.score for q in self.questions if not q.manual), 6)

    @property
    def score(self) -> float:
        """The automatic score, less the late penalty (never below 0)."""
        penalty = self.lateness.penalty if self.lateness else 0.0
        return round(max(0.0, self.raw_score - penalty), 6)

    @property
    def max_score(self) -> float:
        return round(sum(q.max_score for q in self.questions if not q.manual), 6)


@dataclass(frozen=True)
class BatchOrigin:
    """What produced a batch's results, so that shards of one batch can be told from strangers.

    ``shard`` is ``"I/N"`` for a shard (then ``students_seen`` lists every student of the whole
    batch, so a merge can name the missing ones) and None for a whole batch.
    """

    grader_version: str
    assignment_digest: str
    seed: int
    shard: str | None = None
    students_seen: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"grader_version": self.grader_version,
                                "assignment_digest": self.assignment_digest, "seed": self.seed}
        if self.shard is not None:
            data.update(shard=self.shard, students_seen=list(self.students_seen))
        return data
