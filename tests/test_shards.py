"""Shards: ``grade --shard I/N`` on any machine, then ``merge``, gives the reports of one unsharded run;
shards of different batches, a shard given twice and missing students are refused by name."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from autograder.batch import grade_batch
from autograder.config import GradingConfig
from autograder.errors import ConfigError
from autograder.merge import merge_shards
from autograder.shards import Shard, shard_of
from tests.test_cli import SAMPLES, autograder
from tests.test_pipeline_fake import MINI, SOLUTION_CELLS, AllCorrect, mini_course, notebook_text

STUDENTS = [f"s{k:02d}" for k in range(14)] + ["Zoë Ä", "o'brien", "x" * 90]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> GradingConfig:
    return mini_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for k, name in enumerate(STUDENTS):
        pick = '"B"' if k % 3 else '"A"'
        (folder / f"{name}.ipynb").write_text(notebook_text({**SOLUTION_CELLS, "pick": f"pick = {pick}"}), "utf-8")
    return folder


def _untimed(folder: Path) -> dict[str, str]:
    """Every file of a batch, with its timings blanked and the sandbox workers (the uid of the one that
    ran each notebook, how many there were) made anonymous: all two runs of one batch may differ in."""
    timing = re.compile(r'(time="|"execution_time": |"seconds": |"compute_seconds": )[0-9.e-]+')
    worker = re.compile(r'("uid": |uid )600\d\d|("workers": )\d+')
    return {str(p.relative_to(folder)): worker.sub(r"\1\2W", timing.sub(r"\1T", p.read_text(encoding="utf-8")))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _shards(course: GradingConfig, submissions: Path, root: Path, count: int) -> list[Path]:
    folders = [root / f"shard-{i}" for i in range(count)]
    for i, folder in enumerate(folders):
        grade_batch(MINI, [submissions], folder, course, runner=AllCorrect(), shard=Shard(i, count))
    return folders


def test_membership_depends_only_on_the_student_id() -> None:
    ids = [f"student{k}" for k in range(600)]
    for count in (1, 2, 3, 7):
        parts = [[s for s in ids if Shard(i, count).holds(s)] for i in range(count)]
        assert sorted(sum(parts, [])) == sorted(ids)  # each student in exactly one shard
        assert all(len(p) > 600 / count / 2 for p in parts)  # and the shards are not lopsided
        assert [shard_of(s, count) for s in reversed(ids)] == [shard_of(s, count) for s in ids][::-1]


@pytest.mark.parametrize("spec", ["3/3", "-1/2", "1", "a/b", "0/0", "1/2/3"])
def test_a_bad_shard_is_refused(spec: str) -> None:
    with pytest.raises(ConfigError, match="--shard"):
        Shard.parse(spec)


def test_three_merged_shards_equal_one_unsharded_run(course: GradingConfig, submissions: Path,
                                                     tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    grade_batch(MINI, [submissions], whole, course, runner=AllCorrect())
    folders = _shards(course, submissions, tmp_path, 3)
    sizes = [len(list((f / "students").iterdir())) for f in folders]
    assert sum(sizes) == len(STUDENTS) and all(sizes)
    # a student's reports are copied from the shard; one the shard lacks is written again from the record
    next((folders[0] / "students").iterdir()).joinpath("feedback.html").unlink()
    merged = merge_shards(list(reversed(folders)), tmp_path / "merged")
    assert len(merged.results) == len(STUDENTS) and merged.warnings == ()
    assert _untimed(tmp_path / "merged") == _untimed(whole)
    assert (tmp_path / "merged" / "grades.csv").read_bytes() == (whole / "grades.csv").read_bytes()


def test_an_empty_shard_is_a_valid_shard(course: GradingConfig, submissions: Path, tmp_path: Path) -> None:
    count = 40  # more shards than students: some hold nobody
    empty = next(i for i in range(count) if not any(Shard(i, count).holds(s) for s in STUDENTS))
    summary = grade_batch(MINI, [submissions], tmp_path / "e", course, runner=AllCorrect(), shard=Shard(empty, count))
    assert list(summary.results) == []
    assert json.loads((tmp_path / "e" / "batch.json").read_text())["students_seen"] == sorted(STUDENTS)


def test_merge_names_the_missing_students_and_merges_them_only_when_allowed(
        course: GradingConfig, submissions: Path, tmp_path: Path) -> None:
    folders = _shards(course, submissions, tmp_path, 3)
    absent = sorted(s for s in STUDENTS if Shard(1, 3).holds(s))
    with pytest.raises(ConfigError, match=rf"{len(absent)} of {len(STUDENTS)} students have no result: "
                                          rf"{re.escape(absent[0])}.*shards 1/3 are missing"):
        merge_shards([folders[0], folders[2]], tmp_path / "merged")
    assert not (tmp_path / "merged").exists()
    merged = merge_shards([folders[0], folders[2]], tmp_path / "merged", allow_missing=True)
    assert len(merged.results) == len(STUDENTS) - len(absent) and "have no result" in merged.warnings[0]
    shutil.rmtree(folders[2] / "students" / sorted((folders[2] / "students").iterdir())[0].name)
    with pytest.raises(ConfigError, match="students have no result"):  # a record lost inside a shard
        merge_shards(folders, tmp_path / "again")


def test_merge_refuses_shards_of_different_batches(course: GradingConfig, submissions: Path,
                                                   tmp_path: Path) -> None:
    folders = _shards(course, submissions, tmp_path, 2)
    with pytest.raises(ConfigError, match="shard 0/2 is given 2 times"):
        merge_shards([folders[0], folders[0], folders[1]], tmp_path / "m")
    other_seed = tmp_path / "seed"
    from dataclasses import replace
    grade_batch(MINI, [submissions], other_seed, replace(course, seed=99), runner=AllCorrect(), shard=Shard(1, 2))
    with pytest.raises(ConfigError, match="differ in seed"):
        merge_shards([folders[0], other_seed], tmp_path / "m")
    three = tmp_path / "three"
    grade_batch(MINI, [submissions], three, course, runner=AllCorrect(), shard=Shard(1, 3))
    with pytest.raises(ConfigError, match="different numbers of parts"):
        merge_shards([folders[0], three], tmp_path / "m")
    whole = tmp_path / "whole"
    grade_batch(MINI, [submissions], whole, course, runner=AllCorrect())
    with pytest.raises(ConfigError, match="is not a shard"):
        merge_shards([folders[0], whole], tmp_path / "m")
    summary = json.loads((folders[1] / "batch.json").read_text())
    summary["grader_version"] = "0.0.1"
    (folders[1] / "batch.json").write_text(json.dumps(summary))
    with pytest.raises(ConfigError, match="differ in grader version"):
        merge_shards(folders, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_merge_refuses_a_shard_holding_another_shards_student(course: GradingConfig, submissions: Path,
                                                              tmp_path: Path) -> None:
    folders = _shards(course, submissions, tmp_path, 2)
    stray = sorted((folders[1] / "students").iterdir())[0]
    shutil.copytree(stray, folders[0] / "students" / stray.name)
    with pytest.raises(ConfigError, match="holds students of other shards"):
        merge_shards(folders, tmp_path / "m")


@pytest.mark.slow
def test_the_command_line_shards_and_merges_the_samples(tmp_path: Path) -> None:
    whole = autograder("grade", "linear_regression", str(SAMPLES), "--out", str(tmp_path / "whole"), "--quiet")
    assert whole.returncode == 0, whole.stderr
    for i in range(3):
        done = autograder("grade", "linear_regression", str(SAMPLES), "--out", str(tmp_path / f"s{i}"),
                          "--shard", f"{i}/3", "--quiet")
        assert done.returncode == 0, done.stderr
    merged = autograder("merge", *(str(tmp_path / f"s{i}") for i in range(3)), "--out", str(tmp_path / "m"))
    assert merged.returncode == 0, merged.stderr
    assert "merged from 3 of 3 shard(s)" in merged.stdout
    assert _untimed(tmp_path / "m") == _untimed(tmp_path / "whole")
    missing = autograder("merge", str(tmp_path / "s0"), "--out", str(tmp_path / "m2"))
    assert missing.returncode == 2 and "have no result" in missing.stderr and not (tmp_path / "m2").exists()
