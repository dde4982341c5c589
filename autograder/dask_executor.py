"""Grade a batch on a Dask cluster: one task per shard, each a ``grade --shard`` subprocess.

The coordinator (``grade ... --executor dask --scheduler ADDRESS``) finds the submissions, cuts
them into shards (``autograder.shards``), and sends each shard's notebooks (and their
``timestamp.txt``) as bytes, so worker hosts need no shared file system, only the same kit and
course. On the worker, ``run_shard`` writes them to a private folder and runs
``python -m autograder grade --submission-list`` there as a child process: a Dask worker is
multithreaded, and ``unshare`` fails in a multithreaded process, so the sandbox must start from
a process of its own. The shard's report folder comes back as bytes and the shards are merged
(``autograder.merge``) into ``--out`` as if one machine had graded them all.

The submission list is the only thing this module adds to the command line: a JSON file
``{"seen": [every student of the batch], "files": [{"student", "path" (relative to the list),
"source" (the file on the coordinator, as the reports name it)}]}``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from autograder.errors import ConfigError, SandboxError
from autograder.merge import Merged, merge_shards
from autograder.notebook import SubmissionFile, Submissions
from autograder.shards import shard_of

LIST_NAME = "submissions.json"
TIMESTAMP = "timestamp.txt"  # nbgrader's, beside a submission: the late policy reads it
_STDERR_TAIL = 3000


def read_submission_list(path: Path) -> Submissions:
    """The submissions a shard task was given; ConfigError when the list is not one."""
    try:
        listing = json.loads(path.read_text(encoding="utf-8"))
        files = tuple(SubmissionFile(str(f["student"]), path.parent / _relative(f["path"]), str(f["source"]))
                      for f in listing["files"])
        seen = tuple(str(s) for s in listing["seen"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"--submission-list {path}: not a submission list ({exc})") from None
    return Submissions(files, (), (path.parent,), seen)


def _relative(value: object) -> Path:
    relative = Path(str(value))
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"{value!r} leaves the list's folder")
    return relative


def shard_payloads(submissions: Submissions, count: int) -> dict[int, dict[str, bytes]]:
    """Each non-empty shard's files as bytes: the submission list, the notebooks and their timestamps."""
    groups: dict[int, list[SubmissionFile]] = {}
    for item in submissions.files:
        groups.setdefault(shard_of(item.student, count), []).append(item)
    payloads = {}
    for index, items in sorted(groups.items()):
        blobs: dict[str, bytes] = {}
        listed = []
        for k, item in enumerate(items):
            name = f"{k}/{item.path.name}"
            blobs[name] = _read(item.path)
            stamp = item.path.parent / TIMESTAMP
            if stamp.is_file():
                blobs[f"{k}/{TIMESTAMP}"] = _read(stamp)
            listed.append({"student": item.student, "path": name, "source": item.source})
        blobs[LIST_NAME] = json.dumps({"seen": list(submissions.students), "files": listed}).encode()
        payloads[index] = blobs
    return payloads


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # graded on the worker as an empty file: ungradable, with that reason


def run_shard(assignment: str, shard: str, blobs: dict[str, bytes], options: Sequence[str]) -> dict[str, bytes]:
    """(On a Dask worker) grade one shard in a child process; return its report folder as bytes."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-shard-"))
    try:
        for name, data in blobs.items():
            target = folder / "in" / _relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        command = [sys.executable, "-m", "autograder", "grade", assignment, "--submission-list",
                   str(folder / "in" / LIST_NAME), "--out", str(folder / "out"), "--shard", shard,
                   "--quiet", "--workers", str(_threads()), *options]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        if done.returncode != 0:
            raise RuntimeError(f"shard {shard} on {os.uname().nodename}: the grader exited with "
                               f"{done.returncode}: {done.stderr[-_STDERR_TAIL:].strip()}")
        out = folder / "out"
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _threads() -> int:
    """The cores this Dask worker offers: as many sandbox workers as it has threads."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def grade_on_dask(assignment: str, submissions: Submissions, out: Path, scheduler: str, shards: int | None,
                  options: Sequence[str], say: Callable[[str], None], connect_seconds: float = 30.0) -> Merged:
    """Grade every shard on the cluster at ``scheduler`` and merge them into ``out``."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigError("--executor dask needs Dask: pip install 'zeroinit-kit[dask]'") from None
    try:
        client = Client(scheduler, timeout=connect_seconds)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    out.resolve().parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.shards-", dir=out.resolve().parent))
    try:
        count = shards or max(1, sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()))
        payloads = shard_payloads(submissions, count)
        futures = {client.submit(run_shard, assignment, f"{index}/{count}", client.scatter([blobs])[0], options,
                                 pure=False, retries=1): index for index, blobs in payloads.items()}
        failures = []
        for future in as_completed(futures):
            index = futures[future]
            try:
                files = future.result()
            except Exception as exc:  # a shard that failed twice: name it, let the others finish
                failures.append(f"shard {index}/{count}: {exc}")
                continue
            _write_shard(staging / f"shard-{index}", files)
            say(f"shard {index}/{count} graded: {len(json.loads(payloads[index][LIST_NAME])['files'])} submission(s)")
        if failures:
            raise SandboxError("the Dask cluster could not grade every shard:\n" + "\n".join(failures))
        return merge_shards(sorted(staging.iterdir()), out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        client.close()


def _write_shard(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / _relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
