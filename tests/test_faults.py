"""A long batch under faults, as an instructor meets them: Ctrl-C, a sandbox worker killed from
outside, a full disk, a file named twice. Each run is a real ``autograder grade`` process or a
real sandbox pool; what an uninterrupted run writes is the yardstick."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.batch import grade_batch
from autograder.config import GradingConfig
from autograder.launch import SandboxPool
from autograder.report.output import partial_folder
from source_lib.judge.results import Status
from tests.conftest import NAME, TEST_LIMITS, Course
from tests.test_cli import ROOT, SAMPLES, autograder
from tests.test_shards import _untimed

KINDS = ("alice", "carol", "dave", "mallory", "ivan")  # correct, two kinds of mistake, hostile, broken

# Runs the grader as its child and reports how it ended and which processes it left: as a child
# subreaper it inherits every orphan the grader leaves, sandbox workers in their own sessions included.
SUBREAPER = r"""
import ctypes, json, os, signal, subprocess, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
# As in a terminal: an ignored SIGINT (inherited from whatever started the tests) would pass to the grader.
signal.signal(signal.SIGINT, signal.SIG_DFL)
after, command = int(sys.argv[1]), sys.argv[2:]
grader = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
lines = 0
for line in grader.stderr:
    lines += line.startswith("{")
    if lines >= after:
        break
grader.send_signal(signal.SIGINT)
pressed = time.monotonic()
rest = grader.stderr.read()
code = grader.wait()
stopped = time.monotonic() - pressed
time.sleep(0.5)
left = []
for entry in os.listdir("/proc"):
    try:
        fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        continue
    if int(fields[1]) == os.getpid() and fields[0] != "Z":
        left.append(open(f"/proc/{entry}/cmdline").read().replace("\0", " "))
        os.kill(int(entry), signal.SIGKILL)
