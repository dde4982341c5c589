"""End-to-end jobs through one warm worker: answers, failures, bombs and escapes.

Every bomb is bounded even if confinement failed: small sizes, wall_seconds of 2-3 s.
"""

from __future__ import annotations

import base64
import json
import os
import random
import socket
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.config import Limits
from autograder.launch import SandboxPool
from autograder.replies import RawRun

LIMITS = Limits(wall_seconds=3, cpu_seconds=5, memory_mb=512, flood_bytes=1 << 20,
                record_bytes=1 << 20, call_seconds=1.0, max_processes=16)
CHECKOUT = Path(__file__).resolve().parents[2]
SOLUTIONS = CHECKOUT / "solutions"


def make_job(*cells: str, probes: list[dict[str, Any]] | None = None,
             variants: list[dict[str, Any]] | None = None, **limits: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "wire": 1, "job_id": uuid.uuid4().hex,
        "cells": [{"index": i, "source": textwrap.dedent(src)} for i, src in enumerate(cells)],
        "probes": probes or [], "variants": variants or []}
    if limits:
        job["limits"] = {**LIMITS.as_wire(), **limits}
    return job


def value(name: str, question: str | None = None) -> dict[str, Any]:
    return {"question": question or name, "kind": "value", "name": name}


def call(name: str, *cases: list[Any], question: str = "q") -> dict[str, Any]:
    return {"question": question, "kind": "call", "name": name,
            "cases": [{"id": f"c{i}", "args": args} for i, args in enumerate(cases)]}


def wire_array(array: np.ndarray) -> dict[str, Any]:
    return {"t": "array", "dtype": array.dtype.name, "shape": list(array.shape),
            "data": base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode(),
            "type": "numpy.ndarray"}


def records(run: RawRun) -> list[dict[str, Any]]:
    """Decoded records; lines a job forged that are not JSON objects are skipped."""
    decoded = []
    for line in run.records:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and "r" in rec:
            decoded.append(rec)
    return decoded


def found(run: RawRun, name: str) -> Any:
    """The decoded str/int value of a value probe (facts are reported as JSON strings)."""
    for rec in records(run):
        if rec["r"] == "value" and rec["question"] == name:
            wire_value = rec["value"]
            return json.loads(wire_value["v"]) if wire_value["t"] == "str" else wire_value
    raise AssertionError(f"no value record for {name}: {run}")


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(1, LIMITS) as started:
        yield started


@pytest.fixture
def namespaces(pool: SandboxPool) -> None:
    if pool.isolation["level"] != "namespaces":
        pytest.skip(f"isolation level here is {pool.isolation['level']!r}: "
                    f"{pool.isolation.get('reason')}")


def test_normal_job_reports_cells_values_and_calls(pool: SandboxPool) -> None:
    run = pool.run(make_job(
        "import numpy as np, sympy as sp\nx = sp.Symbol('x')\nE = x**2 / 2 + 1\nn = 3\nprint('hi')",
        "def grad(w):\n    w *= 2\n    return w.sum()\n",
        probes=[value("n"), value("E"), value("nope"),
                call("grad", [wire_array(np.array([1.0, 2.0]))]), call("absent", [])]))
    assert (run.ended, run.exit_code, run.output) == ("exited", 0, "hi\n")
    recs = records(run)
    assert [r["status"] for r in recs if r["r"] == "cell"] == ["ok", "ok"]
    values = {r["question"]: r for r in recs if r["r"] == "value"}
    assert values["n"]["value"] == {"t": "int", "v": "3", "type": "int"}
    assert values["E"]["value"] == {"t": "expr", "src": "x**2/2 + 1"}
    assert values["nope"] == {"r": "value", "variant": None, "question": "nope", "found": False,
                              "value": None}
    grad, absent = [r for r in recs if r["r"] == "call"]
    assert grad["status"] == "returned" and float.fromhex(grad["value"]["v"]) == 6.0
    after = np.frombuffer(base64.b64decode(grad["args_after"][0]["data"]), "<f8")
    assert after.tolist() == [2.0, 4.0]  # the mutation is visible to the judge
    assert absent["status"] == "missing"
    assert recs[-1]["r"] == "done" and run.isolation["level"] in ("namespaces", "process")


