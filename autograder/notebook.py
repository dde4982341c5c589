"""Reading notebooks leniently, and finding submissions on disk.

A submission is only ever read (never modified). Whatever is wrong with the
file becomes an ``Unreadable`` value with a message a student can act on.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence, Union

# jsonschema's optional IRI format checker builds a large grammar when imported (about 1 s
# per process); nbformat never uses it, so its import is made to fail fast instead.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Cell:
    """One cell, with its nbgrader role ("solution", "test", "manual", "locked" or "plain")."""

    index: int
    kind: str
    source: str
    grade_id: str | None
    role: str


@dataclass(frozen=True)
class Notebook:
    cells: tuple[Cell, ...]

    def code_to_run(self) -> tuple[Cell, ...]:
        """Code cells in order, without nbgrader test cells (the judge grades, not they)."""
        return tuple(c for c in self.cells if c.kind == "code" and c.role != "test")

    def by_grade_id(self, grade_id: str) -> Cell | None:
        """The last cell with this nbgrader id (a duplicated cell must not hide the answer)."""
        found = [c for c in self.cells if c.grade_id == grade_id]
        return found[-1] if found else None


@dataclass(frozen=True)
class Unreadable:
    reason: str


@dataclass(frozen=True)
class SubmissionFile:
    student: str
    path: Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(data: bytes) -> Union[Notebook, Unreadable]:
    """Parse notebook bytes; any problem becomes an Unreadable with a clear reason."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        return Unreadable(f"the file is {len(data) // 2**20} MB; notebooks over "
                          f"{MAX_NOTEBOOK_BYTES // 2**20} MB are not graded (clear large outputs)")
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    if not text.strip():
        return Unreadable("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = nbformat.reads(text, as_version=4)
        return Notebook(tuple(_cells(node)))
    except json.JSONDecodeError as exc:
        return Unreadable(f"not a notebook: the file is not valid JSON ({exc.msg} at line {exc.lineno})")
    except RecursionError:
        return Unreadable("not a notebook: the JSON is nested too deeply")
    except Exception as exc:  # nbformat raises many unrelated types for odd JSON
        return Unreadable(f"not a notebook: {_short(exc)}")


def read_path(path: Path) -> tuple[bytes, Union[Notebook, Unreadable]]:
    """Read a notebook file without modifying it; returns its bytes and the parse."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return b"", read_bytes(b"x" * (MAX_NOTEBOOK_BYTES + 1))
        data = path.read_bytes()
    except OSError as exc:
        return b"", Unreadable(f"cannot read the file: {exc.strerror or exc}")
    return data, read_bytes(data)


def _cells(node: Any) -> Iterable[Cell]:
    cells = node.get("cells")
    if not isinstance(cells, list):
        raise ValueError("it has no list of cells")
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
        grade_id, role = _nbgrader_role(meta)
        yield Cell(index, cell["cell_type"], source, grade_id, role)


def _nbgrader_role(meta: Any) -> tuple[str | None, str]:
    if not isinstance(meta, dict):
        return None, "plain"
    grade_id = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
    grade, solution = meta.get("grade") is True, meta.get("solution") is True
    if grade and solution:
        return grade_id, "manual"
    if grade:
        return grade_id, "test"
    if solution:
        return grade_id, "solution"
    return grade_id, "locked" if meta.get("locked") is True else "plain"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


# ---------------------------------------------------------------- discovery


def discover(paths: Sequence[Path], assignment: str) -> tuple[list[SubmissionFile], list[str]]:
    """Submissions under ``paths`` (files or folders), one per student, plus warnings.

    The student id is the nbgrader folder name (``submitted/<student>/<assignment>/``)
    when that layout is used, otherwise the notebook's file stem.
    """
    found: list[SubmissionFile] = []
    warnings_: list[str] = []
    for path in paths:
        if path.is_dir():
            notebooks = sorted(p for p in path.rglob("*.ipynb") if not _ignored(p.relative_to(path)))
            if not notebooks:
                warnings_.append(f"{path}: no .ipynb files found")
            found.extend(SubmissionFile(_student_id(p, assignment), p) for p in notebooks)
        elif path.is_file():
            found.append(SubmissionFile(_student_id(path, assignment), path))
        else:
            warnings_.append(f"{path}: no such file or folder")
    return _one_per_student(found, assignment, warnings_)


def _ignored(relative: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def _student_id(path: Path, assignment: str) -> str:
    """nbgrader's ``<student>/<assignment>/<notebook>`` gives the student; else the file stem."""
    parent = path.parent
    if parent.name == assignment and parent.parent.name:
        return safe_student_id(parent.parent.name)
    return safe_student_id(path.stem)


def _one_per_student(found: list[SubmissionFile], assignment: str,
                     warnings_: list[str]) -> tuple[list[SubmissionFile], list[str]]:
    by_student: dict[str, list[SubmissionFile]] = {}
    for item in found:
        by_student.setdefault(item.student, []).append(item)
    chosen: list[SubmissionFile] = []
    for student, items in by_student.items():
        if len(items) == 1:
            chosen.append(items[0])
            continue
        named = [i for i in items if i.path.name == f"{assignment}.ipynb"]
        in_same_folder = len({i.path.parent for i in items}) == 1
        if named and in_same_folder:
            chosen.append(named[0])
            warnings_.append(f"{student}: several notebooks, graded {named[0].path.name}")
            continue
        for n, item in enumerate(items, start=1):
            chosen.append(SubmissionFile(student if n == 1 else f"{student}-{n}", item.path))
        warnings_.append(f"{student}: {len(items)} notebooks share this id; numbered -2, -3, ...")
    return sorted(chosen, key=lambda s: s.student), warnings_


def safe_student_id(raw: str) -> str:
    """A student id fit for reports: printable, at most 100 characters."""
    cleaned = re.sub(r"[\x00-\x1f\x7f]", "", raw).strip()
    return cleaned[:100] or "unnamed"
