"""A job's reply from a sandbox worker, checked for shape before anything judges it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from source_lib import wire


@dataclass(frozen=True)
class RawRun:
    """One job's ``wire.Reply``, checked for shape but not yet judged; immutable."""

    job_id: str
    ended: wire.Ending
    exit_code: int | None
    signal: int | None
    wall_seconds: float
    output: str
    output_truncated: bool
    records: tuple[str, ...]
    records_truncated: bool
    isolation: dict[str, Any]
    retried: str = ""  # why a first attempt was lost to a grader fault (its time is included)

    @classmethod
    def from_reply(cls, reply: wire.Reply) -> RawRun:
        return cls(reply["job_id"], wire.Ending(reply["ended"]), reply["exit_code"], reply["signal"],
                   float(reply["wall_seconds"]), reply["output"], reply["output_truncated"],
                   tuple(reply["records"]), reply["records_truncated"], reply["isolation"])


def failed_run(job_id: str, ended: wire.Ending, message: str, isolation: dict[str, Any],
               wall_seconds: float = 0.0) -> RawRun:
    """A RawRun for a job the sandbox could not run (its output explains why)."""
    return RawRun.from_reply(wire.failed_reply(job_id, ended, message, isolation, wall_seconds))


def parse_reply(line: bytes, job_id: str, max_bytes: int) -> RawRun:
    """Validate one reply line; ValueError if it breaks the contract in any way."""
    try:
        msg = wire.loads(line, max_bytes)
    except RecursionError as exc:
        raise ValueError("reply nested too deeply") from exc
    problem = wire.reply_problem(msg)
    if problem:
        raise ValueError(problem)
    if msg["job_id"] != job_id:
        raise ValueError(f"reply for job {msg['job_id']!r} while {job_id!r} was running")
    return RawRun.from_reply(msg)  # type: ignore[arg-type]  # its shape was just checked
