"""The command line end to end, as CI and instructors run it (a real subprocess each time).

The bundled samples of every assignment (``assignments/samples/<name>/``) are graded as
``kit.py demo`` grades them; the tests named after a sample student check what
linear_regression's samples show.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import kit
from autograder.config import CourseLayout
from autograder.declarations import available
from autograder.report.bundle import BATCH_FILES, CLASS_FILES
from tests.conftest import NAME

ROOT = Path(__file__).resolve().parent.parent
SAMPLED = sorted(p.name for p in (ROOT / "assignments" / "samples").iterdir() if p.is_dir())
SAMPLES = ROOT / "assignments" / "samples" / NAME  # linear_regression's, for the tests of its students


def autograder(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sample_students(name: str) -> list[str]:
    return sorted(p.name for p in (ROOT / "assignments" / "samples" / name / "submitted").iterdir() if p.is_dir())


def test_every_assignment_has_bundled_samples() -> None:
    missing = sorted(set(available(CourseLayout.default())) - set(SAMPLED))
    assert missing == [], f"add sample submissions in assignments/samples/<name>/submitted/<student>/ for {missing}"


def test_the_demo_grades_the_samples_of_every_assignment() -> None:
    planned = kit.demo_batches()
    assert [name for name, _, _ in planned] == SAMPLED
    for name, samples, out in planned:
        assert samples == ROOT / "assignments" / "samples" / name and out == ROOT / "demo-reports" / name


@pytest.fixture(scope="module", params=[pytest.param(name, id=name) for name in SAMPLED])
def demo(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, str]]:
    """One assignment's samples graded as ``kit.py demo`` grades them."""
    samples = ROOT / "assignments" / "samples" / request.param
    out = tmp_path_factory.mktemp(f"reports-{request.param}")
    before = digest(samples)
    done = autograder("grade", request.param, str(samples), "--out", str(out), "--workers", "2")
    return done, out, before


def test_batch_exits_zero_and_prints_a_table(demo: tuple, request: pytest.FixtureRequest) -> None:
    done, _, _ = demo
    students = sample_students(request.node.callspec.params["demo"])
    assert done.returncode == 0, done.stderr
    for student in students:
        assert student in done.stdout
    assert "isolation:" in done.stdout
    assert f"[{len(students)}/{len(students)}]" in done.stderr  # progress lines


def test_reports_are_written_for_every_student(demo: tuple, request: pytest.FixtureRequest) -> None:
    _, out, _ = demo
    expected = sample_students(request.node.callspec.params["demo"])
    assert sorted(p.name for p in out.iterdir()) == sorted([*BATCH_FILES, *CLASS_FILES, "students"])  # class report too
    assert sorted(p.name for p in (out / "students").iterdir() if p.is_dir()) == expected
    for student in expected:
        result = json.loads((out / "students" / student / "results.json").read_text())
        assert result["extra_data"]["grader_version"] and result["extra_data"]["isolation"], student
        assert (out / "students" / student / "feedback.html").is_file(), student
    rows = list(csv.DictReader((out / "grades.csv").read_text().splitlines()))
    assert sorted(r["student"] for r in rows) == expected
    assert len(ET.parse(out / "junit.xml").getroot().findall("testsuite")) == len(expected)


def test_input_files_are_never_modified(demo: tuple, request: pytest.FixtureRequest) -> None:
    _, _, before = demo
    assert digest(ROOT / "assignments" / "samples" / request.node.callspec.params["demo"]) == before


@pytest.mark.parametrize("demo", [NAME], indirect=True)
def test_linear_regressions_samples_get_what_they_deserve(demo: tuple) -> None:
    _, out, _ = demo
    assert sample_students(NAME) == ["alice", "bob", "carol", "dave", "erin", "frank", "ivan", "mallory", "trudy"]
    alice = json.loads((out / "students" / "alice" / "results.json").read_text())
    assert alice["score"] == 14 and all(t["status"] == "passed" for t in alice["tests"] if "score" in t)
    ivan = json.loads((out / "students" / "ivan" / "results.json").read_text())
    assert ivan["extra_data"]["status"] == "ungradable" and "not a notebook" in ivan["extra_data"]["reason"]
    rows = list(csv.DictReader((out / "grades.csv").read_text().splitlines()))
    assert {r["student"]: float(r["score"]) for r in rows}["alice"] == 14
    # trudy handed in carol's notebook, disguised (tests/test_similarity.py finds it): the same marks
    assert [r for r in rows if r["student"] == "trudy"][0] | {"student": "carol"} == \
        [r for r in rows if r["student"] == "carol"][0]


@pytest.mark.parametrize("demo", [NAME], indirect=True)
def test_misconceptions_reach_the_student_reports(demo: tuple) -> None:
    _, out, _ = demo
    carol = json.loads((out / "students" / "carol" / "results.json").read_text())
    gradient = next(t for t in carol["tests"] if t["name"].startswith("compute_gradient"))
    assert gradient["score"] == 0 and "did you forget 1/m" in gradient["output"]
    dave = (out / "students" / "dave" / "feedback.html").read_text()
    assert "dj_dw first, then dj_db" in dave


@pytest.mark.parametrize("demo", [NAME], indirect=True)
def test_hostile_sample_gains_nothing(demo: tuple) -> None:
    _, out, _ = demo
    mallory = json.loads((out / "students" / "mallory" / "results.json").read_text())
    scores = {t["name"].split()[0]: t.get("score") for t in mallory["tests"]}
    assert scores["compute_cost"] == 0 and scores["compute_gradient"] == 0 and scores["dJ_dw"] == 0
    assert mallory["score"] < 14
    assert not Path("/tmp/pwned").exists()


def test_fail_under_with_one_submission(tmp_path: Path) -> None:
    bob = SAMPLES / "submitted" / "bob"
    done = autograder("grade", "linear_regression", str(bob), "--out", str(tmp_path), "--fail-under", "50")
    assert done.returncode == 1 and "below --fail-under" in done.stderr
    alice = SAMPLES / "submitted" / "alice"
    done = autograder("grade", "linear_regression", str(alice), "--out", str(tmp_path), "--fail-under", "100")
    assert done.returncode == 0, done.stderr


def test_json_summary_on_stdout_and_json_progress_on_stderr(tmp_path: Path) -> None:
    done = autograder("grade", "linear_regression", str(SAMPLES / "submitted"), "--out", str(tmp_path / "out"),
                      "--json", "--progress", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # nothing else on stdout
    assert summary["assignment"] == "linear_regression" and len(summary["students"]) == len(sample_students(NAME))
    assert summary == json.loads((tmp_path / "out" / "batch.json").read_text())
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [e["done"] for e in events] == list(range(1, len(summary["students"]) + 1))
    assert all(e["total"] == len(summary["students"]) and e["eta_seconds"] >= 0 for e in events)


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


def test_the_command_skips_teardown_but_keeps_output_exit_code_and_exit_handlers() -> None:
    """``run`` leaves with os._exit (0.2 s saved): buffered output, atexit handlers and the code survive."""
    script = ("import atexit, sys\n"
              "from autograder import cli\n"
              "atexit.register(lambda: print('exit handler ran'))\n"
              "cli.main = lambda: (print('buffered output', end=' '), sys.stderr.write('to stderr'), 3)[-1]\n"
              "cli.run()\n"
              "print('never reached')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == "buffered output exit handler ran\n"
    assert done.stderr == "to stderr"
