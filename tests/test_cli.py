"""The command line end to end, as CI and instructors run it (a real subprocess each time)."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "assignments" / "samples" / "linear_regression"


def autograder(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("reports")
    before = digest(SAMPLES)
    done = autograder("grade", "linear_regression", str(SAMPLES), "--out", str(out), "--workers", "2")
    return done, out, before


def test_batch_exits_zero_and_prints_a_table(demo: tuple) -> None:
    done, _, _ = demo
    assert done.returncode == 0, done.stderr
    for student in ("alice", "bob", "carol", "ivan", "mallory"):
        assert student in done.stdout
    assert "isolation:" in done.stdout
    assert "[8/8]" in done.stderr  # progress lines


def test_reports_are_written_for_every_student(demo: tuple) -> None:
    _, out, _ = demo
    students = sorted(p.name for p in (out / "students").iterdir() if p.is_dir())
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv", "junit.xml", "students"]
    assert students == ["alice", "bob", "carol", "dave", "erin", "frank", "ivan", "mallory"]
    alice = json.loads((out / "students" / "alice" / "results.json").read_text())
    assert alice["score"] == 14 and all(t["status"] == "passed" for t in alice["tests"] if "score" in t)
    assert alice["extra_data"]["grader_version"] and alice["extra_data"]["isolation"]
    ivan = json.loads((out / "students" / "ivan" / "results.json").read_text())
    assert ivan["extra_data"]["status"] == "ungradable" and "not a notebook" in ivan["extra_data"]["reason"]
    rows = list(csv.DictReader((out / "grades.csv").read_text().splitlines()))
    assert {r["student"]: float(r["score"]) for r in rows}["alice"] == 14
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert len(suites) == 8


def test_misconceptions_reach_the_student_reports(demo: tuple) -> None:
    _, out, _ = demo
    carol = json.loads((out / "students" / "carol" / "results.json").read_text())
    gradient = next(t for t in carol["tests"] if t["name"].startswith("compute_gradient"))
    assert gradient["score"] == 0 and "did you forget 1/m" in gradient["output"]
    dave = (out / "students" / "dave" / "feedback.html").read_text()
    assert "dj_dw first, then dj_db" in dave


def test_hostile_sample_gains_nothing(demo: tuple) -> None:
    _, out, _ = demo
    mallory = json.loads((out / "students" / "mallory" / "results.json").read_text())
    scores = {t["name"].split()[0]: t.get("score") for t in mallory["tests"]}
    assert scores["compute_cost"] == 0 and scores["compute_gradient"] == 0 and scores["dJ_dw"] == 0
    assert mallory["score"] < 14
    assert not Path("/tmp/pwned").exists()


def test_input_files_are_never_modified(demo: tuple) -> None:
    _, _, before = demo
    assert digest(SAMPLES) == before


def test_fail_under_with_one_submission(tmp_path: Path) -> None:
    bob = SAMPLES / "submitted" / "bob"
    done = autograder("grade", "linear_regression", str(bob), "--out", str(tmp_path), "--fail-under", "50")
    assert done.returncode == 1 and "below --fail-under" in done.stderr
    alice = SAMPLES / "submitted" / "alice"
    done = autograder("grade", "linear_regression", str(alice), "--out", str(tmp_path), "--fail-under", "100")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("args, message", [
    (["grade", "no_such_assignment", str(SAMPLES), "--out", "x"], "unknown assignment"),
    (["grade", "linear_regression", "/nonexistent/folder", "--out", "x"], "no submissions found"),
    (["grade", "linear_regression", str(SAMPLES), "--out", str(SAMPLES / "reports")], "inside the submissions"),
    (["grade", "linear_regression", str(SAMPLES), "--out", "x", "--fail-under", "50"], "exactly one submission"),
    (["grade", "linear_regression", str(SAMPLES), "--out", "x", "--workers", "0"], "--workers"),
])
def test_usage_errors_exit_2_with_a_clear_message(args: list[str], message: str, tmp_path: Path) -> None:
    done = autograder(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_validate_reports_every_check_and_exits_zero() -> None:
    done = autograder("validate", "linear_regression")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(("ok", "FAIL"))]
    assert len(lines) >= 2 + 20 + 1 and all(ln.startswith("ok") for ln in lines)
    assert "solution scores full marks" in done.stdout and "blank release scores 0" in done.stdout
    assert "release in sync" in done.stdout
