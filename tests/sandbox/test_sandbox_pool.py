"""The trusted pool: worker failures, fallback isolation, reply checking, FakeRunner."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from autograder.config import Limits
from autograder.errors import SandboxError
from autograder.launch import SandboxPool
from autograder.replies import RawRun, parse_reply
from source_lib import wire
from tests.fakes import FakeRunner

LIMITS = Limits(wall_seconds=3, cpu_seconds=5, memory_mb=512, flood_bytes=1 << 20,
                call_seconds=1.0, max_processes=16)
LIGHT = ("numpy", "sympy")  # faster worker start for pool-mechanics tests


def make_job(*cells: str, probes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"job_id": uuid.uuid4().hex, "probes": probes or [], "variants": [],
            "cells": [{"index": i, "source": src} for i, src in enumerate(cells)]}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _processes_of(private_dir: bytes) -> list[int]:
    """Processes whose environment names the pool's private directory (TMPDIR, HOME)."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if private_dir in Path(f"/proc/{entry}/environ").read_bytes() and alive(int(entry)):
                found.append(int(entry))
        except OSError:
            continue
    return found


def reply(**changes: Any) -> bytes:
    base = {"job_id": "j", "ended": "exited", "exit_code": 0, "signal": None,
            "wall_seconds": 0.1, "output": "", "output_truncated": False, "records": ["{}"],
            "records_truncated": False, "isolation": {"level": "process"}}
    return json.dumps({**base, **changes}).encode()


def test_the_reply_is_defined_once() -> None:
    """The run-time check table and the TypedDict name the same fields; the config's limits are
    the wire's."""
    assert set(wire.REPLY_TYPES) == set(wire.Reply.__required_keys__) == set(json.loads(reply()))
    assert Limits().as_wire() == wire.DEFAULT_LIMITS
    assert set(wire.Limits.__required_keys__) == set(wire.DEFAULT_LIMITS)
    failed = wire.failed_reply("j", wire.Ending.START_FAILED, "why", {"level": "none"})
    assert wire.reply_problem(dict(failed)) == ""


def test_parse_reply_accepts_a_good_line() -> None:
    run = parse_reply(reply(), "j", 1 << 20)
    assert run == RawRun("j", "exited", 0, None, 0.1, "", False, ("{}",), False,
                         {"level": "process"})


@pytest.mark.parametrize("line", [
    reply(job_id="other"), reply(ended="worker_failed"), reply(ended="bogus"),
    reply(exit_code="0"), reply(exit_code=True), reply(records=[1]), reply(records="x"),
    reply(output=None), reply(isolation=[]), reply(output_truncated=1),
    b'{"job_id": "j"}', b"[1]", b"not json", b'{"x": NaN}', b"[" * 100000, reply(output="x" * 2000),
])
def test_parse_reply_rejects_malformed_lines(line: bytes) -> None:
    with pytest.raises(ValueError):
        parse_reply(line, "j", 1000)


def test_fake_runner() -> None:
    def handler(job: dict[str, Any]) -> RawRun:
        if job["job_id"] == "boom":
            raise RuntimeError("handler broke")
        return RawRun(job["job_id"], "exited", 0, None, 0.0, "", False, (), False, {})

    with FakeRunner(handler, limits=LIMITS) as runner:
        assert runner.isolation["level"] == "none"
        assert runner.run({"job_id": "a"}).ended == "exited"
        results = {job["job_id"]: run for job, run in runner.run_many([{"job_id": "b"},
                                                                       {"job_id": "boom"}])}
        assert results["b"].ended == "exited" and results["boom"].ended == "worker_failed"
        job = {"job_id": "c"}
        runner.run(job)
        assert job["limits"] == LIMITS.as_wire()


