"""What a class got right and wrong: one batch's results folded into frozen statistics in one pass.

Only submissions that were graded to the end (status ``graded``) count in the numbers; the rest
(ungradable, timeout, crashed, grader_error) are counted and named, since their scores say more
about the run than about what the student knew. Scores are the automatic points before any late
penalty. Manual questions are counted but get no shares and no item statistics.

Item analysis, per auto-graded question: *difficulty* is the mean fraction of its points earned
(higher is easier); *discrimination* is the Pearson correlation of the question's score with the
rest of the score (total minus that question), over the graded students. A question whose
discrimination is below ``LOW_DISCRIMINATION``, or undefined (fewer than 2 students, or no
variance in the question or in the rest), is flagged.

``class_stats`` reads each result once and keeps only numbers and ids: a batch of 50,000 needs a
few MB (one float per student and auto-graded question), never the results themselves.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from autograder.report._text import clean, one_line, single_line
from autograder.report.question_text import question_passed
from source_lib.judge.results import QuestionResult, Status, SubmissionResult

LOW_DISCRIMINATION = 0.2
TINY_COHORT = 10         # below this many graded students, item statistics say little (r's error ~0.4)
SCORED = Status.GRADED
_MAX_INTEGER_BINS = 30   # up to this many points, one histogram bar per point
_BINS = 20


@dataclass(frozen=True)
class QuestionInfo:
    """A question as the batch declares it (``batch.json``), for batches where no result names it."""

    id: str
    points: float
    manual: bool
    title: str = ""


@dataclass(frozen=True)
class Unscored:
    """A submission left out of the statistics, and why."""

    student: str
    status: Status
    reason: str


@dataclass(frozen=True, kw_only=True)
class Summary:
    """The automatic scores of the graded students (None where there are too few of them)."""

    n: int
    max_score: float
    mean: float | None
    median: float | None
    sd: float | None          # sample standard deviation (n - 1); None below 2 students
    min: float | None
    max: float | None


@dataclass(frozen=True)
class Histogram:
    """Counts of scores in ``[edges[i], edges[i + 1])``; the last bar includes its right edge."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class QuestionStats:
    """One question over the graded students; a manual one has only its id, title and points."""

    id: str
    title: str
    points: float
    manual: bool
    n: int
    full: int = 0
    partial: int = 0
    zero: int = 0
    unexplained: int = 0      # lost points without any catalogued mistake named
    mean_score: float | None = None
    difficulty: float | None = None
    discrimination: float | None = None
    undefined_because: str = ""   # why discrimination is None (empty when it is a number or manual)

    @property
    def verdict(self) -> str:
        """``ok``, ``low`` (below ``LOW_DISCRIMINATION``) or ``undefined``; empty for a manual question."""
        if self.manual:
            return ""
        if self.discrimination is None:
            return "undefined"
        return "low" if self.discrimination < LOW_DISCRIMINATION else "ok"

    def share(self, count: int) -> float | None:
        return count / self.n if self.n else None


@dataclass(frozen=True, kw_only=True)
class MisconceptionStats:
    """A catalogued mistake the judge named, how often, with the feedback the students got."""

    question: str
    misconception: str
    count: int
    share: float              # of the graded students
    feedback: str
    students: tuple[str, ...]  # sorted


@dataclass(frozen=True, kw_only=True)
class ClassStats:
    """One batch as the class report shows it; every number over the graded submissions only."""

    assignment: str
    submissions: int
    status_counts: tuple[tuple[Status, int], ...]   # every status, in the enum's order
    unscored: tuple[Unscored, ...]                  # sorted by status, then student
    summary: Summary
    histogram: Histogram
    questions: tuple[QuestionStats, ...]
    misconceptions: tuple[MisconceptionStats, ...]  # most frequent first
    late_penalised: int                             # graded students who lost points for lateness

    @property
    def graded(self) -> int:
        return self.summary.n

    @property
    def tiny(self) -> bool:
        """Too few graded students for item statistics to mean much."""
        return self.graded < TINY_COHORT


