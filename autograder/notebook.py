"""Reading notebooks leniently, and finding submissions on disk.

A submission is only ever read (never modified). Whatever is wrong with the
file becomes an ``Unreadable`` value with a message a student can act on.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.errors import ConfigError
from autograder.shards import Shard

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Cell:
    """One cell, with its nbgrader role ("solution", "test", "manual", "locked" or "plain")."""

    index: int
    kind: str
    source: str
    grade_id: str | None
    role: str
    points: float | None = None  # nbgrader's points of a test or manual cell, when a number


@dataclass(frozen=True)
class Notebook:
    cells: tuple[Cell, ...]

    def code_to_run(self) -> tuple[Cell, ...]:
        """Code cells in order, without nbgrader test cells (the judge grades, not they)."""
        return tuple(c for c in self.cells if c.kind == "code" and c.role != "test")

    def cell_name(self, index: int) -> str:
        """How an instructor finds cell ``index``: "cell <grade_id>", or "the 2nd code cell after <grade_id>"."""
        before = [c for c in self.cells if c.index <= index]
        if before and before[-1].index == index and before[-1].grade_id:
            return f"cell {before[-1].grade_id}"
        anchor = next((c for c in reversed(before) if c.grade_id and c.index < index), None)
        nth = len([c for c in before if c.kind == "code" and (anchor is None or c.index > anchor.index)])
        ordinal = f"{nth}{'th' if 10 <= nth % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(nth % 10, 'th')}"
        return f"the {ordinal} code cell " + (f"after {anchor.grade_id}" if anchor else "of the notebook")

    def preamble(self) -> tuple[str, ...]:
        """The code cells before the first cell a student answers in: set-up every submission runs."""
        sources = []
        for cell in self.cells:
            if cell.role not in ("locked", "plain"):
                break
            if cell.kind == "code":
                sources.append(cell.source)
        return tuple(sources)

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
    origin: str = ""  # where the reports say it came from, when not ``path`` (a copy on a Dask worker)

    @property
    def source(self) -> str:
        return self.origin or str(self.path)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(data: bytes) -> Notebook | Unreadable:
    """Parse notebook bytes; any problem becomes an Unreadable with a clear reason."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        return _too_large(len(data))
    kind = _foreign_format(data)
    if kind:
        return Unreadable(f"not a notebook: {kind}")
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        return Unreadable(f"not a notebook: the file is not UTF-8 text (byte {exc.start + 1} cannot be read); "
                          "Jupyter saves notebooks as UTF-8, so download the .ipynb from Jupyter again")
    if not text.strip():
        return Unreadable("the file is empty")
    try:
        raw = json.loads(text)
        problem = _structure_problem(raw)
        if problem:
            return Unreadable(f"not a notebook: {problem}")
        if raw["nbformat"] == 4:  # read as it is: nbformat's schema validation costs more than the rest
            return Notebook(tuple(_cells(raw)))
        nbformat = _nbformat()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = nbformat.reads(json.dumps(_without_outputs(raw)), as_version=4)
        return Notebook(tuple(_cells(node)))
    except json.JSONDecodeError as exc:
        last_line = "\n" not in text[exc.pos:].strip() and exc.msg != "Extra data"
        if last_line or exc.msg.startswith("Unterminated"):  # the text ends where reading it failed
            return Unreadable("not a notebook: the JSON stops in the middle (the file looks truncated: "
                              "was it saved and uploaded completely?)")
        return Unreadable(f"not a notebook: the file is not valid JSON ({exc.msg} at line {exc.lineno}): "
                          "was it edited outside Jupyter? Open it in Jupyter, save it, and submit it again")
    except RecursionError:
        return Unreadable("not a notebook: the JSON is nested too deeply")
    except Exception as exc:  # nbformat raises many unrelated types for odd JSON
        return Unreadable(f"not a notebook: {_nbformat_reason(exc)}")


def _nbformat() -> Any:
    """nbformat, imported only for the old formats it converts (it takes a third of a second)."""
    import nbformat

    return nbformat


def read_path(path: Path) -> tuple[str, Notebook | Unreadable]:
    """Read a notebook file without modifying it; returns the SHA-256 of its bytes and the parse.

    The digest covers the whole file even when it is too large to be graded.
    """
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return file_digest(path), _too_large(size)
        data = path.read_bytes()
    except OSError as exc:
        return sha256(b""), Unreadable(f"cannot read the file: {exc.strerror or exc}")
    return sha256(data), read_bytes(data)


def release_preamble(path: Path) -> tuple[str, ...]:
    """The preamble of the released notebook at ``path`` (what every student receives); none
    when there is no readable release."""
    parsed = read_path(path)[1]
    return parsed.preamble() if isinstance(parsed, Notebook) else ()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, as ``read_path`` gives it (that of no bytes when unreadable)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return sha256(b"")
    return digest.hexdigest()


