"""Assignment declarations: ``<course>/solutions/<name>.py``, beside the source notebook.

A declaration holds the hidden-case generators, the seed, the misconception edits
(solution lines) and the multiple-choice answers, so it lives with the solutions:
outside every package a student installs and every path a sandboxed job can read.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType

from autograder.config import CourseLayout
from autograder.errors import AssignmentError, ConfigError
from source_lib.judge.spec import Assignment

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def available(layout: CourseLayout) -> list[str]:
    """Names of the assignments with both a declaration and a source notebook."""
    return sorted(p.stem for p in layout.solutions.glob("*.py")
                  if _NAME.fullmatch(p.stem) and layout.solution(p.stem).is_file())


def load(name: str, layout: CourseLayout | None = None) -> Assignment:
    """The checked declaration of assignment ``name``; ConfigError when there is none."""
    layout = layout or CourseLayout.default()
    assignment = getattr(declaration_module(name, layout), "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise AssignmentError(name, f"{declaration_path(name, layout)} does not define ASSIGNMENT = Assignment(...)")
    assignment.check()
    return assignment


def declaration_path(name: str, layout: CourseLayout) -> Path:
    return layout.solutions / f"{name}.py"


def command(layout: CourseLayout, verb: str, name: str, *flags: str) -> str:
    """The command an instructor runs next, quoted as code; with ``--course`` unless it is this checkout's."""
    words = ["autograder", verb, name, *flags]
    if layout.root.resolve() != CourseLayout.default().root.resolve():
        words += ["--course", str(layout.root)]
    return f"`{shlex.join(words)}`"


def declaration_module(name: str, layout: CourseLayout) -> ModuleType:
    """The executed declaration module (run again when a ``.py`` file of the course's solutions changed).

    Declarations are modules of a package made of the course's ``solutions/`` folder, so they
    share catalogues of mistakes with relative imports (``from .descent_mistakes import ...``).
    """
    if not _NAME.fullmatch(name) or name not in available(layout):
        known = ", ".join(available(layout)) or "none"
        raise ConfigError(f"unknown assignment {name!r} in {layout.solutions} (known: {known})")
    package = _course_package(layout)
    module_name = f"{package.__name__}.{name}"
    digest = _solutions_digest(layout)  # an edited declaration or shared catalogue is run again
    if getattr(package, "__zeroinit_digest__", None) != digest:
        for stale in [key for key in sys.modules if key.startswith(package.__name__ + ".")]:
            del sys.modules[stale]
        package.__zeroinit_digest__ = digest  # type: ignore[attr-defined]
    module = sys.modules.get(module_name)
    return module if module is not None else _execute(module_name, declaration_path(name, layout), name)


def _course_package(layout: CourseLayout) -> ModuleType:
    """The package whose modules are the files of ``layout.solutions``: one per course folder."""
    folder = layout.solutions.resolve()
    package_name = "zeroinit_declarations_" + hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    package = sys.modules.get(package_name)
    if package is None:
        package = ModuleType(package_name, f"The declarations of the course at {folder}.")
        package.__path__ = [str(folder)]
        sys.modules[package_name] = package
    return package


def assignment_digest(name: str, layout: CourseLayout) -> str:
    """A SHA-256 of everything that decides grades: declarations, source, release and public data."""
    digest = hashlib.sha256(_solutions_digest(layout).encode())
    for path in (layout.solution(name), layout.release(name), layout.public_file(name)):
        content = path.read_bytes() if path.is_file() else b"(absent)"
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def _solutions_digest(layout: CourseLayout) -> str:
    digest = hashlib.sha256()
    for path in sorted(layout.solutions.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _execute(module_name: str, path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise AssignmentError(name, f"{path}: {type(exc).__name__}: {exc}") from exc
    return module