def class_stats(assignment: str, results: Iterable[SubmissionResult],
                questions: Sequence[QuestionInfo] = ()) -> ClassStats:
    """Fold ``results`` (read once, in order) into the class's statistics.

    ``questions`` (from ``batch.json``) fixes the order and lets a batch without results list them;
    questions only the results name are added after them.
    """
    tally = _Tally(questions)
    for result in results:
        tally.add(result)
    return tally.freeze(assignment)


class _Tally:
    """The running counts of one pass; private and mutable, frozen into ``ClassStats`` at the end."""

    def __init__(self, questions: Sequence[QuestionInfo]) -> None:
        self.info: dict[str, QuestionInfo] = {}
        self.columns: dict[str, array[float]] = {}   # auto question -> its score per graded student
        self.counts: dict[str, Counter[str]] = {}    # question -> full / partial / zero / unexplained
        self.totals: array[float] = array("d")
        self.statuses: Counter[Status] = Counter()
        self.unscored: list[Unscored] = []
        self.named: dict[tuple[str, str], list[str]] = {}        # (question, misconception) -> students
        self.texts: dict[tuple[str, str], Counter[str]] = {}     # -> feedback texts seen
        self.late = 0
        for info in questions:
            self._know(info)

    def _know(self, info: QuestionInfo) -> None:
        known = self.info.get(info.id)
        if known is not None:
            if info.title and not known.title:  # batch.json has no titles; the first result that does
                self.info[info.id] = QuestionInfo(known.id, known.points, known.manual, info.title)
            return
        self.info[info.id] = info
        self.counts[info.id] = Counter()
        if not info.manual:  # a question first seen late scored 0 for everyone graded before it
            self.columns[info.id] = array("d", bytes(8 * len(self.totals)))
            self.counts[info.id].update(zero=len(self.totals), unexplained=len(self.totals))

    def add(self, result: SubmissionResult) -> None:
        self.statuses[result.status] += 1
        for question in result.questions:
            self._know(QuestionInfo(question.question_id, question.max_score, question.manual, question.title))
        if result.status is not SCORED:
            self.unscored.append(Unscored(single_line(result.student), result.status, one_line(result.reason)))
            return
        student = single_line(result.student)
        by_id = {q.question_id: q for q in result.questions}
        for qid, column in self.columns.items():
            found = by_id.get(qid)
            if found is None or found.manual:  # a result without it (another version of the batch): 0
                column.append(0.0)
                self.counts[qid].update(zero=1, unexplained=1)
            else:
                column.append(found.score)
                self._count(found, student)
        self.totals.append(result.raw_score)
        self.late += bool(result.lateness and result.lateness.penalty > 0)

    def _count(self, question: QuestionResult, student: str) -> None:
        counts = self.counts[question.question_id]
        full = question_passed(question)
        counts["full" if full else "partial" if question.score > 0 else "zero"] += 1
        if not full and not question.misconceptions:
            counts["unexplained"] += 1
        for name in dict.fromkeys(question.misconceptions):
            key = (question.question_id, name)
            self.named.setdefault(key, []).append(student)
            self.texts.setdefault(key, Counter())[_feedback_for(question, name)] += 1

    def freeze(self, assignment: str) -> ClassStats:
        totals = np.frombuffer(self.totals, dtype=np.float64) if self.totals else np.zeros(0)
        scores = {qid: np.frombuffer(c, dtype=np.float64) if c else np.zeros(0) for qid, c in self.columns.items()}
        max_score = round(sum(i.points for i in self.info.values() if not i.manual), 6)
        graded = len(totals)
        return ClassStats(
            assignment=assignment, submissions=sum(self.statuses.values()),
            status_counts=tuple((s, self.statuses[s]) for s in Status),
            unscored=tuple(sorted(self.unscored, key=lambda u: (list(Status).index(u.status), u.student))),
            summary=_summary(totals, max_score), histogram=histogram(totals, max_score),
            questions=tuple(self._question(i, scores, totals) for i in self.info.values()),
            misconceptions=self._misconceptions(graded), late_penalised=self.late)

    def _question(self, info: QuestionInfo, scores: dict[str, np.ndarray], totals: np.ndarray) -> QuestionStats:
        title = one_line(info.title) or one_line(info.id)
        if info.manual:
            return QuestionStats(id=one_line(info.id), title=title, points=info.points, manual=True, n=len(totals))
        counts, item = self.counts[info.id], scores[info.id]
        mean = float(item.mean()) if len(item) else None
        r, why = discrimination(item, totals - item)
        return QuestionStats(
            id=one_line(info.id), title=title, points=info.points, manual=False, n=len(item),
            full=counts["full"], partial=counts["partial"], zero=counts["zero"], unexplained=counts["unexplained"],
            mean_score=mean, difficulty=mean / info.points if mean is not None and info.points > 0 else None,
            discrimination=r, undefined_because=why)

    def _misconceptions(self, graded: int) -> tuple[MisconceptionStats, ...]:
        order = {qid: k for k, qid in enumerate(self.info)}
        ranked = sorted(self.named.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0][0], 0), kv[0][1]))
        return tuple(
            MisconceptionStats(question=one_line(qid), misconception=one_line(name), count=len(students),
                               share=len(students) / graded if graded else 0.0,
                               feedback=_most_common(self.texts[(qid, name)]), students=tuple(sorted(students)))
            for (qid, name), students in ranked)


