"""Every pair of documents at once, through an inverted index of fingerprints.

A fingerprint found in more than ``COMMON_SHARE`` of the documents, and in at least ``COMMON_MIN``
of them, is what most of the class wrote: it is ignored (as Dolos's ``-M`` and MOSS's ``-m`` do),
so that constrained exercises do not make every pair look alike. The minimum keeps a class of two
or three from having everything they share dismissed as common. What is left is counted per pair
(shared fingerprints, overall and per question) and weighted by rarity: a fingerprint held by h of
the n documents weighs log((n + 1) / h), so sharing what many wrote says little and sharing what
only two wrote says much (a search engine's inverse document frequency). Each pair is also searched
for the longest shared fragment: the longest run of shared fingerprints that sit at the same
offset in both documents, each within ``BRIDGE`` tokens of the next (winnowing keeps one in every
``W`` k-grams of a fragment; a few ignored common ones may be missing from it).

The work is done one document at a time against all later ones, in NumPy, so that a class of a
thousand takes seconds; memory grows with the number of pairs (n(n-1)/2 rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from autograder.similarity.winnow import Fingerprints, Ints, K, W

Floats = npt.NDArray[np.float64]

COMMON_SHARE = 0.5
COMMON_MIN = 4
# A run of shared fingerprints may skip this many positions: the ones of a line the class has in
# common (ignored) in the middle of a copied function leave a gap on the same offset, not a new run.
BRIDGE = 4 * W


@dataclass(frozen=True, eq=False)
class Overlap:
    """What each pair (i < j, in row-major order) shares, and each document's own size.

    ``shared[p]`` counts distinct fingerprints, ``by_question[p, q]`` those of question ``q``,
    ``fragment[p]`` is the longest shared fragment in tokens (0 when none); ``size`` and
    ``question_size`` count each document's fingerprints that were not ignored as common;
    ``shared_weight`` and ``weight`` are ``shared`` and ``size`` with each fingerprint weighted by rarity.
    """

    first: Ints
    second: Ints
    shared: Ints
    shared_weight: Floats
    weight: Floats
    by_question: npt.NDArray[np.int32]
    fragment: Ints
    size: Ints
    question_size: Ints
    ignored: int  # distinct fingerprints ignored as common to most of the class


@dataclass(frozen=True, eq=False)
class _Occurrences:
    """Every kept fingerprint of every document, sorted by (column, document, position)."""

    column: Ints
    doc: Ints
    position: Ints
    question: Ints
    starts: Ints  # where each column's rows begin (length columns + 1)
    rarity: Floats  # each column's weight, log((n + 1) / documents holding it)


def overlap(documents: Sequence[Fingerprints], questions: Sequence[Ints], question_count: int) -> Overlap:
    """Pair statistics of ``documents``; ``questions[d]`` maps document d's cells to question indexes."""
    n = len(documents)
    occ, ignored = _occurrences(documents, questions)
    overall, per_question = _distinct(occ, by_question=False), _distinct(occ, by_question=True)
    size = np.bincount(overall.doc, minlength=n).astype(np.int64)
    weight = np.bincount(overall.doc, weights=occ.rarity[overall.column], minlength=n).astype(np.float64)
    question_size = np.bincount(per_question.doc * question_count + per_question.question,
                                minlength=n * question_count).reshape(n, question_count).astype(np.int64)
    first, second = np.triu_indices(n, k=1)
    shared = np.zeros(len(first), np.int64)
    shared_weight = np.zeros(len(first), np.float64)
    by_question = np.zeros((len(first), question_count), np.int32)  # the largest array: half a million rows
    fragment = np.zeros(len(first), np.int64)
    row_start = 0
    for i in range(n - 1):
        row = slice(row_start, row_start + n - 1 - i)
        shared[row], shared_weight[row] = _shared(overall, i, n)
        by_question[row] = _shared_by_question(per_question, i, n, question_count)
        fragment[row] = _fragments(occ, i, n)
        row_start = row.stop
    return Overlap(first.astype(np.int64), second.astype(np.int64), shared, shared_weight, weight, by_question,
                   fragment, size, question_size, ignored)