def test_a_call_reports_the_warnings_it_raised(pool: SandboxPool) -> None:
    """Each distinct warning once, whatever filter the cells set; a call without any reports none."""
    run = pool.run(make_job(
        "import numpy as np, warnings\nwarnings.simplefilter('ignore')",
        "def naive(z):\n    return 1.0 / (1.0 + np.exp(-z))\n"
        "def stable(z):\n    return np.exp(-np.logaddexp(0.0, -z))\n",
        probes=[call("naive", [wire_array(np.array([-1000.0, -2000.0, 3.0]))]),
                call("stable", [wire_array(np.array([-1000.0, 3.0]))])]))
    naive, stable = [r for r in records(run) if r["r"] == "call"]
    assert naive["status"] == "returned" and naive["warnings"] == ["RuntimeWarning: overflow encountered in exp"]
    assert stable["status"] == "returned" and stable["warnings"] == []


def test_dicts_and_generators_reach_a_function_and_come_back(pool: SandboxPool) -> None:
    """A params dict and a generator go in; a dict comes out; the modified dict is seen after the call."""
    params = {"t": "dict", "items": [["W1", wire_array(np.ones((2, 3)))], ["b2", {"t": "float", "v": (0.5).hex()}]]}
    run = pool.run(make_job(
        "import numpy as np",
        "def init(params, rng):\n"
        "    params['W1'] *= 0.0\n"
        "    return {'W1': rng.standard_normal((2, 3)), 'b2': params['b2']}\n",
        probes=[call("init", [params, {"t": "rng", "seed": "3"}], [params, {"t": "rng", "seed": "3"}])]))
    first, second = [r for r in records(run) if r["r"] == "call"]
    assert first["status"] == "returned" and first["value"]["t"] == "dict"
    assert first["value"] == second["value"]  # the same seed, a fresh generator for each call
    drawn = dict(first["value"]["items"])["W1"]
    assert np.frombuffer(base64.b64decode(drawn["data"]), "<f8").tolist() == \
        np.random.default_rng(3).standard_normal((2, 3)).ravel().tolist()
    after = dict(first["args_after"][0]["items"])["W1"]
    assert np.frombuffer(base64.b64decode(after["data"]), "<f8").tolist() == [0.0] * 6


def test_every_job_starts_from_the_same_global_random_state(pool: SandboxPool) -> None:
    job = ("import numpy as np, random\nfrom_numpy, from_random = float(np.random.rand()), random.random()\n"
           "def unseeded():\n    return float(np.random.rand())\n")
    runs = [pool.run(make_job(job, probes=[value("from_numpy"), value("from_random"), call("unseeded", [], [])]))
            for _ in range(2)]
    assert found(runs[0], "from_numpy") == found(runs[1], "from_numpy")
    assert found(runs[0], "from_random") == found(runs[1], "from_random")
    calls = [r["value"] for r in records(runs[0]) if r["r"] == "call"]
    assert calls[0] == calls[1]  # each call sees the same state, whatever ran before it


def test_errors_and_exits_do_not_stop_later_cells(pool: SandboxPool) -> None:
    run = pool.run(make_job("1/0", "import sys\nsys.exit(0)", "raise SystemExit", "input()",
                            "raise KeyboardInterrupt", "x = (", "exit()", "last = 1",
                            probes=[value("last")]))
    cells = [r for r in records(run) if r["r"] == "cell"]
    assert [c["error"]["type"] if c["error"] else None for c in cells] == [
        "ZeroDivisionError", "SystemExit", "SystemExit", "EOFError", "KeyboardInterrupt",
        "SyntaxError", "SystemExit", None]
    assert cells[0]["error"] == {"type": "ZeroDivisionError", "message": "division by zero",
                                 "cell": 0, "line": 1}
    assert cells[1]["error"]["line"] == 2
    assert found(run, "last")["v"] == "1" and run.ended == "exited"


