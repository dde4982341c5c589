"""Progress while a batch grades: a line per submission, a bar on a terminal, or JSON lines.

Each reporter is called once per finished submission with ``(done, total, result)``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from autograder.report._text import num, one_line
from autograder.report.table import fit, progress_line
from source_lib.judge.results import SubmissionResult

Clock = Callable[[], float]
BAR_WIDTH = 24


class Progress(Protocol):
    def __call__(self, done: int, total: int, result: SubmissionResult) -> None: ...


class LineProgress:
    """``[ 3/50] alice   graded   17.5/20  0.21s``, one line each (logs, pipes)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, done: int, total: int, result: SubmissionResult) -> None:
        print(progress_line(done, total, result, result.seconds), file=self.stream, flush=True)


class _Timed:
    def __init__(self, stream: TextIO, clock: Clock = time.monotonic) -> None:
        self.stream, self.clock, self.started = stream, clock, clock()

    def rate_and_left(self, done: int, total: int) -> tuple[float, float]:
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = done / elapsed
        return rate, (total - done) / rate if rate > 0 else 0.0


class BarProgress(_Timed):
    """One line redrawn in place on a terminal: bar, count, rate, time left, the last student."""

    def __call__(self, done: int, total: int, result: SubmissionResult) -> None:
        rate, left = self.rate_and_left(done, total)
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        score = f"{num(result.score)}/{num(result.max_score)}"
        line = (f"[{bar}] {done}/{total}  {rate:.1f}/s  {_duration(left)} left  "
                f"{fit(one_line(result.student), 16)} {result.status.value} {score}")
        end = "\n" if done >= total else ""
        self.stream.write(f"\r\x1b[2K{line}{end}")
        self.stream.flush()


class JsonProgress(_Timed):
    """One JSON object per line, for programs (``--progress json``)."""

    def __call__(self, done: int, total: int, result: SubmissionResult) -> None:
        rate, left = self.rate_and_left(done, total)
        event = {"event": "graded", "done": done, "total": total, "student": one_line(result.student),
                 "status": result.status.value, "score": result.score, "max_score": result.max_score,
                 "seconds": round(result.seconds, 3), "rate": round(rate, 3), "eta_seconds": round(left, 1)}
        self.stream.write(json.dumps(event) + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def reporter(style: str, stream: TextIO) -> Progress | None:
    """The reporter for ``--progress``: ``auto`` is a bar on a terminal and lines elsewhere."""
    if style == "none":
        return None
    if style == "auto":
        style = "bar" if stream.isatty() else "lines"
    if style == "bar":
        return BarProgress(stream)
    return JsonProgress(stream) if style == "json" else LineProgress(stream)