def _occurrences(documents: Sequence[Fingerprints], questions: Sequence[Ints]) -> tuple[_Occurrences, int]:
    """The index: every fingerprint not common to most documents, by column (a distinct hash)."""
    empty = np.empty(0, np.int64)
    if not sum(len(d) for d in documents):
        return _Occurrences(empty, empty, empty, empty, np.zeros(1, np.int64), np.zeros(0, np.float64)), 0
    hashes = np.concatenate([d.hashes for d in documents])
    doc = np.concatenate([np.full(len(d), k, np.int64) for k, d in enumerate(documents)])
    position = np.concatenate([d.positions for d in documents])
    question = np.concatenate([q[d.cells] if len(d) else empty for d, q in zip(documents, questions)])
    _, column = np.unique(hashes, return_inverse=True)
    column = column.astype(np.int64).ravel()
    holders = np.bincount(np.unique(column * len(documents) + doc) // len(documents))
    common = (holders > COMMON_SHARE * len(documents)) & (holders >= COMMON_MIN)
    keep = ~common[column]
    column, doc, position, question = column[keep], doc[keep], position[keep], question[keep]
    order = np.lexsort((position, doc, column))
    rarity = np.log((len(documents) + 1) / np.maximum(holders, 1))
    return (_indexed(column[order], doc[order], position[order], question[order], rarity), int(common.sum()))


def _indexed(column: Ints, doc: Ints, position: Ints, question: Ints, rarity: Floats) -> _Occurrences:
    starts = np.searchsorted(column, np.arange(len(rarity) + 1)).astype(np.int64)
    return _Occurrences(column, doc, position, question, starts, rarity)


def _distinct(occ: _Occurrences, by_question: bool) -> _Occurrences:
    """One row per (column, document), or per (column, document, question): what sets count."""
    if len(occ.column) == 0:
        return occ
    order = np.lexsort((occ.question, occ.doc, occ.column)) if by_question else np.arange(len(occ.column))
    column, doc, question = occ.column[order], occ.doc[order], occ.question[order]
    first = np.ones(len(column), bool)
    first[1:] = (column[1:] != column[:-1]) | (doc[1:] != doc[:-1])
    if by_question:
        first[1:] |= question[1:] != question[:-1]
    return _indexed(column[first], doc[first], occ.position[order][first], question[first], occ.rarity)


def _gather(occ: _Occurrences, rows: Ints) -> tuple[Ints, Ints]:
    """Every row holding the column of each of ``rows``, and which of ``rows`` it answers."""
    begin, end = occ.starts[occ.column[rows]], occ.starts[occ.column[rows] + 1]
    lengths = end - begin
    shift = np.repeat(begin - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(int(lengths.sum()), dtype=np.int64) + shift, np.repeat(rows, lengths)


def _shared(overall: _Occurrences, i: int, n: int) -> tuple[Ints, Floats]:
    """Distinct fingerprints document i shares with each later document: counted, and weighted by rarity."""
    found, _ = _gather(overall, np.flatnonzero(overall.doc == i))
    later = overall.doc[found] > i
    other, weights = overall.doc[found][later], overall.rarity[overall.column[found][later]]
    counted = np.bincount(other, minlength=n)[i + 1:].astype(np.int64)
    return counted, np.bincount(other, weights=weights, minlength=n)[i + 1:].astype(np.float64)


def _shared_by_question(per_question: _Occurrences, i: int, n: int, question_count: int) -> Ints:
    """Per question: fingerprints both wrote in that question's cells (a (later documents, Q) array)."""
    found, asked = _gather(per_question, np.flatnonzero(per_question.doc == i))
    other, question = per_question.doc[found], per_question.question[asked]
    same = (other > i) & (per_question.question[found] == question)
    keys = other[same] * question_count + question[same]
    per = np.bincount(keys, minlength=n * question_count).reshape(n, question_count)
    return per[i + 1:].astype(np.int64)


def _fragments(occ: _Occurrences, i: int, n: int) -> Ints:
    """The longest shared fragment (in tokens) of document i with each later document."""
    best = np.zeros(n, np.int64)
    found, asked = _gather(occ, np.flatnonzero(occ.doc == i))
    later = occ.doc[found] > i
    other, here, there = occ.doc[found][later], occ.position[asked][later], occ.position[found][later]
    if len(other):
        diagonal = there - here
        order = np.lexsort((here, diagonal, other))
        other, diagonal, here = other[order], diagonal[order], here[order]
        new_run = np.ones(len(other), bool)
        new_run[1:] = (other[1:] != other[:-1]) | (diagonal[1:] != diagonal[:-1]) | (here[1:] - here[:-1] > BRIDGE)
        starts = np.flatnonzero(new_run)
        ends = np.append(starts[1:], len(here)) - 1
        np.maximum.at(best, other[starts], here[ends] - here[starts] + K)
    return best[i + 1:]