def _too_large(size: int) -> Unreadable:
    return Unreadable(f"the file is {size / 2**20:.1f} MB; notebooks over {MAX_NOTEBOOK_BYTES // 2**20} MB "
                      "are not graded (clear large outputs)")


def _foreign_format(data: bytes) -> str | None:
    """What the file is, when it is recognisably something other than a notebook's JSON text."""
    head = data[:4096]
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "it is a zip archive; unzip it and submit the .ipynb file inside"
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
            start.startswith(b"<") and b"<html" in start):
        return ("it is a web page (HTML), probably saved from the browser; download the notebook "
                "from Jupyter with File > Download (.ipynb)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16 text; Jupyter saves notebooks as UTF-8, so download the .ipynb again"
    if head.startswith(b"%PDF"):
        return "it is a PDF document; submit the .ipynb file itself"
    if b"\x00" in head:
        return "the file holds binary data, not the text of a notebook"
    return None


_JSON_KINDS = ((bool, "true or false"), (list, "a list"), (str, "a string"), (int, "a number"),
               (float, "a number"), (type(None), "null"))


def _without_outputs(node: dict[str, Any]) -> dict[str, Any]:
    """Stored outputs are never graded (they could be forged), so a broken one must not matter."""
    for cell in node.get("cells", []) if isinstance(node.get("cells"), list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return node


def _structure_problem(node: Any) -> str | None:
    """Why parsed JSON is not a notebook nbformat can read, in words, or None."""
    if not isinstance(node, dict):
        kind = next((word for kind, word in _JSON_KINDS if isinstance(node, kind)), "not an object")
        return f"the file is JSON, but {kind} instead of a notebook"
    version = node.get("nbformat")
    if "nbformat" not in node:
        return "it has no nbformat version number, so it is not a Jupyter notebook"
    if not isinstance(version, int) or isinstance(version, bool):
        return "its nbformat version is not a whole number"
    if version not in (1, 2, 3, 4):
        return f"nbformat version {version} is not supported (Jupyter notebooks are version 4)"
    if version >= 4 and "cells" not in node:
        return "it has no cells"
    if version >= 4 and not isinstance(node["cells"], list):
        return "its cells are not a list"
    if version == 3 and not isinstance(node.get("worksheets"), list):
        return "it has no list of worksheets (nbformat 3)"
    return None


def _nbformat_reason(exc: BaseException) -> str:
    """nbformat's own message when it is one for people, else a plain description."""
    text = _short(exc)
    key = re.fullmatch(r"The notebook is invalid and is missing an expected key: (\w+)", text)
    if key:
        return f"it is missing the key {key.group(1)!r}"
    if text.startswith("Unsupported nbformat version"):
        return text
    return "its cells or metadata do not have the structure of a Jupyter notebook; open it in Jupyter and save it again"


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
        yield Cell(index, cell["cell_type"], source, grade_id, role, _points(meta))


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


def _points(meta: Any) -> float | None:
    points = meta.get("points") if isinstance(meta, dict) else None
    return float(points) if isinstance(points, (int, float)) and not isinstance(points, bool) else None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Submissions:
    """The notebooks of a batch: who submitted which file, and what finding them had to say."""

    files: tuple[SubmissionFile, ...]
    warnings: tuple[str, ...] = ()
    inputs: tuple[Path, ...] = ()  # the files and folders named; --out must stay out of them
    seen: tuple[str, ...] = ()     # every student of the whole batch, when ``files`` is one shard's

    @classmethod
    def find(cls, paths: Sequence[Path], assignment: str) -> Submissions:
        """The submissions under ``paths`` (files or folders); ConfigError when there are none."""
        files, warnings = discover(paths, assignment)
        if not files:
            raise ConfigError("no submissions found: " + "; ".join(warnings))
        return cls(tuple(files), tuple(warnings), tuple(paths))

    @property
    def students(self) -> tuple[str, ...]:
        return self.seen or tuple(f.student for f in self.files)

    def chosen(self, shard: Shard | None, only: Collection[str] = ()) -> list[SubmissionFile]:
        """The files of ``shard``'s students (all without one), and of ``only``'s when it names any."""
        return [f for f in self.files if (shard is None or shard.holds(f.student)) and (not only or f.student in only)]


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
    return _one_per_student(_once_each(found, warnings_), assignment, warnings_)


def _once_each(found: list[SubmissionFile], warnings_: list[str]) -> list[SubmissionFile]:
    """A file named twice (itself and its folder, say) is one submission."""
    seen: dict[Path, SubmissionFile] = {}
    for item in found:
        key = item.path.resolve()
        if key in seen:
            warnings_.append(f"{item.path}: given more than once; graded once")
        else:
            seen[key] = item
    return list(seen.values())


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
