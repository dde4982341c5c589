"""Where two documents match, for the side-by-side view: fragments as character spans per cell.

Unlike the scores (winnowed fingerprints of the whole class), this looks at every k-gram of the
two documents: a fragment is a run of consecutive k-grams both hold in the same order, at least
``SHOWN`` tokens long, outside the released template. Fragments are taken longest first, and a
token belongs to one fragment at most on each side (greedy string tiling, as JPlag does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autograder.similarity.answers import AnswerCell, Document
from autograder.similarity.tokens import Token, lines_of
from autograder.similarity.winnow import Hashes, K, W, kgram_hashes, offsets

SHOWN = W + K - 1  # the shortest fragment winnowing is sure to notice
_LAYOUT = frozenset({"NEWLINE", "INDENT", "DEDENT"})
_MAX_REPEATS = 50  # positions of one k-gram considered on the other side (repetitive code)


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` of a cell's source belong to fragment ``number`` (1 is the longest)."""

    start: int
    end: int
    number: int


@dataclass(frozen=True)
class Matches:
    """The fragments two documents share: their lengths in tokens, and their spans in each cell."""

    lengths: tuple[int, ...]
    first: tuple[tuple[Span, ...], ...]   # per cell of the first document
    second: tuple[tuple[Span, ...], ...]


def matches(first: Document, second: Document, template: Hashes) -> Matches:
    """The fragments ``first`` and ``second`` share, outside ``template`` (sorted k-gram hashes)."""
    tokens_a, tokens_b = [c.tokens().tokens for c in first.cells], [c.tokens().tokens for c in second.cells]
    here, there = _kgrams(tokens_a, template), _kgrams(tokens_b, template)
    where: dict[int, list[int]] = {}
    for position, value in there:
        where.setdefault(value, []).append(position)
    pairs = sorted((b - a, a) for a, value in here for b in where.get(value, ())[:_MAX_REPEATS])
    runs = _runs(pairs)
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    kept: list[tuple[int, int, int]] = []
    for length, a, b in sorted(runs, key=lambda r: (-r[0], r[1], r[2])):
        span_a, span_b = set(range(a, a + length)), set(range(b, b + length))
        if length >= SHOWN and not (span_a & taken_a or span_b & taken_b):
            kept.append((length, a, b))
            taken_a |= span_a
            taken_b |= span_b
    return Matches(tuple(length for length, _, _ in kept),
                   _spans(first.cells, tokens_a, [(a, length) for length, a, _ in kept]),
                   _spans(second.cells, tokens_b, [(b, length) for length, _, b in kept]))


def _kgrams(cells: Sequence[Sequence[Token]], template: Hashes) -> list[tuple[int, int]]:
    """(position, hash) of every k-gram of the cells that the template does not hold."""
    found: list[tuple[int, int]] = []
    for cell, start in zip(cells, offsets([len(c) for c in cells])):
        hashes = kgram_hashes([t.text for t in cell])
        fresh = ~np.isin(hashes, template)
        found.extend((start + int(p), int(hashes[p])) for p in np.flatnonzero(fresh))
    return found


def _runs(pairs: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Maximal runs of consecutive k-grams on one diagonal: (length in tokens, start in first, start in second).

    Cells lie ``GAP`` positions apart, so a run never spans two cells.
    """
    runs = []
    k = 0
    while k < len(pairs):
        diagonal, start = pairs[k]
        end = start
        while k + 1 < len(pairs) and pairs[k + 1] == (diagonal, end + 1):
            k, end = k + 1, end + 1
        runs.append((end - start + K, start, start + diagonal))
        k += 1
    return runs


def _spans(cells: Sequence[AnswerCell], cell_tokens: Sequence[Sequence[Token]],
           fragments: list[tuple[int, int]]) -> tuple[tuple[Span, ...], ...]:
    starts = offsets([len(c) for c in cell_tokens])
    found: list[list[Span]] = [[] for _ in cells]
    for number, (position, length) in enumerate(fragments, start=1):
        cell = max(k for k, s in enumerate(starts) if s <= position)
        tokens = cell_tokens[cell]
        first, last = position - starts[cell], min(position - starts[cell] + length, len(tokens)) - 1
        while first < last and tokens[first].text in _LAYOUT:  # an INDENT starts at column 0, a DEDENT
            first += 1                                           # sits on the next statement's line
        while last > first and tokens[last].text in _LAYOUT:
            last -= 1
        lines = _line_starts(cells[cell].source)
        found[cell].append(Span(_offset(lines, tokens[first]), _offset(lines, tokens[last], end=True), number))
    return tuple(tuple(sorted(spans, key=lambda s: s.start)) for spans in found)


def _line_starts(source: str) -> list[int]:
    starts, at = [0], 0
    for line in lines_of(source):
        at += len(line)
        starts.append(at)
    return starts


def _offset(lines: list[int], token: Token, end: bool = False) -> int:
    line, column = token.end if end else token.start
    return lines[min(line, len(lines)) - 1] + column

