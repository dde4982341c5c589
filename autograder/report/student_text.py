"""A run's text made fit for a student: no path of the grading host, cells named by question.

Student code runs from the grader's Python, this checkout and a scratch folder of
the sandbox pool, so tracebacks, warnings and ``os.getcwd()`` print paths of the
grading machine. They help no student and describe the host, so each becomes
``<grader>`` (keeping the part inside a library: ``<grader>/numpy/linalg/_linalg.py``).
The sandbox names a cell ``<cell 17>`` after its index in the notebook file, a number
Jupyter never shows; it becomes the question the cell belongs to.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from source_lib.judge.results import CaseResult, CellError, QuestionResult

GRADER = "<grader>"
POOL_PREFIX = "autograder-pool-"  # the sandbox pool's private folder (autograder.launch)
_CHECKOUT = Path(__file__).resolve().parents[2]
# An absolute path: starts with "/" not glued to a word, ends at spaces, quotes, brackets or ":".
_PATH = re.compile(r"(?<![\w.~/-])/[^\s\"'`<>()\[\]{},;:=|*?]+")
_CELL = re.compile(r"<cell (\d+)>")
_PYTHON_DIR = re.compile(r"python3(?:\.\d+)?")
_SCRATCH = re.compile(r"(?:home|cwd)-\d+|sbx-.+")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(number: int) -> str:
    """``first`` ... ``tenth``, then ``11th``, ``12th``, ``23rd``."""
    if 1 <= number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def cell_label(question: str | None, offset: int) -> str:
    """A cell as a student finds it: ``compute_cost``, ``second code cell after compute_cost``."""
    if question is not None and offset <= 0:
        return question
    if offset <= 0:
        return "a code cell"
    where = f"after {question}" if question is not None else "from the top"
    return f"{ordinal(offset)} code cell {where}"


def cell_place(error: CellError) -> str:
    """Where a cell error happened, in words: ``in compute_cost, line 3``."""
    label = cell_label(error.question, error.offset)
    place = f"in the {label}" if error.offset > 0 else f"in {label}"
    return place + (f", line {error.line}" if error.line is not None else "")


class NotebookCell(Protocol):
    """What placing a cell needs (``autograder.notebook.Cell`` has it; reports read no notebook)."""

    @property
    def index(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def grade_id(self) -> str | None: ...


@dataclass(frozen=True)
class CellPlaces:
    """Each cell of one notebook, placed by the question it belongs to."""

    places: Mapping[int, tuple[str | None, int]]

    @classmethod
    def of(cls, cells: Iterable[NotebookCell], question_cells: Mapping[str, str]) -> CellPlaces:
        """``cells`` in notebook order; ``question_cells`` maps a question's grade_id to its id."""
        places: dict[int, tuple[str | None, int]] = {}
        question: str | None = None
        offset = 0
        for cell in cells:
            if cell.grade_id is not None and cell.grade_id in question_cells:
                question, offset = question_cells[cell.grade_id], 0
                places[cell.index] = (question, 0)
            elif cell.kind == "code":  # Jupyter shows every code cell, the check cells too
                offset += 1
                places[cell.index] = (question, offset)
        return cls(places)

    def label(self, index: int) -> str:
        return cell_label(*self.places.get(index, (None, 0)))

    def rename(self, text: str) -> str:
        """``<cell 17>`` (the sandbox's name of a cell) becomes ``<compute_cost>``."""
        return _CELL.sub(lambda m: f"<{self.label(int(m.group(1)))}>", text)

    def attach(self, error: CellError) -> CellError:
        question, offset = self.places.get(error.cell, (None, 0))
        return replace(error, question=question, offset=offset)


@dataclass(frozen=True)
class HostPaths:
    """Folders of the grading host a run's text may name; longest first."""

    prefixes: tuple[str, ...]

    @classmethod
    def of_this_host(cls, *extra: str) -> HostPaths:
        """This Python's prefixes and import path, this checkout, and ``extra`` folders."""
        found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                 str(_CHECKOUT), *sys.path, *extra}
        found |= {os.path.realpath(p) for p in found if p}
        kept = {p.rstrip("/") for p in found if _specific(p)}
        return cls(tuple(sorted(kept, key=len, reverse=True)))

    def neutral(self, text: str) -> str:
        """``text`` with every host path replaced by ``<grader>``."""
        return _PATH.sub(lambda m: self._path(m.group()), text)

    def _path(self, path: str) -> str:
        for prefix in self.prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                return GRADER + path[len(prefix):]
        parts = path.split("/")
        for i, part in enumerate(parts):
            if part.startswith(POOL_PREFIX):
                return _grader_path(_after_scratch(parts[i + 1:]))
            if part in ("lib", "lib64") and i + 1 < len(parts) and _PYTHON_DIR.fullmatch(parts[i + 1]):
                rest = parts[i + 2:]  # another Python's library (a worker's own interpreter)
                return _grader_path(rest[1:] if rest[:1] in (["site-packages"], ["dist-packages"]) else rest)
        return path


def _specific(path: str) -> bool:
    """An absolute folder deep enough to name this host, not ``/`` or ``/usr``."""
    return os.path.isabs(path) and len(Path(path).parts) >= 3


def _after_scratch(parts: list[str]) -> list[str]:
    while parts and _SCRATCH.fullmatch(parts[0]):
        parts = parts[1:]
    return parts


def _grader_path(parts: list[str]) -> str:
    return "/".join([GRADER, *parts]) if parts else GRADER


@dataclass(frozen=True)
class StudentText:
    """Applies both rewrites to everything of one run a student reads."""

    cells: CellPlaces
    host: HostPaths

    def text(self, text: str) -> str:
        return self.host.neutral(self.cells.rename(text))

    def errors(self, errors: Iterable[CellError]) -> tuple[CellError, ...]:
        return tuple(replace(self.cells.attach(e), message=self.text(e.message)) for e in errors)

    def question(self, question: QuestionResult) -> QuestionResult:
        cases = tuple(self._case(c) for c in question.cases)
        return replace(question, feedback=self.text(question.feedback), cases=cases)

    def _case(self, case: CaseResult) -> CaseResult:
        return replace(case, message=self.text(case.message))