def test_os_exit_keeps_earlier_records(pool: SandboxPool) -> None:
    run = pool.run(make_job("a = 1", "import os\nos._exit(0)", "b = 2", probes=[value("a")]))
    assert (run.ended, run.exit_code) == ("exited", 0)
    assert [r["r"] for r in records(run)] == ["cell"]


def test_infinite_loop_times_out_with_earlier_records(pool: SandboxPool) -> None:
    start = time.monotonic()
    run = pool.run(make_job("a = 1", "while True:\n    pass", wall_seconds=2))
    assert run.ended == "timeout" and time.monotonic() - start < 3.5
    assert [r["r"] for r in records(run)] == ["cell"]


def test_ignoring_signals_does_not_escape_the_deadline(pool: SandboxPool) -> None:
    run = pool.run(make_job(
        "import signal\nfor s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGXCPU):\n"
        "    signal.signal(s, signal.SIG_IGN)\nsignal.alarm(1)\nwhile True:\n    pass",
        wall_seconds=2))
    assert run.ended == "timeout" and run.wall_seconds < 3


def test_cpu_limit_counts_as_timeout(pool: SandboxPool) -> None:
    run = pool.run(make_job("while True:\n    pass", wall_seconds=10, cpu_seconds=1))
    assert run.ended == "timeout" and run.wall_seconds < 9  # the CPU limit fired, not the 10 s wall limit


def test_soft_call_timeout_then_next_call_runs(pool: SandboxPool) -> None:
    run = pool.run(make_job("def slow():\n    while True:\n        pass\ndef fast():\n    return 1",
                            probes=[call("slow", []), call("fast", [])], call_seconds=0.5))
    slow, fast = [r for r in records(run) if r["r"] == "call"]
    assert slow["status"] == "raised" and slow["error"]["type"] == "CallTimeout"
    assert fast["status"] == "returned" and run.ended == "exited"


def test_output_flood_is_cut_and_worker_survives(pool: SandboxPool) -> None:
    run = pool.run(make_job("a = 1", 'print("x" * 10**8)'))
    assert run.ended == "output_limit" and run.output_truncated
    assert len(run.output) <= LIMITS.output_bytes and run.wall_seconds < 3
    assert pool.run(make_job("b = 2")).ended == "exited"


def test_record_flood_is_cut(pool: SandboxPool) -> None:
    run = pool.run(make_job("import os\nwhile True:\n    os.write(3, b'x' * 65536)"))
    assert run.ended == "record_limit" and run.records_truncated


def test_memory_bomb_is_contained(pool: SandboxPool) -> None:
    run = pool.run(make_job("b = bytearray(8 * 2**30)", "import numpy as np\nc = np.ones(2**31)",
                            "ok = 1", probes=[value("ok")]))
    if run.ended == "exited":
        errors = [r["error"]["type"] for r in records(run) if r["r"] == "cell" and r["error"]]
        assert errors == ["MemoryError", "numpy._core._exceptions._ArrayMemoryError"] or \
            errors[0] == "MemoryError"
    else:
        assert run.ended in ("signaled", "timeout")
    assert pool.run(make_job("b = 2")).ended == "exited"


def _processes_with(marker: str) -> list[int]:
    found_pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/cmdline").read_bytes() + Path(f"/proc/{entry}/comm").read_bytes()
        except OSError:
            continue
        if marker.encode() in text:
            found_pids.append(int(entry))
    return found_pids


def test_daemons_die_with_the_job(pool: SandboxPool) -> None:
    sleep_marker = f"{random.randint(1000, 9999)}.{random.randint(100, 999)}"
    comm_marker = f"dmn{random.randint(10000, 99999)}"
    run = pool.run(make_job(f"""
        import ctypes, os, subprocess, time
        subprocess.Popen(["sleep", "{sleep_marker}"], start_new_session=True)
        pid = os.fork()
        if pid == 0:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, b"{comm_marker}", 0, 0, 0)
                time.sleep(300)
            os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.3)
    """))
    assert run.ended == "exited" and run.wall_seconds < 2.5, run
    deadline = time.monotonic() + 2
    while (_processes_with(sleep_marker) or _processes_with(comm_marker)) and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(sleep_marker) == [] and _processes_with(comm_marker) == []


