"""Keep the solution's run between batches: its records, keyed by everything that decides them.

Every batch starts by running the solution and each catalogued mistake on every case (the
reference job): seconds of compute that give the same records as long as the grader, the
assignment's files, the seed and the libraries are the same. A CI run or a Gradescope run grades
one notebook and would pay them every time; with a cache folder it pays them once.

The records are the sandbox's own output for the trusted solution, stored as plain JSON strings
and read back through the same decoder as any run (nothing is evaluated); beside them, the values
of each sympy answer's reference and mutants at the sample points, as strings. A cache file holds its
full key; one whose key differs, or that cannot be read, is ignored and rewritten. The folder is
created private to the grader's user: the sandbox never sees it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.report.write import write_text

FORMAT = 1
RECORDS, PRINTS = "records", "prints"  # the solution run's records; the sympy answers' reference values


def cache_key(assignment: str, digest: str, seed: int, python: str) -> dict[str, str]:
    """What the solution's records depend on: grader, course files, seed, interpreter and libraries."""
    return {"format": str(FORMAT), "grader": __version__, "assignment": assignment, "digest": digest,
            "seed": str(seed), "python": f"{python} {platform.python_version()}",
            "numpy": _version("numpy"), "sympy": _version("sympy"), "code": _code_digest()}


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The code that runs in the sandbox or builds its jobs (an edited checkout keeps its version)."""
    here = Path(__file__).resolve().parent
    files = [*(here.parent / "source_lib").rglob("*.py"), *(here / "sandbox").glob("*.py"), here / "jobs.py"]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _path(folder: Path, key: dict[str, str], kind: str) -> Path:
    name = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
    return folder / f"{key['assignment']}-{name}.{kind}.json"


def load(folder: Path, key: dict[str, str], kind: str) -> Any:
    """What ``store`` kept for ``key`` under ``kind``, or None (absent, unreadable, another key's)."""
    try:
        data = json.loads(_path(folder, key, kind).read_text(encoding="utf-8"))
        return data["value"] if data["key"] == key else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_records(folder: Path, key: dict[str, str]) -> tuple[str, ...] | None:
    """The solution run's records kept for ``key``, or None."""
    records = load(folder, key, RECORDS)
    if not isinstance(records, list) or not all(isinstance(r, str) for r in records):
        return None
    return tuple(records)


def store(folder: Path, key: dict[str, str], kind: str, value: Any) -> None:
    """Keep ``value`` (JSON data) for ``key`` (best effort: a cache that cannot be written only costs time)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_text(_path(folder, key, kind), json.dumps({"key": key, "value": value}))
    except OSError:
        pass


class PrintStore:
    """The sympy answers' reference values of one reference run, kept beside its records, by question."""

    def __init__(self, folder: Path, key: dict[str, str]) -> None:
        self.folder, self.key = folder, key
        found = load(folder, key, PRINTS)
        self.values: dict[str, Any] = found if isinstance(found, dict) else {}

    def get(self, question: str) -> Any:
        return self.values.get(question)

    def put(self, question: str, value: Any) -> None:
        self.values[question] = value
        store(self.folder, self.key, PRINTS, self.values)