def test_worker_killed_externally_then_pool_continues(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Modules in the caller's cwd must not reach the workers (they start in a private dir).
    for name in ("numpy", "json", "sympy"):
        (tmp_path / f"{name}.py").write_text("raise SystemExit('shadowed')\n")
    monkeypatch.chdir(tmp_path)
    marker = f"{random.randint(1000, 9999)}.{random.randint(100, 999)}"
    pool = SandboxPool(1, LIMITS, preload=LIGHT)
    with pool:
        first_pid = pool._workers[0].proc.pid
        assert pool.isolation["workers"] == 1
        killer = threading.Timer(0.8, os.kill, (first_pid, signal.SIGKILL))
        killer.start()
        slow = make_job(f"import subprocess, time\nsubprocess.Popen(['sleep', '{marker}'])\n"
                        "time.sleep(2.5)")
        after = make_job("import numpy\nok = numpy.__name__",
                         probes=[{"question": "ok", "kind": "value", "name": "ok"}])
        results = dict((job["job_id"], run) for job, run in pool.run_many([slow, after]))
        killer.join()
        retried, good = results[slow["job_id"]], results[after["job_id"]]
        assert retried.ended == "exited", retried.output  # run again on the restarted worker
        assert "worker 0 failed" in retried.retried and retried.wall_seconds > 2.5
        assert good.ended == "exited" and '"v":"numpy"' in value_record(good.records)
        second_pid = pool._workers[0].proc.pid
        assert second_pid != first_pid
        private = str(pool._tmp).encode()
        assert len(_processes_of(private)) >= 2  # the worker and its zygote
        level = pool.isolation["level"]
    assert not alive(second_pid)
    time.sleep(0.2)
    assert _processes_of(private) == []  # close() leaves no worker, zygote or job behind
    time.sleep(0.2)
    leftovers = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True)
    if level == "namespaces":  # at level "process" a daemon of a SIGKILLed worker's job survives
        assert leftovers.stdout == b""  # the orphaned job died with its worker (pid namespace)
    else:
        subprocess.run(["pkill", "-f", f"sleep {marker}"])



def test_two_workers_malformed_jobs_and_completion_order() -> None:
    with SandboxPool(2, LIMITS, preload=()) as pool:
        assert pool.isolation["workers"] == 2
        bad_id = {"job_id": 7, "cells": []}
        nan = {"job_id": "nan", "cells": [], "probes": [{"x": float("nan")}]}
        bad_cells = {"job_id": "cells", "cells": [{"index": "zero", "source": 1}]}
        slow, fast = make_job("import time\ntime.sleep(0.8)"), make_job("x = 1")
        results, nested, order = {}, make_job("y = 2"), []
        for job, run in pool.run_many([bad_id, slow, nan, fast, bad_cells]):
            results[str(job["job_id"])] = run
            order.append(str(job["job_id"]))
            if len(results) == 1:  # a nested call must not swallow the outer call's results
                assert pool.run(nested).ended == "exited"
        assert results["7"].ended == "start_failed" and results["nan"].ended == "start_failed"
        assert results["cells"].ended == "start_failed"
        assert results[fast["job_id"]].ended == results[slow["job_id"]].ended == "exited"
        assert order.index(fast["job_id"]) < order.index(slow["job_id"])  # completion order


def test_output_and_the_end_of_the_cells_arriving_together_never_stall_the_worker() -> None:
    """The last print of a cell and the record that ends the cells, readable at once."""
    jobs = [make_job("a = 1", f"print('x' * {1000 + 7919 * k % 120_000})",
                     probes=[{"question": "a", "kind": "value", "name": "a"}]) for k in range(120)]
    with SandboxPool(2, LIMITS, preload=LIGHT) as pool:
        runs = [run for _, run in pool.run_many(jobs)]
    slow = [(run.ended, run.wall_seconds, run.retried) for run in runs
            if run.ended != "exited" or run.wall_seconds > 2 or run.retried]
    assert slow == []


def test_a_job_whose_worker_fails_twice_is_reported_not_retried_forever() -> None:
    with SandboxPool(1, LIMITS, preload=LIGHT) as pool:
        killed: list[int] = []

        def kill_busy_workers() -> None:  # kills the worker running the job, twice
            deadline = time.monotonic() + 20
            while len(killed) < 2 and time.monotonic() < deadline:
                worker = pool._workers[0]
                if worker.state == "busy" and worker.proc.pid not in killed:
                    time.sleep(0.3)
                    killed.append(worker.proc.pid)
                    os.kill(worker.proc.pid, signal.SIGKILL)
                time.sleep(0.02)

        killer = threading.Thread(target=kill_busy_workers)
        killer.start()
        run = pool.run(make_job("import time\ntime.sleep(2)"))
        killer.join()
        assert len(killed) == 2
        assert run.ended == "worker_failed" and "(twice)" in run.output, run.output
        assert pool.run(make_job("a = 1")).ended == "exited"  # the pool still works