def _feedback_for(question: QuestionResult, name: str) -> str:
    """The text the student got for mistake ``name``: the message of a case that named it.

    The judge puts the misconception's feedback into each case it matched; a result without such a
    case (built elsewhere) falls back to the question's "Likely mistake:" line, else its feedback.
    """
    for case in question.cases:
        if case.misconception == name and case.message.strip():
            return clean(case.message).strip()
    lines = [line.strip() for line in clean(question.feedback).splitlines()]
    likely = [line.removeprefix("Likely mistake:").strip() for line in lines if line.startswith("Likely mistake:")]
    return likely[0] if len(likely) == 1 else clean(question.feedback).strip()


def _most_common(texts: Counter[str]) -> str:
    """The text most students got (the alphabetically first of a tie: the same page every time)."""
    return min(texts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if texts else ""


def _summary(totals: np.ndarray, max_score: float) -> Summary:
    n = len(totals)
    if not n:
        return Summary(n=0, max_score=max_score, mean=None, median=None, sd=None, min=None, max=None)
    return Summary(n=n, max_score=max_score, mean=float(totals.mean()), median=float(np.median(totals)),
                   sd=float(totals.std(ddof=1)) if n > 1 else None, min=float(totals.min()), max=float(totals.max()))


def histogram(totals: np.ndarray, max_score: float) -> Histogram:
    """One bar per point up to 30 points (a bar per 5 % of the maximum above), from 0 to the maximum."""
    if max_score <= 0:
        return Histogram((), ())
    whole = float(max_score).is_integer() and max_score <= _MAX_INTEGER_BINS
    edges = np.arange(max_score + 1) if whole else np.linspace(0.0, max_score, _BINS + 1)
    # a score a rounding error above the maximum still lands in the last bar
    counts, _ = np.histogram(np.clip(totals, 0.0, max_score), bins=edges)
    return Histogram(tuple(round(float(e), 6) for e in edges), tuple(int(c) for c in counts))


def discrimination(item: np.ndarray, rest: np.ndarray) -> tuple[float | None, str]:
    """Pearson's r of ``item`` with ``rest``, or None and why it is undefined."""
    if len(item) < 2:
        return None, "fewer than 2 graded students"
    if _constant(item):
        return None, "no variance: every graded student scored the same on it"
    if _constant(rest):
        return None, "no variance in the rest of the score"
    x, y = item - item.mean(), rest - rest.mean()
    r = float(x @ y / math.sqrt(float(x @ x) * float(y @ y)))
    return max(-1.0, min(1.0, r)), ""


def _constant(values: np.ndarray) -> bool:
    """All equal, allowing for the rounding of sums (a rest of 2 may come out as 2.0000000000000004)."""
    return float(np.ptp(values)) <= 1e-9 * max(1.0, float(np.abs(values).max()))
