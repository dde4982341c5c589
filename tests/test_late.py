"""Late work: the time comes from nbgrader's timestamp.txt (or Gradescope's metadata), the policy
takes its points off the automatic score, and every report says so."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.errors import ConfigError
from autograder.late import LatePolicy, LateRule, parse_time, with_lateness
from autograder.report._text import lateness_sentence
from autograder.report.feedback_html import feedback_html
from tests.conftest import NAME
from tests.conftest import Course as Subject
from tests.report.report_samples import make_full

DUE = datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc)


def test_times_are_read_as_nbgrader_and_iso_8601_write_them() -> None:
    assert parse_time("2026-11-29 12:00:00.000000 UTC") == datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
    assert parse_time("2026-12-02T10:30:00-08:00") == datetime(2026, 12, 2, 18, 30, tzinfo=timezone.utc)
    assert parse_time("2026-12-02T10:30:00Z") == parse_time("2026-12-02 10:30:00")  # no offset: UTC
    assert parse_time("yesterday") is None and parse_time("") is None


@pytest.mark.parametrize(("policy", "late_hours", "share_off"), [
    ("none", 50, 0.0), ("zero", 0.01, 1.0), ("zero", 0, 0.0),
    ("percent-per-day:10", 1, 0.1), ("percent-per-day:10", 25, 0.2), ("percent-per-day:50", 100, 1.0),
    ("late-days:2", 47, 0.0), ("late-days:2", 49, 1.0)])
def test_each_policy_takes_off_what_it_says(policy: str, late_hours: float, share_off: float) -> None:
    full = make_full()
    assert full.raw_score == full.max_score == 10.0
    late = with_lateness(full, DUE + timedelta(hours=late_hours), DUE, LatePolicy.parse(policy))
    assert late.lateness is not None and late.lateness.penalty == pytest.approx(10.0 * share_off)
    assert late.score == pytest.approx(10.0 * (1 - share_off)) and late.raw_score == 10.0


def test_bad_policies_and_unknown_times_are_named() -> None:
    for bad in ("percent-per-day:0", "percent-per-day:150", "late-days:x", "half", ""):
        with pytest.raises(ConfigError, match="--late-policy"):
            LatePolicy.parse(bad)
    unknown = with_lateness(make_full(), None, DUE, LatePolicy.parse("zero"))
    assert unknown.score == 10.0 and lateness_sentence(unknown.lateness) == (  # type: ignore[arg-type]
        "No submission time was recorded, so no late penalty applies.")


def test_the_student_reads_how_late_and_what_it_cost() -> None:
    late = with_lateness(make_full(), DUE + timedelta(days=1, hours=3), DUE, LatePolicy.parse("percent-per-day:10"))
    sentence = "Submitted 1 d 3 h after the due date; the late policy (percent-per-day:10) took 2 points off."
    assert lateness_sentence(late.lateness) == sentence  # type: ignore[arg-type]
    page = feedback_html(late)
    assert sentence in page and "<b>8 / 10</b>" in page
    on_time = with_lateness(make_full(), DUE - timedelta(minutes=1), DUE, LatePolicy.parse("zero"))
    assert "Submitted on time." in feedback_html(on_time)


def test_a_rule_reads_the_timestamp_beside_the_notebook(tmp_path: Path) -> None:
    folder = tmp_path / "submitted" / "ana" / NAME
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-12-02 01:59:00.000000 UTC\n")
    result = replace(make_full(), source=str(folder / f"{NAME}.ipynb"))
    late = LateRule(DUE, LatePolicy.parse("zero")).apply(result)
    assert late.lateness is not None and late.lateness.late_seconds == 7200 and late.score == 0


@pytest.mark.slow
def test_grade_with_a_due_date_penalises_and_reports_it(linear: Subject, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    for student, stamp in (("ana", "2026-12-01 20:00:00 UTC"), ("ben", "2026-12-03 08:00:00 UTC"), ("cy", None)):
        folder = tmp_path / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(linear.notebook_with())
        if stamp:
            (folder / "timestamp.txt").write_text(stamp + "\n")
    out = tmp_path / "out"
    assert main(["grade", NAME, str(tmp_path / "submitted"), "--out", str(out), "--due", "2026-12-01T23:59:00Z",
                 "--late-policy", "percent-per-day:25", "--quiet", "--workers", "1"]) == 0
    with (out / "grades.csv").open(newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert [rows[s]["score"] for s in ("ana", "ben", "cy")] == ["14", "7", "14"]  # ben: 2 started days, 50% off
    assert rows["ben"]["late_penalty"] == "7" and rows["ben"]["submitted_at"] == "2026-12-03T08:00:00+00:00"
    assert rows["cy"]["submitted_at"] == "" and rows["ana"]["late_days"] == "0"
    batch = {s["student"]: s for s in json.loads((out / "batch.json").read_text())["students"]}
    assert batch["ben"]["raw_score"] == 14 and batch["ben"]["lateness"]["policy"] == "percent-per-day:25"
    results = json.loads((out / "students" / "ben" / "results.json").read_text())
    assert results["score"] == 7 and "took 7 points off" in results["output"]
    assert main(["grade", NAME, str(tmp_path / "submitted"), "--out", str(tmp_path / "o2"),
                 "--late-policy", "zero"]) == 2  # a policy without a due date
    assert "--late-policy needs --due" in capsys.readouterr().err
