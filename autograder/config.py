"""Explicit, validated configuration: limits for the sandbox and grading options.

Values are checked once, here; everything downstream receives frozen objects.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import ConfigError
from source_lib import wire

ISOLATION_LEVELS = ("none", "process", "namespaces")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run of student code; what each means: ``source_lib.wire.Limits``."""

    wall_seconds: float = wire.DEFAULT_LIMITS["wall_seconds"]
    cpu_seconds: int = wire.DEFAULT_LIMITS["cpu_seconds"]
    memory_mb: int = wire.DEFAULT_LIMITS["memory_mb"]
    output_bytes: int = wire.DEFAULT_LIMITS["output_bytes"]
    flood_bytes: int = wire.DEFAULT_LIMITS["flood_bytes"]
    record_bytes: int = wire.DEFAULT_LIMITS["record_bytes"]
    call_seconds: float = wire.DEFAULT_LIMITS["call_seconds"]
    scratch_mb: int = wire.DEFAULT_LIMITS["scratch_mb"]
    max_processes: int = wire.DEFAULT_LIMITS["max_processes"]

    def __post_init__(self) -> None:
        for name, value in dataclasses.asdict(self).items():
            if value <= 0:
                raise ConfigError(f"limit {name} must be positive")

    def as_wire(self) -> wire.Limits:
        return wire.Limits(wall_seconds=self.wall_seconds, cpu_seconds=self.cpu_seconds,
                           memory_mb=self.memory_mb, output_bytes=self.output_bytes,
                           flood_bytes=self.flood_bytes, record_bytes=self.record_bytes,
                           call_seconds=self.call_seconds, scratch_mb=self.scratch_mb,
                           max_processes=self.max_processes)


@dataclass(frozen=True)
class CourseLayout:
    """Where an assignment's files live (the project checkout by default)."""

    root: Path

    @classmethod
    def default(cls) -> CourseLayout:
        return cls(Path(__file__).resolve().parent.parent)

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def releases(self) -> Path:
        return self.root / "assignments"

    @property
    def public_data(self) -> Path:
        return self.root / "source_lib" / "public"

    def solution(self, assignment: str) -> Path:
        return self.solutions / f"{assignment}.ipynb"

    def release(self, assignment: str) -> Path:
        return self.releases / f"{assignment}.ipynb"

    def public_file(self, assignment: str) -> Path:
        return self.public_data / f"{assignment}.json"


@dataclass(frozen=True)
class GradingConfig:
    """Options for one grading run."""

    layout: CourseLayout = field(default_factory=CourseLayout.default)
    limits: Limits = field(default_factory=Limits)
    workers: int = 2
    seed: int | None = None            # overrides the assignment's seed for hidden cases
    require_isolation: str = "none"    # refuse to grade below this level
    max_isolation: str = "namespaces"  # never use a level above this one (reproduce a weaker host)
    allow_unreadable_python: bool = False  # level process as root: grade even if the sandbox uid
    #                                        cannot read the installation (preloaded modules only)
    symbolic_seconds: float = 5.0      # time box for judging one sympy answer
    cache_dir: Path | None = None      # keeps the solution's run between batches (reference_cache)

    def __post_init__(self) -> None:
        if not 1 <= self.workers <= 64:
            raise ConfigError("--workers must be between 1 and 64")
        if self.require_isolation not in ISOLATION_LEVELS:
            raise ConfigError(f"--require-isolation must be one of {', '.join(ISOLATION_LEVELS)}")
        if self.max_isolation not in ISOLATION_LEVELS[1:]:
            raise ConfigError(f"--max-isolation must be one of {', '.join(ISOLATION_LEVELS[1:])}")
        if self.symbolic_seconds <= 0:
            raise ConfigError("symbolic time box must be positive")


def default_workers() -> int:
    """One worker per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_cache_folder() -> Path:
    """``$XDG_CACHE_HOME/zeroinit-kit`` (``~/.cache/zeroinit-kit`` by default): reference outputs, font list."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zeroinit-kit"


def private_folder(folder: Path | None) -> str | None:
    """``folder`` (absolute), made if need be with the cache private to this user; None when it cannot be."""
    if folder is None:
        return None
    try:
        for made in (folder.parent, folder):
            made.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return str(folder.absolute())
