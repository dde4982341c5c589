"""GitHub Actions: the summary, notice and reporter output of ``grade --ci github`` in a simulated
runner environment (its files under tmp_path), and the workflow ``init-ci`` writes."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from autograder.cli import main
from autograder.platforms.github_ci import report_to_github, step_summary
from source_lib.judge.results import SubmissionResult
from tests.conftest import NAME
from tests.conftest import Course as Subject

SCHEMA = json.loads((Path(__file__).parent / "grading_reporter_result.schema.json").read_text())
NO_BIAS = "def compute_gradient(X, y, w, b):\n    e = X @ w - y\n    return X.T @ e / len(y), e.mean()"


@pytest.fixture(scope="module")
def results(linear: Subject) -> dict[str, SubmissionResult]:
    return linear.grade({"ada": linear.notebook_with(), "bo": linear.notebook_with(compute_gradient=NO_BIAS)})


def github_env(tmp_path: Path) -> dict[str, str]:
    return {"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "output")}


def decoded_result(output: Path) -> dict[str, Any]:
    [line] = [x for x in output.read_text().splitlines() if x.startswith("result=")]
    return json.loads(base64.b64decode(line.removeprefix("result=")))


def test_the_reporter_reads_our_result_and_counts_fractional_points(
        results: dict[str, SubmissionResult], tmp_path: Path) -> None:
    env = github_env(tmp_path)
    (tmp_path / "output").write_text("earlier=1\n")  # GitHub's file may hold other outputs: appended to
    stdout = report_to_github(list(results.values()), env)
    document = decoded_result(tmp_path / "output")
    jsonschema.validate(document, SCHEMA)
    assert (tmp_path / "output").read_text().startswith("earlier=1\n")
    # what the reporter's notify-classroom adds up: every test's score against max_score
    total, expected = sum(t["score"] for t in document["tests"]), sum(r.score for r in results.values())
    assert total == pytest.approx(expected) and document["max_score"] == sum(r.max_score for r in results.values())
    assert any(0 < t["score"] % 1 for t in document["tests"])  # bo's 0.6 of compute_gradient counts as 0.6
    assert document["status"] == "fail"
    assert {t["name"] for t in document["tests"]} >= {"ada: compute_gradient", "bo: compute_gradient"}
    failed = next(t for t in document["tests"] if t["name"] == "bo: compute_gradient")
    assert failed["status"] == "fail" and failed["message"].startswith("Result: partial, 0.6/3.")
    assert stdout == [f"::notice title=Autograding complete::Points {expected:g}/{document['max_score']:g}"]


def test_the_summary_is_a_table_of_students_and_questions(results: dict[str, SubmissionResult]) -> None:
    page = step_summary([results["ada"], results["bo"]])
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    header, ada, bo = rows
    questions = [q.question_id for q in results["ada"].questions]
    assert header.split(" | ")[3:-1] == questions[:-1] and header.rstrip(" |").endswith(questions[-1])
    assert ada.startswith("| ada | graded | 14/14 |") and "| manual |" in ada
    assert "| 0.6/3 |" in bo


def test_a_student_id_cannot_break_the_table(results: dict[str, SubmissionResult]) -> None:
    from dataclasses import replace

    odd = replace(results["ada"], student="x | <script>alert(1)</script>\nnew row")
    row = step_summary([odd]).splitlines()[4]
    assert "<script>" not in row and row.count(" | ") == len(odd.questions) + 2


@pytest.mark.slow
def test_grade_with_ci_github_writes_into_the_runner_files(linear: Subject, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    notebook = tmp_path / "submissions" / "ada.ipynb"
    notebook.parent.mkdir()
    notebook.write_text(linear.notebook_with())
    for name, value in github_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    assert main(["grade", NAME, str(notebook), "--out", str(tmp_path / "reports"), "--ci", "github",
                 "--quiet", "--workers", "1"]) == 0
    assert "::notice title=Autograding complete::Points 14/14" in capsys.readouterr().out
    document = decoded_result(tmp_path / "output")
    assert document["status"] == "pass" and len(document["tests"]) == len(linear.assignment.auto_questions)
    assert "| ada | graded | 14/14 |" in (tmp_path / "summary.md").read_text()


def test_init_ci_writes_a_workflow_with_pinned_actions_and_grader(tmp_path: Path) -> None:
    out = tmp_path / "grade.yml"
    assert main(["init-ci", NAME, "--out", str(out), "--kit", "zeroinit-kit==0.1.0"]) == 0
    flow = yaml.safe_load(out.read_text())
    steps = flow["jobs"]["grade"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", u) for u in uses)
    runs = " ".join(s.get("run", "") for s in steps)
    assert 'pip install "zeroinit-kit==0.1.0"' in runs and "apparmor_restrict_unprivileged_userns=0" in runs
    assert f"autograder grade {NAME} submissions/{NAME} --course ." in runs and "--ci github" in runs
    assert flow["jobs"]["grade"]["runs-on"] == "ubuntu-24.04" and flow["permissions"] == {"contents": "read"}
    assert any(s.get("if") == "always()" and "upload-artifact" in s.get("uses", "") for s in steps)
    assert main(["init-ci", NAME, "--out", str(out)]) == 2  # never overwritten
    assert main(["init-ci", NAME, "--out", str(tmp_path / "b.yml"), "--kit", "zeroinit-kit"]) == 2  # unpinned
    assert main(["init-ci", "no_such_assignment", "--out", str(tmp_path / "c.yml")]) == 2
    assert not (tmp_path / "b.yml").exists() and not (tmp_path / "c.yml").exists()


def _autograder_commands(flow: dict[str, Any]) -> list[list[str]]:
    """Every ``autograder ...`` command the workflow's steps run, as argument lists."""
    import shlex

    runs = [step.get("run", "") for job in flow["jobs"].values() for step in job["steps"]]
    return [shlex.split(r.replace("${{ matrix.shard }}", "0"))[1:] for r in runs if r.startswith("autograder ")]


