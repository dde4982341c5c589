"""Progress while a batch grades: lines, a bar redrawn in place, or JSON lines with rate and time left."""

from __future__ import annotations

import io
import json

import report_samples as samples

from autograder.report.progress import BarProgress, JsonProgress, LineProgress, reporter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_redraws_one_line_with_count_rate_and_time_left() -> None:
    stream, clock = io.StringIO(), Clock()
    bar = BarProgress(stream, clock)
    for done in (1, 2, 3, 4):
        clock.now += 0.5
        bar(done, 4, samples.make_full())
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 4 and not any("\n" in f for f in frames[:-1]) and frames[-1].endswith("\n")
    assert "[######------------------] 1/4  2.0/s  2 s left  alice            graded 10/10" in frames[0]
    assert "4/4  2.0/s  0 s left" in frames[-1]


def test_json_progress_is_one_event_per_line() -> None:
    stream, clock = io.StringIO(), Clock()
    events = JsonProgress(stream, clock)
    clock.now += 2.0
    events(1, 3, samples.make_partial())
    [event] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert event["event"] == "graded" and (event["done"], event["total"]) == (1, 3)
    assert event["rate"] == 0.5 and event["eta_seconds"] == 4.0 and event["student"] == samples.make_partial().student


def test_auto_is_a_bar_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(reporter("auto", Terminal()), BarProgress)
    assert isinstance(reporter("auto", io.StringIO()), LineProgress)
    assert isinstance(reporter("json", io.StringIO()), JsonProgress) and reporter("none", io.StringIO()) is None