def test_no_network(pool: SandboxPool, namespaces: None) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        run = pool.run(make_job(f"""
            import json, socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=1)
                result = json.dumps("connected")
            except OSError as exc:
                result = json.dumps(exc.errno)
        """, probes=[value("result")]))
        listener.settimeout(0.3)
        with pytest.raises(socket.timeout):
            listener.accept()
    assert found(run, "result") == 101  # ENETUNREACH: not even loopback is up


def test_the_worker_holds_no_judging_code_next_to_student_code() -> None:
    """Preloaded: what notebooks import. Not loaded, even after the setup cell: the judge and the
    self-check, which would otherwise sit in every job's memory."""
    with SandboxPool(1, LIMITS) as started:
        run = started.run(make_job("""
            import json, sys
            from source_lib import data, plots, self_check
            check = self_check("linear_regression")
            loaded = json.dumps(sorted(m for m in sys.modules if m.startswith(("source_lib", "autograder"))
                                       or m in ("numpy", "sympy", "matplotlib.pyplot")))
        """, probes=[value("loaded")]))
    loaded = found(run, "loaded")
    assert {"numpy", "sympy", "matplotlib.pyplot", "source_lib.data", "source_lib.plots"} <= set(loaded)
    judging = [m for m in loaded if m.startswith(("source_lib.judge", "source_lib.selfcheck"))
               or (m.startswith("autograder.") and not m.startswith("autograder.sandbox"))]
    assert judging == []