print(json.dumps({"code": code, "seconds": stopped, "left": left, "done_before": lines, "stderr": rest}))
"""


def _class(root: Path, count: int, extra_cell: str = "") -> Path:
    """``count`` submissions made from the samples (every kind in turn), optionally one more cell each."""
    folder = root / "submitted"
    for k in range(count):
        kind = KINDS[k % len(KINDS)]
        text = (SAMPLES / "submitted" / kind / NAME / f"{NAME}.ipynb").read_text(encoding="utf-8")
        if extra_cell and kind != "ivan":
            notebook = json.loads(text)
            notebook["cells"].append({"cell_type": "code", "metadata": {}, "source": extra_cell,
                                      "outputs": [], "execution_count": None})
            text = json.dumps(notebook)
        target = folder / f"s{k:03d}-{kind}" / NAME / f"{NAME}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_ctrl_c_stops_at_once_leaves_no_process_and_resume_finishes_the_batch(tmp_path: Path) -> None:
    submissions = _class(tmp_path, 40, "import time\ntime.sleep(0.3)")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade", NAME, str(submissions), "--out", str(out),
               "--progress", "json"]
    ran = subprocess.run([sys.executable, "-c", SUBREAPER, "6", *command], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    report = json.loads(ran.stdout)
    assert report["code"] == 130 and "--resume" in report["stderr"], report
    assert report["left"] == [], report  # no sandbox worker, no time-boxed judge left running
    assert report["seconds"] < 3.0, report  # a hang guard: the note gives the measured time
    print(f"Ctrl-C to exit: {report['seconds']:.2f} s")
    assert not out.exists()
    kept = len(list((partial_folder(out) / "students").iterdir()))
    assert kept >= 6
    resumed = autograder("grade", NAME, str(submissions), "--out", str(out), "--resume", "--progress", "json")
    assert resumed.returncode == 0, resumed.stderr
    regraded = [json.loads(line) for line in resumed.stderr.splitlines() if line.startswith("{")]
    assert len(regraded) == 40 - kept  # only what the interrupted run had not finished
    whole = autograder("grade", NAME, str(submissions), "--out", str(tmp_path / "whole"), "--quiet")
    assert whole.returncode == 0, whole.stderr
    assert _untimed(out) == _untimed(tmp_path / "whole")
    assert not partial_folder(out).exists()


@pytest.mark.slow
def test_a_worker_killed_from_outside_costs_one_retry_then_marks_only_that_submission(
        linear: Course, tmp_path: Path) -> None:
    submissions = _class(tmp_path, 6, "import time\ntime.sleep(1.5)")
    config = GradingConfig(limits=TEST_LIMITS, workers=1)
    with SandboxPool.for_config(config) as pool:
        killed: list[str] = []

        def kill(times: int) -> None:  # the first student's job: killed `times` times while it runs
            deadline = time.monotonic() + 60
            target = None
            while len(killed) < times and time.monotonic() < deadline:
                worker = pool._workers[0]
                job = worker.job["job_id"] if worker.state == "busy" and worker.job else None
                if job and not job.startswith("reference") and target in (None, job) \
                        and time.monotonic() - worker.sent_at > 0.3 and worker.proc.poll() is None:
                    target = job
                    killed.append(job)
                    os.kill(worker.proc.pid, signal.SIGKILL)
                    time.sleep(0.2)
                time.sleep(0.02)

        for times in (1, 2):
            killed.clear()
            killer = threading.Thread(target=kill, args=(times,))
            killer.start()
            summary = grade_batch(linear.assignment, [submissions], tmp_path / f"out{times}", config, runner=pool)
            killer.join()
            assert len(killed) == times
            victim = next(r for r in summary.results if killed[0].startswith(r.student))
            others = [r for r in summary.results if r.student != victim.student]
            assert len(summary.results) == 6
            assert all(not any("ran it again" in w for w in r.warnings) for r in others)
            assert {r.status for r in others} <= {Status.GRADED, Status.UNGRADABLE}
            if times == 1:  # retried on a fresh worker: graded as if nothing happened
                assert victim.status is Status.GRADED and any("ran it again" in w for w in victim.warnings)
                told = [w for w in summary.warnings if "fresh sandbox worker" in w]  # the instructor hears of it
                assert told == [f"1 notebook(s) were run again on a fresh sandbox worker after the first failed; "
                                f"their results stand and say so: {victim.student}"]
            else:  # lost twice: marked with the reason, the batch went on
                assert victim.status is not Status.GRADED and "twice" in victim.output, victim


def _mount_small_disk(where: Path, size_kb: int) -> None:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:  # a container without CAP_SYS_ADMIN; test_resume.py fakes ENOSPC there
        pytest.skip(f"a full disk needs a tmpfs mount (root with CAP_SYS_ADMIN): {done.stderr.strip()}")


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_full_disk_is_a_clear_error_that_loses_no_graded_result(tmp_path: Path) -> None:
    submissions = _class(tmp_path, 12)
    disk = tmp_path / "disk"
    _mount_small_disk(disk, 400)
    try:
        filler = disk / "filler"
        filler.write_bytes(b"\0" * 200_000)
        out = disk / "out"
        full = autograder("grade", NAME, str(submissions), "--out", str(out), "--quiet")
        assert full.returncode == 2, full.stderr
        assert "No space left on device" in full.stderr and "--resume" in full.stderr
        assert "Traceback" not in full.stderr
        assert not out.exists()
        kept = partial_folder(out)
        files = [p for p in kept.rglob("*") if p.is_file()]
        assert not [p for p in files if p.name.endswith(".tmp")]  # nothing half written
        for path in files:
            if path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
            elif path.suffix == ".html":
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
        graded = {p.parent.name for p in kept.rglob("record.json")}
        assert graded  # some fitted before the disk filled
        filler.unlink()
        resumed = autograder("grade", NAME, str(submissions), "--out", str(out), "--resume", "--progress", "json")
        assert resumed.returncode == 0, resumed.stderr
        assert sum(line.startswith("{") for line in resumed.stderr.splitlines()) == 12 - len(graded)
        assert len(list((out / "students").iterdir())) == 12
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_file_named_twice_is_graded_once(tmp_path: Path) -> None:
    notebook = SAMPLES / "submitted" / "alice" / NAME / f"{NAME}.ipynb"
    copy = tmp_path / "alice.ipynb"
    shutil.copy(notebook, copy)
    done = autograder("grade", NAME, str(copy), str(tmp_path / "alice.ipynb"), str(tmp_path / "." / "alice.ipynb"),
                      "--out", str(tmp_path / "out"), "--json")
    assert done.returncode == 0, done.stderr
    assert [s["student"] for s in json.loads(done.stdout)["students"]] == ["alice"]
    assert "given more than once; graded once" in done.stderr