@pytest.mark.parametrize("matrix", [None, 4])
def test_every_command_of_the_workflows_is_one_the_grader_accepts(tmp_path: Path, matrix: int | None) -> None:
    from autograder.cli import _parser

    out = tmp_path / "grade.yml"
    assert main(["init-ci", NAME, "--out", str(out), *(["--matrix", str(matrix)] if matrix else [])]) == 0
    commands = _autograder_commands(yaml.safe_load(out.read_text()))
    assert len(commands) == (2 if matrix else 1)
    parsed = [_parser().parse_args(argv) for argv in commands]  # SystemExit on an unknown option
    assert [p.command for p in parsed] == (["grade", "merge"] if matrix else ["grade"])
    assert parsed[-1].ci == "github"  # the job that sees the whole class reports it


def test_init_ci_matrix_grades_shards_in_parallel_and_merges_them(tmp_path: Path) -> None:
    out = tmp_path / "grade.yml"
    assert main(["init-ci", NAME, "--out", str(out), "--matrix", "5", "--kit", "zeroinit-kit==0.1.0"]) == 0
    flow = yaml.safe_load(out.read_text())
    grade, merge = flow["jobs"]["grade"], flow["jobs"]["merge"]
    assert grade["strategy"]["matrix"]["shard"] == [0, 1, 2, 3, 4] and grade["strategy"]["fail-fast"] is False
    grade_cmd, merge_cmd = _autograder_commands(flow)
    assert grade_cmd[grade_cmd.index("--shard") + 1] == "0/5"
    upload = next(s for s in grade["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == f"shard-{NAME}-${{{{ matrix.shard }}}}"  # unique per job (artifact v4)
    download = next(s for s in merge["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["pattern"] == f"shard-{NAME}-*" and "merge-multiple" not in download["with"]
    assert merge_cmd[:2] == ["merge", f"shards/shard-{NAME}-*"]  # one folder per shard, as downloaded
    assert merge["needs"] == "grade" and "cancelled" in merge["if"]
    assert main(["init-ci", NAME, "--out", str(tmp_path / "x.yml"), "--matrix", "257"]) == 2
    assert not (tmp_path / "x.yml").exists()


def test_the_step_summary_stays_within_githubs_size_limit(results: dict[str, SubmissionResult]) -> None:
    from dataclasses import replace

    many = [replace(results["ada"], student=f"student{k:05d}") for k in range(5000)]
    text = step_summary(many)
    assert len(text.encode()) < 1 << 20 and "4000 more submissions" in text
