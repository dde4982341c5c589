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
    """The executed declaration module (run once per path and process)."""
    if not _NAME.fullmatch(name) or name not in available(layout):
        known = ", ".join(available(layout)) or "none"
        raise ConfigError(f"unknown assignment {name!r} in {layout.solutions} (known: {known})")
    path = declaration_path(name, layout)
    module_name = f"zeroinit_declarations.{name}"
    module = sys.modules.get(module_name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()  # an edited file is run again
    if module is None or getattr(module, "__file__", None) != str(path) or \
            getattr(module, "__zeroinit_digest__", None) != digest:
        module = _execute(module_name, path, name)
        module.__zeroinit_digest__ = digest  # type: ignore[attr-defined]
    return module


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