FACTS = r"""
import json, os, socket
def attempt(fn):
    try:
        return repr(fn())[:40]
    except OSError as exc:
        return type(exc).__name__
facts = json.dumps({
    "uid": os.getuid(), "cwd": os.getcwd(),
    "write_scratch": attempt(lambda: open("f.txt", "w").write("x")),
    "write_home": attempt(lambda: open(os.path.join(os.environ["HOME"], "g.txt"), "w").write("x")),
    "write_forbidden": attempt(lambda: open(os.path.join(FORBIDDEN, "pwned.txt"), "w").write("x")),
    "read_forbidden": attempt(lambda: os.listdir(FORBIDDEN)),
    "read_solutions": attempt(lambda: open(SOLUTION).read()),
    "tcp": attempt(lambda: socket.create_connection(("127.0.0.1", 9), timeout=0.5)),
    "import_not_preloaded": attempt(lambda: __import__("csv").__name__),
})
"""


def facts_job(forbidden: Path, solution: Path) -> dict[str, Any]:
    return make_job(f"FORBIDDEN = {str(forbidden)!r}\nSOLUTION = {str(solution)!r}\n" + FACTS,
                    probes=[{"question": "facts", "kind": "value", "name": "facts"}])


def test_process_level_fallback(readable_python: str, tmp_path: Path) -> None:
    """Level process as root, with a Python every uid can read: an unprivileged uid, Landlock."""
    marker = f"{random.randint(1000, 9999)}.{random.randint(100, 999)}"
    forbidden = tmp_path / "not-the-jobs"
    forbidden.mkdir(mode=0o777)
    solution = Path(__file__).resolve().parents[2] / "solutions" / "linear_regression.ipynb"
    with SandboxPool(1, LIMITS, preload=LIGHT, max_isolation="process", python=readable_python) as pool:
        report = pool.isolation
        assert (report["level"], report["imports"]) == ("process", "all installed")
        assert "capped" in report["reason"]
        assert report["uid"] != 0 and "dropped from root" in report["user"]
        facts_run = pool.run(facts_job(forbidden, solution))
        facts = json.loads(json.loads(value_record(facts_run.records))["value"]["v"])
        assert facts["uid"] == report["uid"] != 0
        assert facts["write_scratch"] == "1" and facts["write_home"] == "1"  # HOME is the scratch
        assert facts["import_not_preloaded"] == "'csv'"
        if report["landlock_abi"]:
            assert report["filesystem"].startswith("Landlock")
            assert facts["write_forbidden"] == facts["read_forbidden"] == "PermissionError"
            assert facts["read_solutions"] == "PermissionError"
        if report["landlock_abi"] >= 4:
            assert facts["tcp"] == "PermissionError" and report["network"] == "no TCP (Landlock)"
        assert list(forbidden.iterdir()) == []
        run = pool.run(make_job(
            "import os, subprocess\n"
            f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
            "where = os.getcwd()\nopen('f.txt', 'w').write('x')",
            probes=[{"question": "where", "kind": "value", "name": "where"}]))
        assert run.ended == "exited" and run.isolation["level"] == "process"
        scratch = json.loads(value_record(run.records))["value"]["v"]
        assert not os.path.exists(scratch)  # the scratch directory is removed after the job
        timeout = pool.run(make_job("a = 1", "while True:\n    pass"))
        assert timeout.ended == "timeout" and len(timeout.records) == 1
        time.sleep(0.2)
        leftovers = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True)
        assert leftovers.stdout == b""  # orphans come back to the subreaper worker and die


