"""Many mixed batches through one warm pool: no stall, no grader error, nothing lost.

Chatty notebooks fill the output pipe just before the cells end, so their last
output and the "cells over" record arrive together: the moment where a worker
that blocked on one pipe while the job waited on another used to stall for the
whole outer deadline and come back as a grader error.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from source_lib.judge.results import Status, SubmissionResult

ROUNDS = 4
PRINT_SIZES = 8
MARGIN_SECONDS = 3.0  # sandbox start, judging and a busy CI machine; a stall costs the wall limit

CHATTY = {
    "big_print": "print('x' * 300_000)",
    "many_lines": "for k in range(20_000):\n    print(k, 'line of output')",
    "warnings": ("import warnings\nfor k in range(3000):\n"
                 "    warnings.warn(f'warning number {k}', UserWarning, stacklevel=1)"),
    "traceback": "def deep(n):\n    return deep(n - 1) if n else 1 / 0\ndeep(400)",
    "printing_thread": ("import threading, time\n"
                        "def _chatter():\n    while True:\n        print('.' * 200)\n        time.sleep(0.0005)\n"
                        "threading.Thread(target=_chatter, daemon=True).start()\ntime.sleep(0.05)"),
    "stderr_and_stdout": ("import sys\nfor k in range(5000):\n"
                          "    print('out', k)\n    print('err', k, file=sys.stderr)"),
}
SLOW = "import time\ntime.sleep(0.4)"


def mixed_batch(notebook_with: Callable[..., str], answers: dict[str, str], round_: int) -> dict[str, str]:
    """Chatty, silent and slow notebooks; the noise goes after the last answer of each."""
    last = answers["answer_zero_init"]
    batch = {f"r{round_}-{name}": notebook_with(answer_zero_init=f"{last}\n{code}")
             for name, code in CHATTY.items()}
    for k in range(PRINT_SIZES):  # the last chunk of a print may or may not fill the pipe
        size = 1000 + 7919 * (round_ * PRINT_SIZES + k) % 150_000
        batch[f"r{round_}-print{size}"] = notebook_with(answer_zero_init=f"{last}\nprint('x' * {size})")
    batch[f"r{round_}-silent"] = notebook_with()
    batch[f"r{round_}-slow"] = notebook_with(answer_zero_init=f"{last}\n{SLOW}")
    batch[f"r{round_}-chatty_gradient"] = notebook_with(
        compute_gradient=answers["compute_gradient"] + "\nprint('g' * 70_000)")
    return batch


@pytest.mark.slow
def test_mixed_batches_never_stall_or_fail_in_the_grader(
        grade: Callable[..., dict[str, SubmissionResult]], notebook_with: Callable[..., str],
        answers: dict[str, str]) -> None:
    results: dict[str, SubmissionResult] = {}
    for round_ in range(ROUNDS):
        results.update(grade(mixed_batch(notebook_with, answers, round_)))
    assert len(results) == ROUNDS * (len(CHATTY) + PRINT_SIZES + 3)
    for student, result in results.items():
        assert result.status is not Status.GRADER_ERROR, (student, result.reason)
        assert result.score == result.max_score, (student, result.reason)
        assert result.seconds <= result.compute_seconds + MARGIN_SECONDS, \
            (student, result.seconds, result.compute_seconds)
