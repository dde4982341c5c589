"""What each student wrote: the answer cells of a notebook, tokenized and fingerprinted.

An answer cell is found as the grader finds it: a code cell nbgrader marks as a solution, whose
``grade_id`` is the question's cell (``question.cell``), plus every code cell the student added
(one without an nbgrader id), kept under ``ADDED``. Test cells, locked cells and the template's own
code cells are not the student's. The released notebook's answer cells, as every student received
them (a function's signature and docstring, ``raise NotImplementedError()``), are the template:
every k-gram they hold is removed from every student's fingerprints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.errors import ConfigError
from autograder.notebook import Notebook, SubmissionFile, read_path
from autograder.similarity.tokens import Tokens, normalise
from autograder.similarity.winnow import Fingerprints, Hashes, Ints, fingerprint, template_hashes

ADDED = ""  # the question key of code cells a student added


@dataclass(frozen=True)
class AnswerCell:
    """One cell the student wrote in: its question (``ADDED`` for an added cell), place and code.

    Its tokens are not kept (a class of a thousand has millions): ``tokens()`` reads them again.
    """

    question: str
    index: int
    name: str  # how an instructor finds it: "cell compute_cost", "the 2nd code cell after plot_inits"
    source: str

    def tokens(self) -> Tokens:
        return normalise(self.source)


@dataclass(frozen=True, eq=False)
class Document:
    """One submission as compared: its answer cells and fingerprints, or why it could not be read."""

    student: str
    path: str
    cells: tuple[AnswerCell, ...]
    fingerprints: Fingerprints
    problem: str = ""             # set when the file could not be read: it is not compared
    notes: tuple[str, ...] = ()   # what the reader of the report should know (a simpler tokenizer...)

    @property
    def compared(self) -> bool:
        return not self.problem

    def question_indexes(self, questions: Sequence[str]) -> Ints:
        """Each cell's question as an index into ``questions``."""
        where = {q: k for k, q in enumerate(questions)}
        return np.array([where[c.question] for c in self.cells], np.int64)


def answer_cells(notebook: Notebook, cells_of: Mapping[str, str]) -> tuple[AnswerCell, ...]:
    """The code cells the student wrote in; ``cells_of`` maps a question's cell grade_id to its id."""
    found = []
    for cell in notebook.cells:
        if cell.kind != "code" or not cell.source.strip():
            continue
        if cell.role in ("solution", "manual") or (cell.grade_id is None and cell.role == "plain"):
            question = cells_of.get(cell.grade_id or "", ADDED)
            found.append(AnswerCell(question, cell.index, notebook.cell_name(cell.index), cell.source))
    return tuple(found)


def read_document(file: SubmissionFile, cells_of: Mapping[str, str], template: Hashes) -> Document:
    """``file`` as a document; an unreadable file is a document with a ``problem``, never an error."""
    _, parsed = read_path(file.path)
    if not isinstance(parsed, Notebook):
        return Document(file.student, file.source, (), _no_fingerprints(), problem=parsed.reason)
    cells = answer_cells(parsed, cells_of)
    tokens = [c.tokens() for c in cells]
    notes = [f"{c.name}: {t.note}" for c, t in zip(cells, tokens) if t.note]
    if cells and all(c.question == ADDED for c in cells) and cells_of:
        notes.append("none of the assignment's answer cells (nbgrader ids) were found: the notebook is "
                     "compared as a whole, with no per-question scores")
    return Document(file.student, file.source, cells, fingerprint([t.texts for t in tokens], template),
                    notes=tuple(notes))


def read_template(release: Path) -> Hashes:
    """Every k-gram of the released notebook's answer cells, as every student received them."""
    if not release.is_file():
        raise ConfigError(f"no released notebook at {release}: run `autograder release` first, or pass "
                          "--course with the course folder that holds it")
    _, parsed = read_path(release)
    if not isinstance(parsed, Notebook):
        raise ConfigError(f"the released notebook {release} cannot be read: {parsed.reason}")
    return template_hashes([c.tokens().texts for c in answer_cells(parsed, {})])


def _no_fingerprints() -> Fingerprints:
    return Fingerprints(np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.int64))
