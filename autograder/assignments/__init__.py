"""Assignment declarations, one module per assignment, each defining ``ASSIGNMENT``."""

from __future__ import annotations

import importlib
import pkgutil
import re

from autograder.errors import ConfigError
from autograder.spec import Assignment


def available() -> list[str]:
    """Names of the declared assignments."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load(name: str) -> Assignment:
    """The declaration of assignment ``name``; ConfigError when there is none."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name not in available():
        known = ", ".join(available()) or "none"
        raise ConfigError(f"unknown assignment {name!r} (known: {known})")
    assignment: Assignment = importlib.import_module(f"{__name__}.{name}").ASSIGNMENT
    assignment.check()
    return assignment
