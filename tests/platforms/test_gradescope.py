"""The Gradescope autograder zip, and its run in a local replica of Gradescope's directory contract
(``/autograder/source``, ``submission/``, ``results/``, ``submission_metadata.json``) under tmp_path."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from autograder.config import CourseLayout
from autograder.declarations import load
from autograder.platforms.gradescope_zip import CORE_REQUIREMENTS, build_zip
from tests.conftest import NAME
from tests.conftest import Course as Subject

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
SAMPLES = CourseLayout.default().root / "assignments" / "samples" / NAME / "submitted"
METADATA = {"id": 7, "created_at": "2026-12-02T10:30:00.000000-08:00",
            "assignment": {"due_date": "2026-12-01T23:59:00.000000-08:00",
                           "late_due_date": "2026-12-03T23:59:00.000000-08:00", "total_points": "16.0"},
            "users": [{"email": "carol@example.edu", "id": 42, "name": "Carol"}], "previous_submissions": []}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip, with its dependencies resolved by pip for Gradescope's Python 3.10."""
    return build_zip(NAME, CourseLayout.default(), tmp_path_factory.mktemp("zip") / "autograder.zip").path


@pytest.mark.slow
def test_the_zip_holds_executable_lf_scripts_pinned_core_deps_and_one_course(built: Path) -> None:
    archive = zipfile.ZipFile(built)
    members = {info.filename: info for info in archive.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert members[script].external_attr >> 16 & 0o777 == 0o755
        text = archive.read(script)
        assert text.startswith(b"#!/usr/bin/env bash\n") and b"\r" not in text
    pins = archive.read("requirements.txt").decode().split()
    assert all("==" in pin for pin in pins)
    names = {pin.split("==")[0].lower() for pin in pins}
    assert {r.split(">=")[0] for r in CORE_REQUIREMENTS} <= names and not names & {"nbgrader", "jupyter", "notebook"}
    assert next(pin for pin in pins if pin.startswith("numpy==")) < "numpy==2.3"  # numpy 2.3 dropped Python 3.10
    course = sorted(n for n in members if n.startswith("course/"))
    assert course == ["course/assignments/linear_regression.ipynb", "course/gradescope.json", "course/hidden_seed",
                      "course/solutions/descent_mistakes.py", "course/solutions/linear_regression.ipynb",
                      "course/solutions/linear_regression.py"]  # no other assignment's declaration
    assert int(archive.read("course/hidden_seed")) != load(NAME).seed  # a fresh secret, not the default
    wheel = zipfile.ZipFile(io.BytesIO(archive.read(next(n for n in members if n.endswith(".whl")))))
    assert "autograder/platforms/gradescope_run.py" in wheel.namelist()
    assert not [n for n in wheel.namelist() if n.startswith("solutions/") or n.endswith(".ipynb")]


def replica(tmp_path: Path, zip_path: Path, notebooks: dict[str, str], metadata: dict[str, Any] | None) -> Path:
    """Gradescope's /autograder, under tmp_path: the zip unpacked into source/, the submission beside."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    for name, text in notebooks.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def run_autograder(root: Path, python: str = sys.executable) -> dict[str, Any]:
    env = {**os.environ, "ZEROINIT_GRADESCOPE_ROOT": str(root), "ZEROINIT_PYTHON": python}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(document, SCHEMA)
    assert not list((root / "results").glob(".*"))  # no staging file left behind
    return document


@pytest.mark.slow
def test_a_run_grades_the_submission_as_the_batch_does(built: Path, tmp_path: Path, linear: Subject) -> None:
    carol = (SAMPLES / "carol" / NAME / f"{NAME}.ipynb").read_text()
    document = run_autograder(replica(tmp_path, built, {f"{NAME}.ipynb": carol}, METADATA))
    [batch] = linear.grade({"carol": carol}).values()  # other hidden cases (the zip's seed); carol's
    assert 0 < batch.score < batch.max_score            # mistakes fail them all the same
    assert document["score"] == pytest.approx(batch.score)
    assert [t["score"] for t in document["tests"] if "score" in t] == pytest.approx(
        [q.score for q in batch.questions if not q.manual])
    assert document["extra_data"]["lateness"] == {  # from the metadata, in UTC; the default policy: none
        "submitted_at": "2026-12-02T18:30:00+00:00", "due": "2026-12-02T07:59:00+00:00",
        "late_seconds": 10 * 3600 + 31 * 60, "penalty": 0.0, "policy": "none", "raw_score": batch.score}
    assert "Submitted 10 h 31 min after the due date; no points were taken off." in document["output"]
    assert document["extra_data"]["student"] == "carol@example.edu"


@pytest.mark.slow
def test_a_run_that_fails_still_leaves_a_valid_result(built: Path, tmp_path: Path) -> None:
    alice = (SAMPLES / "alice" / NAME / f"{NAME}.ipynb").read_text()
    killed = run_autograder(replica(tmp_path / "a", built, {"x.ipynb": alice}, METADATA), python="/bin/false")
    assert killed["extra_data"] == {"autograder_error": True} and "not your fault" in killed["tests"][0]["output"]
    root = replica(tmp_path / "b", built, {"x.ipynb": alice}, None)
    (root / "source" / "course" / "gradescope.json").write_text("{corrupt")
    broken = run_autograder(root)
    assert broken["extra_data"] == {"autograder_error": True} and broken["score"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(("notebooks", "told"), [({}, "No notebook was submitted: upload your linear_regression"),
                                                  ({"a.ipynb": "{}", "b.ipynb": "{}"}, "Several notebooks")])
def test_a_submission_without_one_notebook_is_told_what_to_upload(built: Path, tmp_path: Path,
                                                                   notebooks: dict[str, str], told: str) -> None:
    document = run_autograder(replica(tmp_path, built, notebooks, METADATA))
    assert document["score"] == 0 and document["tests"][0]["output"].startswith(told)
    assert "autograder_error" not in document["extra_data"]


@pytest.mark.slow
def test_setup_keeps_the_solution_run_so_each_run_skips_it(built: Path, tmp_path: Path) -> None:
    alice = (SAMPLES / "alice" / NAME / f"{NAME}.ipynb").read_text()
    root = replica(tmp_path, built, {f"{NAME}.ipynb": alice}, METADATA)
    from autograder.cli import main

    assert main(["gradescope-run", "--root", str(root), "--warm"]) == 0  # what setup.sh runs
    cache = root / "source" / "course" / "reference-cache"
    kept = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.glob("*.json")}
    assert sorted(name.rsplit(".", 2)[1] for name in kept) == ["prints", "records"]
    document = run_autograder(root)
    scored = [t for t in document["tests"] if "max_score" in t]
    assert scored and all(t["score"] == t["max_score"] for t in scored)  # the correct sample, in full
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.glob("*.json")} == kept  # not rewritten
