"""Test doubles for the sandbox boundary: ``FakeRunner`` stands in for ``SandboxPool``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from autograder.config import Limits
from autograder.errors import SandboxError
from autograder.replies import RawRun, failed_run
from source_lib import wire


class FakeRunner:
    """The SandboxPool surface without processes: ``handler(job) -> RawRun``, for tests."""

    def __init__(self, handler: Callable[[dict[str, Any]], RawRun], *,
                 limits: Limits | None = None, isolation: dict[str, Any] | None = None) -> None:
        self.handler, self.limits = handler, limits or Limits()
        self._isolation = isolation or {"level": "none", "network": "host",
                                        "pid_namespace": False, "filesystem": "host",
                                        "user": "fake", "limits": {}, "reason": "FakeRunner"}
        self.started = False

    def __enter__(self) -> FakeRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        self.started = True

    def close(self) -> None:
        self.started = False

    @property
    def isolation(self) -> dict[str, Any]:
        return dict(self._isolation)

    def run(self, job: dict[str, Any]) -> RawRun:
        for _, run in self.run_many([job]):
            return run
        raise SandboxError("FakeRunner returned no result")

    def run_many(self, jobs: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], RawRun]]:
        for job in jobs:
            job.setdefault("wire", wire.WIRE_VERSION)
            job.setdefault("limits", self.limits.as_wire())
            try:
                run = self.handler(job)
            except Exception as exc:  # noqa: BLE001 - a failing handler is a failed worker
                run = failed_run(_job_id(job), wire.Ending.WORKER_FAILED, f"[fake] {exc!r}", self.isolation)
            yield job, run


def _job_id(job: Any) -> str:
    """The job's id, or "" for a malformed job (as the pool reports it)."""
    value = job.get("job_id") if isinstance(job, dict) else None
    return value if isinstance(value, str) else ""
