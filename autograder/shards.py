"""Shards: a stable split of a batch's students into N parts, graded anywhere, merged later.

A student's shard depends only on their id (a SHA-256 of it, modulo N): not on the order of
the files, on which other students submitted, or on the machine, so every job of a CI matrix
or a cluster agrees on it without talking to the others.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from autograder.errors import ConfigError

MAX_SHARDS = 10_000
_SPEC = re.compile(r"(\d{1,5})/(\d{1,5})")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based)."""

    index: int
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """``"I/N"`` with 0 <= I < N; ConfigError otherwise."""
        match = _SPEC.fullmatch(spec.strip())
        if match is None:
            raise ConfigError(f"--shard {spec!r}: write it I/N, e.g. 0/4 for the first of four shards")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= count <= MAX_SHARDS or not 0 <= index < count:
            raise ConfigError(f"--shard {spec!r}: need 0 <= I < N <= {MAX_SHARDS} (shards are numbered from 0)")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, student: str) -> bool:
        """Whether ``student`` belongs to this shard."""
        return shard_of(student, self.count) == self.index


def shard_of(student: str, count: int) -> int:
    """The shard (0 .. count-1) a student id belongs to."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count