def test_private_filesystem(pool: SandboxPool, namespaces: None, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden")
    run = pool.run(make_job(f"""
        import json, os
        def attempt(fn):
            try:
                fn()
                return "ok"
            except OSError as exc:
                return type(exc).__name__
        def write(path):
            return attempt(lambda: open(path, "w").write("x"))
        facts = json.dumps({{
            "solutions": os.path.exists({str(SOLUTIONS)!r}),
            "secret": attempt(lambda: open({str(secret)!r}).read()),
            "checkout": sorted(os.listdir({str(CHECKOUT)!r})) if os.path.isdir({str(CHECKOUT)!r}) else None,
            "declaration": os.path.exists({str(CHECKOUT / "solutions" / "linear_regression.py")!r}),
            "write_usr": write("/usr/x"), "write_etc": write("/etc/x"),
            "write_root": write("/x"), "write_pkg": write(os.path.join(os.path.dirname(json.__file__), "x")),
            "write_tmp": write("/tmp/x"), "cwd": os.getcwd(), "pid": os.getpid(), "uid": os.getuid(),
            "shadow": os.path.exists("/etc/shadow") and attempt(lambda: open("/etc/shadow").read()),
        }})
    """, probes=[value("facts")]))
    facts = found(run, "facts")
    assert facts["solutions"] is False and facts["secret"] == "FileNotFoundError"
    # only the packages the worker imported (and a virtual environment kept in the checkout)
    assert set(facts["checkout"] or []) <= {"autograder", "source_lib", ".venv"}
    assert facts["declaration"] is False
    for key in ("write_usr", "write_etc", "write_root", "write_pkg"):
        assert facts[key] in ("OSError", "PermissionError"), (key, facts)
    assert facts["write_tmp"] == "ok" and facts["cwd"] == "/tmp" and facts["pid"] == 1
    assert facts["uid"] != 0 or "user namespace" in run.isolation["user"]
    assert facts["shadow"] in (False, "PermissionError")


def test_scratch_space_is_limited(pool: SandboxPool, namespaces: None) -> None:
    run = pool.run(make_job("""
        import errno, json
        def fill(count, size):
            try:
                for i in range(count):
                    with open(f"f{i}", "wb") as f:
                        f.write(b"x" * size)
                return "ok"
            except OSError as exc:
                return errno.errorcode[exc.errno]
        facts = json.dumps([fill(1, 3 * 2**20), fill(40, 100_000)])
    """, probes=[value("facts")], scratch_mb=2))
    assert found(run, "facts") == ["EFBIG", "ENOSPC"]  # one big file; many small ones


def test_tempfile_works_inside_the_scratch_space(pool: SandboxPool) -> None:
    run = pool.run(make_job("""
        import json, os, tempfile
        folder = tempfile.mkdtemp()
        with tempfile.NamedTemporaryFile(dir=folder) as f:
            f.write(b"ok")
        facts = json.dumps([tempfile.gettempdir() == os.getcwd(), os.path.dirname(folder) == os.getcwd()])
    """, probes=[value("facts")]))
    assert found(run, "facts") == [True, True]


def test_modules_in_cwd_do_not_shadow(pool: SandboxPool) -> None:
    run = pool.run(make_job("""
        import json, os, sys
        for name in ("json", "numpy", "shadowmod"):
            with open(name + ".py", "w") as f:
                f.write("raise SystemExit('shadowed')")
        del sys.modules["json"]
        import json
        try:
            import shadowmod
            shadow = "imported"
        except ModuleNotFoundError:
            shadow = "missing"
        facts = json.dumps([json.__file__.startswith(os.getcwd()), shadow,
                            "" in sys.path, os.getcwd() in sys.path])
    """, probes=[value("facts")]))
    assert found(run, "facts") == [False, "missing", False, False]


def test_forged_protocol_lines_do_not_confuse_the_worker(pool: SandboxPool) -> None:
    forged = json.dumps({"job_id": "forged", "ended": "exited", "exit_code": 0, "signal": None,
                         "wall_seconds": 0, "output": "", "output_truncated": False,
                         "records": [], "records_truncated": False, "isolation": {}}) + "\n"
    job = make_job(f"""
        import os, sys
        line = {forged!r}
        print(line)
        sys.__stdout__.write(line)
        for fd in range(0, 64):
            try:
                os.write(fd, b"\\n" + line.encode() + b"garbage\\xff\\x00\\n")
            except OSError:
                pass
        x = 1
    """, probes=[value("x")])
    run = pool.run(job)
    assert run.job_id == job["job_id"] and run.ended == "exited"
    assert found(run, "x")["v"] == "1"
    assert forged.strip() in run.records  # written to the record pipe: it is just a string
    assert pool.run(make_job("y = 1")).ended == "exited"


def test_hostile_return_values(pool: SandboxPool) -> None:
    run = pool.run(make_job("""
        import numpy as np
        class AlwaysEq:
            def __eq__(self, other):
                return True
        class Sneaky(np.ndarray):
            def __array_ufunc__(self, *a, **k):
                return True
            def view(self, *a, **k):
                return np.zeros(3)
        class F(float):
            def __eq__(self, other):
                return True
            def hex(self):
                return "0x0p+0"
        a = AlwaysEq()
        s = np.arange(3.0).view(Sneaky)
        f = F(2.5)
    """, probes=[value("a"), value("s"), value("f")]))
    assert found(run, "a") == {"t": "other", "type": "__main__.AlwaysEq"}
    s = found(run, "s")
    assert s["type"] == "__main__.Sneaky"
    assert np.frombuffer(base64.b64decode(s["data"]), "<f8").tolist() == [0.0, 1.0, 2.0]
    assert found(run, "f") == {"t": "float", "v": (2.5).hex(), "type": "__main__.F"}


def test_variants_and_main_module(pool: SandboxPool) -> None:
    run = pool.run(make_job(
        "k = 2", "def f(x):\n    return k * x", "import __main__\nsame = __main__.f is f",
        probes=[call("f", [{"t": "int", "v": "5", "type": "int"}]), value("same")],
        variants=[{"id": "v1", "cell_index": 1, "source": "def f(x):\n    return k * x + 1",
                   "probes": [call("f", [{"t": "int", "v": "5", "type": "int"}])]},
                  {"id": "v2", "cell_index": 0, "source": "k = 3\n1/0", "probes": [value("k")]},
                  {"id": "v3", "cell_index": 2, "source": "import __main__\nsame = __main__.k",
                   "probes": [value("same")]}]))
    recs = records(run)
    calls = {r["variant"]: r["value"]["v"] for r in recs if r["r"] == "call"}
    assert calls == {None: "10", "v1": "11"}  # a shallow copy: the variant's own def counts
    assert [r["value"]["v"] for r in recs if r.get("variant") == "v3"] == ["2"]
    assert found(run, "same") == {"t": "bool", "v": True}
    bad = [r for r in recs if r.get("variant") == "v2"]
    assert bad[0]["r"] == "cell" and bad[0]["index"] == 0 and bad[0]["error"]["type"] == \
        "ZeroDivisionError"
    assert bad[1]["r"] == "value" and bad[1]["value"]["v"] == "3"
    assert [r["value"]["v"] for r in recs if r["r"] == "value" and r["question"] == "k"] == ["3"]


def test_ipython_syntax_and_plots(pool: SandboxPool) -> None:
    run = pool.run(make_job(
        "%matplotlib inline\n!ls /\nfiles = !ls\nimport matplotlib.pyplot as plt\n"
        "plt.plot([1, 2])\nplt.show()\ndisplay(plt.gcf())",
        "%%time\ndef g():\n    return 5",
        "get_ipython().run_line_magic('config', 'x')\nfigs = len(plt.get_fignums())",
        probes=[call("g", []), value("figs"), value("files")]))
    assert [r["status"] for r in records(run) if r["r"] == "cell"] == ["ok", "ok", "ok"], run
    assert found(run, "figs")["v"] == "0"  # figures are closed after every cell
    assert found(run, "files") == {"t": "seq", "kind": "list", "items": []}


def test_one_worker_runs_many_jobs_in_a_row(pool: SandboxPool) -> None:
    """Each job gets a fresh process from the zygote; their speed is measured by the benchmark."""
    job = make_job("x = 1", probes=[value("x")])
    runs = [pool.run(dict(job, job_id=uuid.uuid4().hex)) for _ in range(20)]
    assert all(run.ended == "exited" and '"v":"1"' in value_record(run.records) for run in runs)


def test_no_memory_of_earlier_jobs(pool: SandboxPool, namespaces: None) -> None:
    """Jobs fork from a zygote that never saw a job: earlier code and answers are not in memory."""
    secret = uuid.uuid4().hex[:16]
    first = pool.run(make_job(f"leak = 'ZQXJ' + '{secret}'\nkept = leak",
                              probes=[value("kept")]))
    assert secret in value_record(first.records)  # it went through the worker
    run = pool.run(make_job("""
        import json, re
        plant = "ZQXJ" + "".join(["0123456789", "abcdef"])  # positive control, built at run time
        found = set()
        with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
            for line in maps:
                span, perms = line.split()[:2]
                if "r" not in perms or line.rstrip().endswith(("[vvar]", "[vsyscall]")):
                    continue
                start, end = (int(x, 16) for x in span.split("-"))
                try:
                    mem.seek(start)
                    data = mem.read(end - start)
                except (OSError, ValueError, OverflowError):
                    continue
                found.update(m.decode() for m in re.findall(rb"ZQXJ([0-9a-f]{16})", data))
        found = json.dumps(sorted(found))
    """, probes=[value("found")], wall_seconds=10))
    found_secrets = found(run, "found")
    assert "0123456789abcdef" in found_secrets
    assert secret not in found_secrets


def value_record(records: list[str] | tuple[str, ...]) -> str:
    """The first named-value record of a run (cell records and the cells_done marker come first)."""
    return next(r for r in records if r.startswith('{"r":"value"'))
