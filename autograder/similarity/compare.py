"""Compare a class's submissions: every pair scored, placed against the class, ranked and flagged.

A pair's score is the share of the smaller submission's fingerprints the other also has,
|A ∩ B| / min(|A|, |B|), each fingerprint weighted by its rarity in the class (``index``: what
many students wrote counts little, what two alone wrote counts much), where a submission counts as
at least ``FLOOR_SHARE`` of the class's median weight (and at least ``FLOOR``): one that holds
little of its own (a nearly blank notebook, or one whose code is mostly what the whole class
wrote) cannot score high on the little it holds. Each question is scored on its own cells by
count, with its own floor. Ranks go by score, then longest shared fragment, then student ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from autograder.notebook import SubmissionFile
from autograder.similarity.answers import ADDED, Document, read_document
from autograder.similarity.cohort import (
    DEFAULT_THRESHOLDS,
    FRAGMENT,
    MISTAKES,
    OVERLAP,
    Floats,
    Thresholds,
    flags,
    percentiles,
    z_scores,
)
from autograder.similarity.index import Overlap, overlap
from autograder.similarity.mistakes import Mistakes
from autograder.similarity.winnow import Hashes, Ints
from source_lib.judge.spec import Assignment, ManualQuestion

FLOOR = 5
FLOOR_SHARE = 0.5


@dataclass(frozen=True, eq=False, kw_only=True)
class PairTable:
    """Every pair of compared documents, ranked: row r is rank r + 1. Indexes point into ``documents``."""

    first: Ints
    second: Ints
    score: Floats
    share_first: Floats   # of the first's fingerprints, the share the second has too
    share_second: Floats
    shared: Ints
    fragment: Ints        # longest shared fragment, in tokens
    z: Floats
    percentile: Floats
    fragment_z: Floats
    by_question: Floats   # (pairs, questions): NaN where either wrote nothing in that question
    flags: Ints           # bit mask of cohort.OVERLAP, FRAGMENT, MISTAKES

    def __len__(self) -> int:
        return len(self.first)


@dataclass(frozen=True, kw_only=True)
class Pair:
    """One pair as people read it."""

    rank: int
    first: str
    second: str
    score: float
    share_first: float
    share_second: float
    shared: int
    fragment: int
    z: float
    percentile: float
    questions: tuple[tuple[str, float], ...]  # comparable questions only
    mistakes: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, eq=False, kw_only=True)
class SimilarityReport:
    """The comparison of one assignment's submissions."""

    assignment: str
    questions: tuple[str, ...]        # the columns of ``pairs.by_question``: questions two or more answered
    documents: tuple[Document, ...]   # the compared submissions, by student id
    skipped: tuple[Document, ...]     # those that could not be read, each with its problem
    pairs: PairTable
    thresholds: Thresholds
    mistakes: Mistakes | None         # None without a graded batch
    template: Hashes                  # the released notebook's fingerprints, left out of every comparison
    shared_mistakes: Mapping[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    ignored: int = 0                  # fingerprints ignored as common to most of the class
    floor: float = FLOOR              # the fewest fingerprints a submission counts as (``floor``)
    seconds: float = 0.0

    def pair(self, rank: int) -> Pair:
        """The pair ranked ``rank`` (from 1)."""
        t, row = self.pairs, rank - 1
        i, j = int(t.first[row]), int(t.second[row])
        scores = tuple((q, float(t.by_question[row, c])) for c, q in enumerate(self.questions)
                       if not np.isnan(t.by_question[row, c]))
        mistakes = self.shared_mistakes.get((i, j), ())
        return Pair(rank=rank, first=self.documents[i].student, second=self.documents[j].student,
                    score=float(t.score[row]), share_first=float(t.share_first[row]),
                    share_second=float(t.share_second[row]), shared=int(t.shared[row]),
                    fragment=int(t.fragment[row]), z=float(t.z[row]), percentile=float(t.percentile[row]),
                    questions=scores, mistakes=mistakes, reasons=_reasons(t, row, mistakes))

    def flagged(self) -> tuple[Pair, ...]:
        """The flagged pairs, by rank."""
        return tuple(self.pair(int(r) + 1) for r in np.flatnonzero(self.pairs.flags))

    def top(self, count: int) -> tuple[Pair, ...]:
        """The ``count`` highest-ranked pairs."""
        return tuple(self.pair(r) for r in range(1, min(count, len(self.pairs)) + 1))


    def summary(self, shown: int = 5) -> list[str]:
        """A few lines for the terminal: the counts and the highest-ranked pairs."""
        flagged = int(np.count_nonzero(self.pairs.flags))
        lines = [f"{self.assignment}: {len(self.documents)} submission(s) compared, {len(self.pairs)} pair(s), "
                 f"{flagged} flagged, in {self.seconds:.2f} s"]
        lines += [f"not compared: {d.student}: {d.problem}" for d in self.skipped]
        top = self.top(shown)
        if top:
            width = max(len("A"), *(len(p.first) for p in top))
            lines.append(f"{'rank':>4}  {'score':>5}  {'fragment':>8}  {'z':>5}  {'A':<{width}}  B")
            lines += [f"{p.rank:>4}  {p.score:>5.2f}  {p.fragment:>8}  {p.z:>5.1f}  {p.first:<{width}}  {p.second}"
                      + ("  (flagged)" if p.reasons else "") for p in top]
        return lines


def _reasons(t: PairTable, row: int, mistakes: tuple[str, ...]) -> tuple[str, ...]:
    mask, reasons = int(t.flags[row]), []
    if mask & OVERLAP:
        reasons.append(f"shares {t.score[row]:.0%} of the smaller submission (z {t.z[row]:.1f})")
    if mask & FRAGMENT:
        reasons.append(f"a shared fragment of {t.fragment[row]} tokens (z {t.fragment_z[row]:.1f})")
    if mask & MISTAKES:
        reasons.append(f"both made the rare mistake{'s' if len(mistakes) > 1 else ''} {', '.join(mistakes)}")
    return tuple(reasons)


def compare(assignment: Assignment, files: Sequence[SubmissionFile], template: Hashes,
            mistakes: Mistakes | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS,
            progress: Callable[[str], None] | None = None) -> SimilarityReport:
    """Read, fingerprint and compare ``files``; ``template`` is ``answers.read_template``'s."""
    started, say = time.perf_counter(), progress or (lambda line: None)
    asked = tuple(q.id for q in assignment.questions if not isinstance(q, ManualQuestion)) + (ADDED,)
    cells_of = {q.cell: q.id for q in assignment.questions if not isinstance(q, ManualQuestion)}
    documents = [read_document(f, cells_of, template) for f in sorted(files, key=lambda f: f.student)]
    compared = tuple(d for d in documents if d.compared)
    say(f"read {len(documents)} notebook(s) in {time.perf_counter() - started:.1f} s; comparing "
        f"{len(compared) * (len(compared) - 1) // 2} pair(s)")
    found = overlap([d.fingerprints for d in compared], [d.question_indexes(asked) for d in compared], len(asked))
    columns = [c for c in range(len(asked)) if np.count_nonzero(found.question_size[:, c]) >= 2]
    shared_mistakes = _shared_mistakes(mistakes, compared)
    least = float(floor(found.weight.reshape(-1, 1))[0])
    table = _ranked(found, columns, _mistaken(shared_mistakes, len(compared)), thresholds, least)
    return SimilarityReport(assignment=assignment.name, questions=tuple(asked[c] for c in columns),
                            documents=compared, skipped=tuple(d for d in documents if not d.compared),
                            pairs=table, thresholds=thresholds, mistakes=mistakes, template=template,
                            shared_mistakes=shared_mistakes, ignored=found.ignored,
                            floor=least,
                            seconds=time.perf_counter() - started)


def floor(sizes: Ints | Floats) -> Floats:
    """Per column of ``sizes`` (documents, columns): the fewest fingerprints a document counts as."""
    medians = [float(np.median(column[column > 0])) if np.any(column > 0) else 0.0 for column in sizes.T]
    return np.maximum(FLOOR, FLOOR_SHARE * np.array(medians, np.float64))


def _ratio(shared: Ints | Floats, a: Ints | Floats, b: Ints | Floats, least: Floats) -> Floats:
    """|A ∩ B| / min(|A|, |B|), each side counted as at least ``least``."""
    return np.asarray(shared / np.maximum(np.minimum(a, b), least), np.float64)


def _ranked(found: Overlap, columns: Sequence[int], mistaken: Ints, thresholds: Thresholds,
            least: float) -> PairTable:
    """The pairs ranked and flagged; ``least`` is the weight a submission counts as at least (``floor``)."""
    a, b = found.weight[found.first], found.weight[found.second]
    score = _ratio(found.shared_weight, a, b, np.float64(least))
    z, fragment_z = z_scores(score), z_scores(found.fragment.astype(np.float64))
    marks = flags(score, z, found.fragment, fragment_z, mistaken.astype(bool), thresholds)
    order = np.lexsort((found.second, found.first, -found.fragment, -score))
    first, second = found.first[order], found.second[order]
    return PairTable(first=first, second=second, score=score[order],
                     share_first=(found.shared_weight / np.maximum(a, 1e-9))[order],
                     share_second=(found.shared_weight / np.maximum(b, 1e-9))[order], shared=found.shared[order],
                     fragment=found.fragment[order], z=z[order], percentile=percentiles(score)[order],
                     fragment_z=fragment_z[order], by_question=_by_question(found, columns, order),
                     flags=marks[order])


def _by_question(found: Overlap, columns: Sequence[int], order: Ints) -> Floats:
    """Each pair's score per question, in rank order, one column at a time (the table can be large)."""
    least = floor(found.question_size[:, columns])
    table = np.full((len(order), len(columns)), np.nan, np.float64)
    first, second = found.first[order], found.second[order]
    for k, c in enumerate(columns):
        qa, qb = found.question_size[first, c], found.question_size[second, c]
        both = np.flatnonzero((qa > 0) & (qb > 0))
        table[both, k] = _ratio(found.by_question[order[both], c], qa[both], qb[both], least[k])
    return table


def _shared_mistakes(mistakes: Mistakes | None, compared: Sequence[Document]) -> dict[tuple[int, int], tuple[str, ...]]:
    """The rare mistakes each pair of compared documents shares (pairs sharing none are absent)."""
    if mistakes is None:
        return {}
    where = {d.student: k for k, d in enumerate(compared)}
    found: dict[tuple[int, int], list[str]] = {}
    for mistake, students in mistakes.rare_holders().items():
        indexes = sorted(where[s] for s in students if s in where)
        for x, i in enumerate(indexes):
            for j in indexes[x + 1:]:
                found.setdefault((i, j), []).append(mistake)
    return {pair: tuple(sorted(made)) for pair, made in sorted(found.items())}


def _mistaken(shared: Mapping[tuple[int, int], tuple[str, ...]], n: int) -> Ints:
    """1 for each pair row (row-major i < j, as ``index.overlap`` lays them) sharing a rare mistake."""
    marks = np.zeros(n * (n - 1) // 2, np.int64)
    for i, j in shared:
        marks[i * n - i * (i + 1) // 2 + (j - i - 1)] = 1
    return marks
