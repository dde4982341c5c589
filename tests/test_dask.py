"""--executor dask: shards of a batch graded on a real Dask cluster (two worker processes), each in a
``grade --shard`` child of its own, give the reports of one unsharded run on this machine."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from autograder.dask_executor import grade_on_dask, read_submission_list, run_shard, shard_payloads
from autograder.errors import ConfigError
from autograder.notebook import Submissions
from autograder.shards import shard_of
from tests.test_cli import SAMPLES, autograder
from tests.test_shards import _untimed

NAME = "linear_regression"

pytestmark = pytest.mark.slow  # real sandboxes, whole batches


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_batch_graded_on_dask_equals_one_graded_here(scheduler: str, tmp_path: Path) -> None:
    here = autograder("grade", NAME, str(SAMPLES), "--out", str(tmp_path / "here"), "--quiet")
    assert here.returncode == 0, here.stderr
    done = autograder("grade", NAME, str(SAMPLES), "--out", str(tmp_path / "dask"), "--executor", "dask",
                      "--scheduler", scheduler, "--shards", "3")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("graded:") == 3 and "(3 shards)" in done.stdout
    assert _untimed(tmp_path / "dask") == _untimed(tmp_path / "here")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no shard folder left behind


def test_the_cluster_size_sets_the_number_of_shards(scheduler: str, tmp_path: Path) -> None:
    done = autograder("grade", NAME, str(SAMPLES), "--out", str(tmp_path / "dask"), "--executor", "dask",
                      "--scheduler", scheduler, "--json")
    assert done.returncode == 0, done.stderr
    samples = sorted(p.name for p in (SAMPLES / "submitted").iterdir())
    assert [s["student"] for s in json.loads(done.stdout)["students"]] == samples and "/2 graded" in done.stderr


def test_dask_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    missing = autograder("grade", NAME, str(SAMPLES), "--out", str(tmp_path / "o"), "--executor", "dask")
    assert missing.returncode == 2 and "needs --scheduler" in missing.stderr
    clash = autograder("grade", NAME, str(SAMPLES), "--out", str(tmp_path / "o"), "--executor", "dask",
                       "--scheduler", "tcp://127.0.0.1:9", "--resume")
    assert clash.returncode == 2 and "does not take --resume" in clash.stderr
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        grade_on_dask(NAME, Submissions.find([SAMPLES], NAME), tmp_path / "o", "tcp://127.0.0.1:9", None, [],
                      print, connect_seconds=1)
    assert not (tmp_path / "o").exists()


def test_a_shard_task_carries_its_files_and_the_whole_class(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    (samples / "submitted" / "alice" / NAME / "timestamp.txt").write_text("2026-11-29 12:00:00 UTC\n")
    found = Submissions.find([samples], NAME)
    payloads = shard_payloads(found, 2)
    assert sum(len(json.loads(p["submissions.json"])["files"]) for p in payloads.values()) == len(found.files)
    blobs = payloads[shard_of("alice", 2)]
    for name, data in blobs.items():
        (tmp_path / "task" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "task" / name).write_bytes(data)
    listed = read_submission_list(tmp_path / "task" / "submissions.json")
    assert listed.students == found.students  # every student of the batch, for the merge
    here = {str(f.path): f.path for f in found.files}
    assert {f.source for f in listed.files} <= set(here)
    for item in listed.files:  # the notebook and its timestamp (the late policy reads it) travel together
        assert item.path.read_bytes() == here[item.source].read_bytes()
        stamp = here[item.source].parent / "timestamp.txt"
        assert item.path.parent.joinpath("timestamp.txt").is_file() == stamp.is_file()
    assert any(item.student == "alice" for item in listed.files)


def test_a_failing_shard_task_says_why(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="shard 0/1 .*unknown assignment 'nope'"):
        run_shard("nope", "0/1", shard_payloads(Submissions.find([SAMPLES], NAME), 1)[0], [])
    (tmp_path / "submissions.json").write_text('{"seen": [], "files": [{"student": "x", "path": "../x"}]}')
    with pytest.raises(ConfigError, match="not a submission list"):
        read_submission_list(tmp_path / "submissions.json")