def test_process_level_refuses_a_python_the_sandbox_uid_cannot_read() -> None:
    from autograder.sandbox.rootfs import unreachable_paths

    if os.geteuid() != 0 or not unreachable_paths():
        pytest.skip("needs root and an interpreter other users cannot read")
    with pytest.raises(SandboxError, match="cannot read .*--allow-unreadable-python"):
        SandboxPool(1, LIMITS, preload=LIGHT, max_isolation="process").start()
    with SandboxPool(1, LIMITS, preload=LIGHT, max_isolation="process",
                     allow_unreadable_python=True) as pool:  # the opt-in: still never root
        report = pool.isolation
        run = pool.run(make_job("import os\nuid = os.getuid()",
                                probes=[{"question": "uid", "kind": "value", "name": "uid"}]))
        # what notebooks import lazily is preloaded for them (numpy's default_rng needs secrets)
        rng = pool.run(make_job("import numpy as np\nx = float(np.random.default_rng(0).normal())",
                                probes=[{"question": "x", "kind": "value", "name": "x"}]))
    assert report["imports"] == "preloaded only" and "--allow-unreadable-python" in report["user"]
    assert run.isolation["imports"] == "preloaded only"
    assert json.loads(value_record(run.records))["value"]["v"] == str(report["uid"]) != "0"
    assert json.loads(value_record(rng.records))["value"]["t"] == "float", rng.records


def test_require_isolation_fails_closed() -> None:
    pool = SandboxPool(1, LIMITS, preload=(), require_isolation="namespaces",
                       max_isolation="process", allow_unreadable_python=True)
    with pytest.raises(SandboxError, match="namespaces"):
        pool.start()
    assert pool._workers == []


def test_a_spawned_pool_waits_for_its_workers_at_the_first_job_and_fails_closed_there() -> None:
    pool = SandboxPool(1, LIMITS, preload=())
    try:
        pool.spawn()
        assert pool.isolation["level"] == "none"  # not ready yet: nothing reported
        assert pool.run(make_job("x = 1")).ended == "exited"
        assert pool.isolation["workers"] == 1
    finally:
        pool.close()
    refusing = SandboxPool(1, LIMITS, preload=(), require_isolation="namespaces",
                           max_isolation="process", allow_unreadable_python=True)
    refusing.spawn()
    with pytest.raises(SandboxError, match="namespaces"):
        refusing.run(make_job("x = 1"))
    assert refusing._workers == []


def test_unprivileged_worker_uses_a_user_namespace(readable_python: str, tmp_path: Path) -> None:
    """A worker started by an ordinary user: its jobs keep that uid (never 0), lose every
    capability, and still get their own pid namespace and private root."""
    if os.geteuid() != 0:
        pytest.skip("needs root to start a worker as another user")
    uid = 60500
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, uid, uid)
    tmp_path.chmod(0o711)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(home), "MPLBACKEND": "Agg",
           "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    command = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
               readable_python, "-s", "-m", "autograder.sandbox", "--preload", "numpy", "--slot", "5"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, env=env, cwd="/") as proc:
        ready = wire.loads(proc.stdout.readline(), 1 << 20)
        if ready["isolation"]["level"] != "namespaces":
            proc.stdin.close()
            pytest.skip(f"no user namespaces here: {ready['isolation']['reason']}")
        assert "user namespace" in ready["isolation"]["user"]
        job = make_job("import json, os\ncaps = [l for l in open('/proc/self/status') "
                       "if l.startswith(('CapEff', 'CapBnd', 'NoNewPrivs'))]\n"
                       f"facts = json.dumps([os.getpid(), os.getuid(), os.path.exists({str(home)!r}), caps])",
                       probes=[{"question": "facts", "kind": "value", "name": "facts"}])
        job["limits"] = LIMITS.as_wire()
        proc.stdin.write(wire.dumps(job))
        proc.stdin.flush()
        result = wire.loads(proc.stdout.readline(), 1 << 24)
        proc.stdin.close()
        assert proc.wait(10) == 0
    assert result["ended"] == "exited", result
    pid, job_uid, sees_home, caps = json.loads(json.loads(value_record(result["records"]))["value"]["v"])
    assert pid == 1 and job_uid == uid and sees_home is False
    assert caps == ["CapEff:\t0000000000000000\n", "CapBnd:\t0000000000000000\n",
                    "NoNewPrivs:\t1\n"]


def value_record(records: list[str] | tuple[str, ...]) -> str:
    """The first named-value record of a run (cell records and the cells_done marker come first)."""
    return next(r for r in records if r.startswith('{"r":"value"'))
