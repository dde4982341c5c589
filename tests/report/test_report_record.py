"""record.json holds a whole result and gives it back unchanged (for grade --only)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import report_samples as samples

from autograder.report.record import read_record, record_json
from source_lib.judge.results import Lateness


@pytest.mark.parametrize("make", [samples.make_full, samples.make_partial, samples.make_ungradable,
                                  samples.make_crashed, samples.make_grader_error, samples.make_hostile,
                                  samples.make_plain, samples.make_other_assignment])
def test_a_record_gives_back_the_result_it_holds(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = make()
    path = tmp_path / "record.json"
    path.write_text(record_json(result), encoding="utf-8")
    back = read_record(path)
    # isolation is the sandbox's JSON; a non-JSON object in it (the hostile sample's) comes back as text
    assert replace(back, isolation={}) == replace(result, isolation={})
    assert back.isolation["level"] == result.isolation["level"]
    assert all(isinstance(v, (str, int, float, bool, list, dict, type(None))) for v in back.isolation.values())


def test_lateness_and_overrides_survive_the_round_trip(tmp_path: Path) -> None:
    partial = samples.make_partial()
    question = replace(partial.questions[0], override="regraded")
    result = replace(partial, questions=(question, *partial.questions[1:]),
                     lateness=Lateness("2026-12-02T00:00:00+00:00", "2026-12-01T00:00:00+00:00", 86400.0, 1.0,
                                       "percent-per-day:10"))
    path = tmp_path / "record.json"
    path.write_text(record_json(result), encoding="utf-8")
    assert read_record(path) == result and read_record(path).score == result.score


def test_anything_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    for text in ('{"version": 2, "result": {}}', '{"version": 1}', "[]", '{"version": 1, "result": {"status": "x"}}'):
        path.write_text(text)
        with pytest.raises(ValueError):
            read_record(path)
