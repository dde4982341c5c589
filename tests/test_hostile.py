"""Hostile notebooks, graded end to end through the real sandbox, judge and report writers.

Threat list: the project's security research notes (security.md), section 6. Every hostile notebook is
graded next to its *honest equivalent* (the same answers without the attack) and an
honest, correct notebook; the attack may never earn more than the equivalent, and
the honest notebook must keep full marks in the same batch.

Two batches: ``main`` (everything fast, through ``grade_batch`` so every report is
written), graded once at each isolation level (``namespaces``, and ``process`` as a
host without namespaces gets it), and ``slow`` (time limits and symbolic bombs, small
so that the measured seconds are not queueing time). The attacks aim at this very
checkout, the batch's output folder and the other submissions; a snapshot of the
checkout taken before the module must equal the one taken after it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.batch import grade_batch
from autograder.config import GradingConfig
from autograder.launch import DEFAULT_PRELOAD, SandboxPool
from autograder.report import student_folder
from autograder.report.bundle import BATCH_FILES, CLASS_FILES
from source_lib.judge.results import Outcome, QuestionResult, Status, SubmissionResult
from source_lib.judge.spec import Assignment, CaseSet
from tests.conftest import NAME, TEST_LIMITS

AUTO = ("dJ_dw", "dJ_db", "dJ_dw_at_zero", "dJ_db_at_zero", "compute_cost", "compute_gradient",
        "gradient_descent", "answer_zero_init")
SYMBOLIC = ("dJ_dw", "dJ_db", "dJ_dw_at_zero", "dJ_db_at_zero")
FUNCTIONS = ("compute_cost", "compute_gradient", "gradient_descent")
FULL_MARKS = 14
CHECKOUT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ building blocks

WRONG_COST = "def compute_cost(X, y, w, b):\n    return 42.0\n"
WRONG_GRADIENT = ("import numpy as np\n\ndef compute_gradient(X, y, w, b):\n"
                  "    return np.full(X.shape[1], 7.0), 7.0\n")
RAISING = {
    "compute_cost": "def compute_cost(X, y, w, b):\n    raise ValueError('not done')\n",
    "compute_gradient": "def compute_gradient(X, y, w, b):\n    raise ValueError('not done')\n",
    "gradient_descent": ("def gradient_descent(X, y, w_in, b_in, alpha, num_iters):\n"
                         "    raise ValueError('not done')\n"),
}
CORRECT_GRADIENT_BODY = ("    errors = X @ w + b - y\n"
                         "    return X.T @ errors / X.shape[0], float(np.sum(errors)) / X.shape[0]\n")

PATCH_MODULES = """\
import math, operator
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
math.isclose = lambda *a, **k: True
operator.eq = lambda *a, **k: True
"""

PATCH_BUILTINS = """\
import builtins
builtins.all = lambda *a, **k: True
builtins.any = lambda *a, **k: True
builtins.abs = lambda *a, **k: 0
builtins.isinstance = lambda *a, **k: True
"""

LIAR_FLOAT = """\
class Liar(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return Liar(0.0)
    def __rsub__(self, other): return Liar(0.0)
    def __abs__(self): return Liar(0.0)
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return False
    def __float__(self): return 1.7656249999999998
    def __repr__(self): return "1.7656249999999998"
    __hash__ = float.__hash__

def compute_cost(X, y, w, b):
    return Liar(42.0)
"""

LIAR_NUMPY = """\
import numpy as np

class LiarScalar(np.float64):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return LiarScalar(0.0)
    def __abs__(self): return LiarScalar(0.0)
    def __lt__(self, other): return True
    __hash__ = np.float64.__hash__

class LiarArray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def tobytes(self, *a, **k): return np.zeros(self.shape).tobytes()

def compute_cost(X, y, w, b):
    return LiarScalar(42.0)

def compute_gradient(X, y, w, b):
    return np.full(X.shape[1], 7.0).view(LiarArray), LiarScalar(7.0)
"""

def forged_output(folders: list[str]) -> str:
    """Print fake verdicts, and try to write fake reports into ``folders`` (and a few more)."""
    return f"""
import json, os, sys
fake = {{"score": 14.0, "output": "All tests passed", "execution_time": 1,
        "tests": [{{"name": "compute_cost", "score": 2, "max_score": 2, "status": "passed"}}]}}
for folder in (".", os.getcwd(), "..", os.path.expanduser("~"), *{folders!r}):
    for name in ("results.json", "record.json", "grades.csv", "junit.xml", "batch.json", "feedback.html",
                 "linear_regression.ipynb"):
        try:
            with open(os.path.join(folder, name), "w") as fh:
                fh.write(json.dumps(fake))
        except OSError:
            pass
""" + r"""
print(json.dumps(fake))
print("All tests passed")
print("q1: 10/10")
print("::error::the grader is compromised")
print("::add-mask::secret")
print("::stop-commands::token")
print("\x1b[2K\r\x1b[32mScore: 14/14\x1b[0m")
print("\x1b]8;;https://evil.example\x07click me\x1b]8;;\x07")
print("</pre><script>alert(1)</script><img src=x onerror=alert(2)>")
sys.stderr.write("\x00\x07\x08 nul and bell\n")
os.write(1, bytes(range(256)) * 4 + b"\n")
"""


def read_hidden(checkout: Path, submissions: Path) -> str:
    """Look for the solution, the declaration, other submissions and secrets; score what it saw."""
    targets = [str(checkout / "solutions" / "linear_regression.ipynb"),
               str(checkout / "solutions" / "linear_regression.py"),
               str(submissions / "honest" / NAME / f"{NAME}.ipynb")]
    tops = [str(checkout.parent), tempfile.gettempdir(), "/home"]
    return f'''
import json as _json, os as _os, sys as _sys
_TARGETS, _CHECKOUT, _TOPS = {targets!r}, {str(checkout)!r}, {tops!r}
''' + r'''
def _look():
    found = {"files": {}, "listing": [], "import": "", "environ": [], "pids": [], "walk": []}
    for path in _TARGETS:
        try:
            with open(path, "rb") as fh:
                found["files"][path] = len(fh.read())
        except OSError:
            pass
    try:
        found["listing"] = sorted(set(_os.listdir(_CHECKOUT)) - {"autograder", "source_lib", ".venv"})
    except OSError:
        pass
    try:
        _sys.path.insert(0, _os.path.join(_CHECKOUT, "solutions"))
        import linear_regression as _hidden
        found["import"] = _hidden.__name__
    except Exception:
        pass
    words = ("PYTEST", "SECRET", "TOKEN", "PASSWORD", "GITHUB", "solutions", _CHECKOUT)
    for path in ("/proc/1/environ", "/proc/self/environ"):
        try:
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        found["environ"] += [f"{path}:{w}" for w in words if w in text]
    found["environ"] += [k for k in _os.environ if any(w in k for w in words)]
    try:
        found["pids"] = sorted(int(p) for p in _os.listdir("/proc") if p.isdigit() and int(p) not in (1, _os.getpid()))
    except OSError:
        pass
    interpreter = tuple(_os.path.realpath(p) for p in {_sys.prefix, _sys.base_prefix})
    for top in _TOPS:
        for folder, _, names in _os.walk(top):
            if _os.path.realpath(folder).startswith(interpreter):
                continue  # the interpreter (a venv may live under /tmp) is shown read-only on purpose
            found["walk"] += [_os.path.join(folder, n) for n in names
                              if "solution" in n or n.endswith(".ipynb") or "linear_regression.py" in n]
    return found

_FOUND = _look()
print("FINDINGS " + _json.dumps(_FOUND))
_USEFUL = (sum(_FOUND["files"].values()) + 1000 * bool(_FOUND["import"])
           + 100 * len(_FOUND["listing"] + _FOUND["environ"] + _FOUND["walk"] + _FOUND["pids"]))

def compute_cost(X, y, w, b):
    return float(_USEFUL)
'''


def forge_records(case_ids: Mapping[str, tuple[str, ...]], *, answer: bool) -> str:
    """Code that writes sandbox-looking records (wrong answers, a "done") to every fd from 1 to 20.

    With ``answer`` it also claims the multiple-choice answer, which the notebook never defines.
    """
    records = [{"r": "call", "variant": None, "question": "compute_cost", "case": case, "status": "returned",
                "value": {"t": "float", "v": "0x1.0p+0", "type": "float"}, "error": None, "args_after": []}
               for case in case_ids["compute_cost"]]
    if answer:
        records.append({"r": "value", "variant": None, "question": "answer_zero_init", "found": True,
                        "value": {"t": "str", "v": "B"}})
    records.append({"r": "done", "compute_seconds": 0.01})
    blob = "".join(json.dumps(r) + "\n" for r in records)
    return (f"import os\n_FORGED = {blob!r}.encode()\n"
            "for _fd in range(1, 21):\n"
            "    try:\n        os.write(_fd, _FORGED)\n    except OSError:\n        pass\n")


def evil(marker: Path) -> str:
    """Text that runs code if anything ever evals it: it would create ``marker``."""
    return f"__import__('os').system('touch {marker}')"


# ------------------------------------------------------------------ the case table


@dataclass(frozen=True)
class Context:
    answers: Mapping[str, str]
    markers: Path
    case_ids: Mapping[str, tuple[str, ...]]
    out: Path            # the batch's output folder
    submissions: Path    # every submission of the batch


@dataclass(frozen=True)
class Hostile:
    """One attack: replaced answer cells, the equivalent it is measured against, what must be 0."""

    cells: Mapping[str, str]
    equivalent: str
    zeroed: tuple[str, ...] = ()
    exact: bool = True                     # untouched questions score exactly like the equivalent
    transform: Callable[[str], str] | None = None   # edits of the notebook JSON
    files: Mapping[str, str] = field(default_factory=dict)  # shipped next to the notebook


EQUIVALENTS: dict[str, Callable[[Context], Mapping[str, str]]] = {
    "honest": lambda c: {},
    "eq_wrong_cost": lambda c: {"compute_cost": WRONG_COST},
    "eq_wrong_cost_gradient": lambda c: {"compute_cost": WRONG_COST, "compute_gradient": WRONG_GRADIENT},
    "eq_raising_cost": lambda c: {"compute_cost": RAISING["compute_cost"]},
    "eq_raising_all": lambda c: dict(RAISING),
    "eq_exit_at_cost": lambda c: {"compute_cost": WRONG_COST + "import os\nos._exit(0)\n"},
}


def _json_tricks(text: str) -> str:
    """Kernelspec, nbgrader points, new graded cells, stored outputs: none of it may count."""
    node = nbformat.reads(text, as_version=4)
    node.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    for cell in node.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 1e308
        if cell.cell_type == "code":
            cell.execution_count = 99
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text="All tests passed\nScore: 14/14\n")]
    bonus = nbformat.v4.new_code_cell("compute_cost = lambda *a: 1.0\nprint('bonus: 1e308 points')")
    bonus.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1e308,
                                  "grade_id": "test_bonus", "schema_version": 3}
    manual = nbformat.v4.new_markdown_cell("I deserve all the points.")
    manual.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": 1e308,
                                   "grade_id": "explain_bonus", "schema_version": 3}
    node.cells += [bonus, manual]
    return nbformat.writes(node)


def _shipped_modules(marker: Path) -> dict[str, str]:
    payload = f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
    return {name: payload for name in ("numpy.py", "json.py", "sitecustomize.py", "usercustomize.py",
                                       "autograder.py", "nbformat.py", "conftest.py", "x.pth")}


HOSTILE: dict[str, Callable[[Context], Hostile]] = {
    # 1. comparison helpers patched to always-true, with a wrong compute_cost
    "patch_modules": lambda c: Hostile({"compute_cost": PATCH_MODULES + WRONG_COST}, "eq_wrong_cost",
                                       ("compute_cost",)),
    "patch_builtins": lambda c: Hostile({"compute_cost": PATCH_BUILTINS + WRONG_COST}, "eq_wrong_cost",
                                        ("compute_cost",), exact=False),
    # 2. values that lie about equality
    "liar_float": lambda c: Hostile({"compute_cost": LIAR_FLOAT}, "eq_wrong_cost", ("compute_cost",)),
    "liar_numpy": lambda c: Hostile({"compute_cost": LIAR_NUMPY, "compute_gradient": "pass"},
                                    "eq_wrong_cost_gradient", ("compute_cost", "compute_gradient")),
    # 3. SystemExit / KeyboardInterrupt in cells and inside a probed function
    "sys_exit": lambda c: Hostile({
        "dJ_dw": c.answers["dJ_dw"] + "\nimport sys\nsys.exit(0)",
        "compute_cost": c.answers["compute_cost"] + "\nraise SystemExit('stop grading here')",
        "gradient_descent": c.answers["gradient_descent"] + "\nraise KeyboardInterrupt"}, "honest"),
    "sys_exit_then_wrong": lambda c: Hostile({
        "dJ_dw": c.answers["dJ_dw"] + "\nimport sys\nsys.exit(0)", "compute_cost": WRONG_COST},
        "eq_wrong_cost", ("compute_cost",)),
    "exit_when_called": lambda c: Hostile({
        "compute_cost": "import sys\n\ndef compute_cost(X, y, w, b):\n    sys.exit(0)\n"},
        "eq_raising_cost", ("compute_cost",)),
    # 4. the process ends: os._exit in a cell, os._exit while probed, SIGKILL to itself, a segfault
    "os_exit": lambda c: Hostile({"compute_gradient": c.answers["compute_gradient"] + "\nimport os\nos._exit(0)"},
                                 "honest", AUTO, exact=False),
    "os_exit_when_probed": lambda c: Hostile({
        "compute_gradient": ("import os\nimport numpy as np\n\ndef compute_gradient(X, y, w, b):\n"
                             "    if globals().get('_PROBING'):\n        os._exit(3)\n" + CORRECT_GRADIENT_BODY),
        "answer_zero_init": c.answers["answer_zero_init"] + "\n_PROBING = True"},
        "honest", ("compute_gradient", "gradient_descent")),
    "kill_self": lambda c: Hostile({"compute_gradient": c.answers["compute_gradient"]
                                    + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)"},
                                   "honest", (), exact=False),
    "segfault": lambda c: Hostile({"compute_gradient": c.answers["compute_gradient"]
                                   + "\nimport ctypes\nctypes.string_at(0)"}, "honest", AUTO, exact=False),
    # 6. forged reports and hostile output
    "forged_results": lambda c: Hostile({"compute_cost": WRONG_COST + forged_output([
        str(CHECKOUT), str(CHECKOUT / "solutions"), str(CHECKOUT / "autograder"), str(c.out),
        str(c.out / "students"), str(student_folder(c.out, "honest")),
        str(c.submissions / "honest" / NAME)])}, "eq_wrong_cost", ("compute_cost",)),
    # 7. sympy answers that would run code if anything eval'd them
    "sympy_code_symbol": lambda c: Hostile({
        "dJ_dw": f"dJ_dw = sp.Symbol({evil(c.markers / 'symbol')!r})\ndJ_dw",
        "dJ_db": f"dJ_db = sp.Sum(sp.Symbol({evil(c.markers / 'sum')!r}) * x[i], (i, 1, m)) / m"},
        "honest", SYMBOLIC),
    "sympy_code_string": lambda c: Hostile({
        "dJ_dw": f"dJ_dw = {evil(c.markers / 'string')!r}",
        "dJ_db": f"dJ_db = 'Sum(x[i] * ' + {evil(c.markers / 'string-sum')!r} + ', (i, 1, m))'"},
        "honest", SYMBOLIC),
    "sympy_code_function": lambda c: Hostile({
        "dJ_dw": f"dJ_dw = sp.Function('eval')(sp.Symbol({evil(c.markers / 'eval')!r}))",
        "dJ_db": (f"dJ_db = sp.Function('exec')(sp.Symbol({evil(c.markers / 'exec')!r}))"
                  " + sp.Function('__import__')(w)"),
        "dJ_dw_at_zero": f"dJ_dw_at_zero = sp.IndexedBase({evil(c.markers / 'indexed')!r})[0]",
        "dJ_db_at_zero": ("dJ_db_at_zero = sp.Function('getattr')(sp.Symbol('__builtins__'), "
                          "sp.Symbol('eval'))(sp.Symbol('w'))")},
        "honest", SYMBOLIC),
    # 9. reading the solution, the hidden cases, the environment
    "read_hidden": lambda c: Hostile({"compute_cost": read_hidden(CHECKOUT, c.submissions)}, "eq_wrong_cost",
                                     ("compute_cost",)),
    # 10. output flood
    "flood": lambda c: Hostile({"compute_gradient": 'print("x" * 10**8)'}, "honest", AUTO, exact=False),
    # 11. forged protocol records
    "forge_records": lambda c: Hostile({"compute_cost": forge_records(c.case_ids, answer=True) + WRONG_COST},
                                       "eq_wrong_cost", ("compute_cost", "answer_zero_init"), exact=False),
    "forge_records_exit": lambda c: Hostile({
        "compute_cost": WRONG_COST + forge_records(c.case_ids, answer=False) + "os._exit(0)\n"},
        "eq_exit_at_cost", AUTO, exact=False),
    # 12. exceptions and prints carrying the hidden inputs
    "raises_with_inputs": lambda c: Hostile({
        "compute_cost": "def compute_cost(X, y):\n    raise ValueError(repr(X) + repr(y))\n",
        "compute_gradient": ("def compute_gradient(X, y, w, b):\n"
                             "    raise ValueError(repr(X.tolist()) + repr(y.tolist())"
                             " + repr(w.tolist()) + repr(b))\n"),
        "gradient_descent": ("def gradient_descent(X, y, w_in, b_in, alpha, num_iters):\n"
                             "    raise RuntimeError(str(X) + str(y) + repr(w_in) + repr(b_in))\n")},
        "eq_raising_all", FUNCTIONS),
    "prints_inputs": lambda c: Hostile({
        "compute_gradient": ("import numpy as np\n\ndef compute_gradient(X, y, w, b):\n"
                             "    if globals().get('_PROBING'):\n"
                             "        print('X =', X.tolist(), 'y =', y.tolist(), 'w =', w.tolist(), 'b =', repr(b))\n"
                             + CORRECT_GRADIENT_BODY),
        "answer_zero_init": c.answers["answer_zero_init"] + "\n_PROBING = True"}, "honest"),
    # 13. the names the grader probes are deleted or overwritten at the end
    "deletes_names": lambda c: Hostile({"answer_zero_init": c.answers["answer_zero_init"]
                                        + "\ndel compute_cost, compute_gradient, gradient_descent, dJ_dw"},
                                       "honest", ("dJ_dw",) + FUNCTIONS),
    "overwrites_names": lambda c: Hostile({"answer_zero_init": c.answers["answer_zero_init"]
                                           + "\ncompute_cost = None\ncompute_gradient = 3\n"
                                             "gradient_descent = 'gradient_descent'\ndJ_db = None"},
                                          "honest", ("dJ_db",) + FUNCTIONS),
    "clears_namespace": lambda c: Hostile({"answer_zero_init": c.answers["answer_zero_init"]
                                           + "\nglobals().clear()"}, "honest", AUTO),
    # threat list 1, 2, 19, 20: kernel patches, shipped modules, notebook JSON tricks
    "ipython_patches": lambda c: Hostile({"compute_cost": (
        "import IPython.core.interactiveshell as shell\n"
        "shell.InteractiveShell.showtraceback = lambda *a, **k: None\n"
        "ip = get_ipython()\n"
        "ip.kernel.do_execute = lambda *a, **k: {'status': 'ok'}\n"
        "ip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
        "ip.input_transformers_cleanup.append(lambda lines: [l for l in lines if 'assert' not in l])\n"
        + WRONG_COST)}, "eq_wrong_cost", ("compute_cost",)),
    "notebook_json_tricks": lambda c: Hostile({"compute_cost": WRONG_COST}, "eq_wrong_cost", ("compute_cost",),
                                              transform=_json_tricks),
    "shipped_modules": lambda c: Hostile({}, "honest", files=_shipped_modules(c.markers / "shipped")),
}


# ------------------------------------------------------------------ grading the main batch


@dataclass(frozen=True)
class Batch:
    results: dict[str, SubmissionResult]
    expected: frozenset[str]
    out: Path
    submissions: Path
    progress: str
    table: str
    markers: Path
    elapsed: float
    hostile: dict[str, Hostile]


def question(result: SubmissionResult, question_id: str) -> QuestionResult:
    return next(q for q in result.questions if q.question_id == question_id)


def scores(result: SubmissionResult) -> dict[str, float]:
    return {q.question_id: q.score for q in result.questions if not q.manual}


def case_ids(assignment: Assignment, config: GradingConfig) -> dict[str, tuple[str, ...]]:
    cases = CaseSet.build(assignment, assignment.seed if config.seed is None else config.seed)
    return {q: tuple(c.id for c in found) for q, found in cases.by_question.items()}


def checkout_snapshot() -> dict[str, tuple[int, ...] | str]:
    """Every file of the checkout: its hash, or (size, mtime) inside the virtual environment.

    Left out: git's own files and the bytecode caches the trusted test process writes.
    """
    found: dict[str, tuple[int, ...] | str] = {}
    for folder, dirs, names in os.walk(CHECKOUT):
        dirs[:] = [d for d in dirs if d not in (".git", "__pycache__", ".pytest_cache")]
        for name in names:
            path = Path(folder, name)
            key = str(path.relative_to(CHECKOUT))
            if key.startswith(".venv"):
                info = path.lstat()
                found[key] = (info.st_size, info.st_mtime_ns)
            elif path.is_file() and not path.is_symlink():
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = os.readlink(path) if path.is_symlink() else "special"
    return found


@pytest.fixture(scope="module", autouse=True)
def checkout_unchanged() -> Iterator[None]:
    """Nothing a hostile notebook does, at any level, may change a file of this checkout."""
    before = checkout_snapshot()
    yield
    after = checkout_snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], f"the hostile suite changed the checkout: {changed[:20]}"


@pytest.fixture(scope="module")
def process_pool(config: GradingConfig, readable_python: str) -> Iterator[SandboxPool]:
    """Level "process" as a host without namespaces gets it, root dropping to a sandbox uid."""
    with SandboxPool(config.workers, config.limits, preload=DEFAULT_PRELOAD, python=readable_python,
                     max_isolation="process") as running:
        yield running


@pytest.fixture(scope="module", params=["namespaces", "process"])
def level_pool(request: pytest.FixtureRequest) -> object:
    if request.param == "namespaces":
        return request.getfixturevalue("pool")
    return request.getfixturevalue("process_pool")


@pytest.fixture(scope="module")
def main(tmp_path_factory: pytest.TempPathFactory, assignment: Assignment, config: GradingConfig,
         level_pool: object, answers: dict[str, str], notebook_with: Callable[..., str]) -> Batch:
    pool = level_pool
    root = tmp_path_factory.mktemp("hostile")
    markers = tmp_path_factory.mktemp("markers")
    markers.chmod(0o777)  # a sandbox uid that could write here would leave its marker
    submissions, out = root / "submitted", root / "out"
    context = Context(answers, markers, case_ids(assignment, config), out, submissions)
    hostile = {name: build(context) for name, build in HOSTILE.items()}
    notebooks = {name: notebook_with(**cells(context)) for name, cells in EQUIVALENTS.items()}
    for name, case in hostile.items():
        text = notebook_with(**case.cells)
        notebooks[name] = case.transform(text) if case.transform else text
    for student, text in notebooks.items():
        folder = submissions / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(text, encoding="utf-8")
        for file_name, content in (hostile[student].files if student in hostile else {}).items():
            (folder / file_name).write_text(content, encoding="utf-8")
    progress = io.StringIO()
    started = time.perf_counter()
    summary = grade_batch(assignment, [submissions], out, config, progress=progress, runner=pool)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    return Batch({r.student: r for r in summary.results}, frozenset(notebooks), out, submissions,
                 progress.getvalue(), summary.table, markers, elapsed, hostile)


def test_main_batch_completed_with_a_report_for_every_student(main: Batch) -> None:
    assert set(main.results) == main.expected
    for student in main.expected:
        folder = student_folder(main.out, student)
        assert sorted(p.name for p in folder.iterdir()) == ["feedback.html", "record.json", "results.json"], student
    assert sorted(p.name for p in main.out.iterdir() if p.is_file()) == sorted([*BATCH_FILES, *CLASS_FILES])
    assert main.elapsed < 60, main.elapsed


def test_honest_notebook_keeps_full_marks_among_hostile_ones(main: Batch) -> None:
    result = main.results["honest"]
    assert result.status is Status.GRADED, result.reason
    assert (result.score, result.max_score) == (FULL_MARKS, FULL_MARKS), \
        [q.feedback for q in result.questions if q.score < q.max_score]
    assert result.cell_errors == () and result.warnings == ()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_notebook_earns_no_more_than_its_honest_equivalent(name: str, main: Batch) -> None:
    case = main.hostile[name]
    got, equivalent = main.results[name], main.results[case.equivalent]
    assert got.status is not Status.GRADER_ERROR, got.reason
    assert got.max_score == FULL_MARKS
    assert [q.question_id for q in got.questions] == [q.question_id for q in equivalent.questions]
    mine, theirs = scores(got), scores(equivalent)
    assert got.score <= equivalent.score, (mine, theirs)
    for question_id in AUTO:
        assert mine[question_id] <= theirs[question_id], (question_id, question(got, question_id).feedback)
        if question_id in case.zeroed:
            assert mine[question_id] == 0, (question_id, question(got, question_id).feedback)
        elif case.exact:
            assert mine[question_id] == theirs[question_id], (question_id, question(got, question_id).feedback)


def test_results_json_on_disk_is_the_graders_for_every_student(main: Batch) -> None:
    for student, result in main.results.items():
        document = json.loads((student_folder(main.out, student) / "results.json").read_text(encoding="utf-8"))
        assert document["score"] == result.score, student
        assert document["extra_data"]["status"] == result.status.value
        assert document["extra_data"]["sha256"] == result.sha256


# -- 1 and 2: patched comparisons and lying values


def test_lying_values_are_judged_by_their_plain_value(main: Batch) -> None:
    cost = question(main.results["liar_float"], "compute_cost")
    assert cost.score == 0 and "got 42" in cost.feedback, cost.feedback
    gradient = question(main.results["liar_numpy"], "compute_gradient")
    assert gradient.score == 0 and "plain numpy.ndarray" in gradient.feedback, gradient.feedback
    assert main.results["liar_numpy"].status is Status.GRADED


def test_patched_builtins_only_hurt_their_own_run(main: Batch) -> None:
    result = main.results["patch_builtins"]
    assert result.status in (Status.GRADED, Status.CRASHED), result.reason
    assert question(result, "compute_cost").score == 0
    assert result.score <= main.results["eq_wrong_cost"].score


# -- 3: SystemExit and KeyboardInterrupt do not skip the rest of the notebook


def test_sys_exit_in_cells_shows_as_cell_errors_and_later_cells_still_count(main: Batch) -> None:
    result = main.results["sys_exit"]
    assert result.status is Status.GRADED, result.reason
    assert result.score == FULL_MARKS  # the definitions after each exit still ran
    assert sorted(e.error_type for e in result.cell_errors) == ["KeyboardInterrupt", "SystemExit", "SystemExit"]
    assert any(e.message == "stop grading here" for e in result.cell_errors)
    page = (student_folder(main.out, "sys_exit") / "feedback.html").read_text(encoding="utf-8")
    assert "SystemExit" in page and "KeyboardInterrupt" in page


def test_sys_exit_inside_a_probed_function_is_an_error_of_that_question_only(main: Batch) -> None:
    result = main.results["exit_when_called"]
    assert result.status is Status.GRADED, result.reason
    cost = question(result, "compute_cost")
    assert cost.outcome is Outcome.ERROR and "SystemExit" in cost.feedback, cost.feedback
    assert question(result, "compute_gradient").score == 3  # probed after the exit, still graded


# -- 4: the process ends


@pytest.mark.parametrize("name", ["os_exit", "forge_records_exit"])
def test_os_exit_in_a_cell_crashes_the_run_and_nothing_after_it_counts(name: str, main: Batch) -> None:
    result = main.results[name]
    if name == "os_exit":  # a forged "done" record can hide the crash; the score cannot rise
        assert result.status is Status.CRASHED
        assert "ended its own process" in result.reason and "os._exit" in result.reason, result.reason
    assert result.score == 0
    assert all(q.outcome in (Outcome.TIMEOUT, Outcome.FAILED) for q in result.questions if not q.manual)


def test_os_exit_while_probed_keeps_the_answers_already_reported(main: Batch) -> None:
    result = main.results["os_exit_when_probed"]
    assert result.status is Status.CRASHED, result.reason
    assert "ended its own process" in result.reason
    got = scores(result)
    # named values are read before any function is called, so they were reported already
    assert {q: got[q] for q in SYMBOLIC + ("compute_cost", "answer_zero_init")} == \
        {"dJ_dw": 2, "dJ_db": 1, "dJ_dw_at_zero": 1, "dJ_db_at_zero": 1, "compute_cost": 2,
         "answer_zero_init": 1}
    for question_id in ("compute_gradient", "gradient_descent"):
        assert question(result, question_id).outcome is Outcome.TIMEOUT


def test_a_job_cannot_kill_itself_or_segfault_its_way_to_points(main: Batch) -> None:
    killed = main.results["kill_self"]
    # PID 1 of a pid namespace ignores a SIGKILL sent from inside: the run then goes on.
    if killed.status is Status.GRADED:
        assert killed.score == FULL_MARKS
    else:
        assert killed.status is Status.CRASHED and "signal 9" in killed.reason, killed.reason
        assert killed.score == 0
    crashed = main.results["segfault"]
    assert crashed.status is Status.CRASHED and "signal 11" in crashed.reason, crashed.reason
    assert crashed.score == 0


# -- 6: forged results files and hostile output


def test_every_job_ran_unprivileged_at_the_level_asked_for(main: Batch, level_pool: SandboxPool) -> None:
    asked = level_pool.isolation
    for student, result in main.results.items():
        assert result.isolation["level"] == asked["level"], student
        assert result.isolation["uid"] not in (0, None), student  # one sandbox uid per worker
        assert result.isolation["filesystem"] == asked["filesystem"], student


def test_forged_results_files_and_output_change_nothing_on_disk(main: Batch) -> None:
    result = main.results["forged_results"]
    assert result.status is Status.GRADED, result.reason
    assert result.score == main.results["eq_wrong_cost"].score < FULL_MARKS
    assert "All tests passed" in result.output  # it did print; the score ignores it
    folder = student_folder(main.out, "forged_results")
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert document["score"] == result.score
    assert "All tests passed" not in json.dumps(document)
    cost_test = next(t for t in document["tests"] if t["name"].startswith("compute_cost"))
    assert cost_test["score"] == 0 and cost_test["status"] == "failed"
    # nothing was written next to any submission, and nothing but the grader's files in --out
    assert sorted(p.name for p in (main.submissions / "forged_results" / NAME).iterdir()) == [f"{NAME}.ipynb"]
    assert not list(main.submissions.rglob("results.json")) and not list(main.submissions.rglob("*.csv"))
    assert sorted(p.name for p in main.out.iterdir()) == sorted([*BATCH_FILES, *CLASS_FILES, "students"])
    honest = student_folder(main.out, "honest")
    assert sorted(p.name for p in honest.iterdir()) == ["feedback.html", "record.json", "results.json"]
    assert json.loads((honest / "results.json").read_text(encoding="utf-8"))["score"] == FULL_MARKS


def test_student_output_is_escaped_and_stripped_in_every_report(main: Batch) -> None:
    page = (student_folder(main.out, "forged_results") / "feedback.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "</pre><" not in page
    assert "&lt;script&gt;" in page
    written = [p for p in main.out.rglob("*") if p.is_file()]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), path  # no ESC, NUL, BEL, CR ...
    for log in (main.progress, main.table):
        assert "\x1b" not in log
        assert not any(line.lstrip().startswith("::") for line in log.splitlines()), log


# -- 7 and 8: sympy answers are never evaluated as code


def test_code_in_sympy_answers_is_never_run(main: Batch) -> None:
    assert list(main.markers.iterdir()) == []
    for name in ("sympy_code_symbol", "sympy_code_string", "sympy_code_function"):
        result = main.results[name]
        assert result.status is Status.GRADED, result.reason
        for question_id in SYMBOLIC:
            judged = question(result, question_id)
            assert judged.score == 0
            pattern = r"allowed|sympy expression|not defined|never defined|can be indexed"
            assert re.search(pattern, judged.feedback), (name, judged.feedback)
            assert "Traceback" not in judged.feedback


def test_shipped_modules_next_to_the_notebook_are_never_imported(main: Batch) -> None:
    assert not (main.markers / "shipped").exists()
    assert main.results["shipped_modules"].score == FULL_MARKS


# -- 9: nothing hidden is readable from inside the sandbox


def test_student_code_cannot_read_solutions_hidden_cases_or_secrets(main: Batch) -> None:
    result = main.results["read_hidden"]
    if result.isolation["level"] != "namespaces" and not result.isolation.get("landlock_abi"):
        pytest.skip("level process without Landlock: the job sees what its uid may read")
    assert result.status is Status.GRADED, result.reason
    line = next(ln for ln in result.output.splitlines() if ln.startswith("FINDINGS "))
    findings = json.loads(line[len("FINDINGS "):])
    assert findings == {"files": {}, "listing": [], "import": "", "environ": [], "pids": [], "walk": []}
    cost = question(result, "compute_cost")
    assert "got 0," in cost.feedback, cost.feedback  # the count of useful characters it read
    assert main.results["honest"].score == FULL_MARKS


# -- 10: output flood


def test_output_flood_is_cut_and_the_run_stopped(main: Batch) -> None:
    result = main.results["flood"]
    assert result.status is Status.CRASHED
    assert "far too much output" in result.reason, result.reason
    assert len(result.output.encode("utf-8")) <= TEST_LIMITS.output_bytes
    assert set(result.output) == {"x"}
    page = (student_folder(main.out, "flood") / "feedback.html").read_text(encoding="utf-8")
    assert "truncated" in page.lower() and len(page) < 100_000
    assert (student_folder(main.out, "flood") / "results.json").stat().st_size < 20_000


# -- 11: forged protocol records


def test_forged_protocol_records_fail_closed(main: Batch) -> None:
    result = main.results["forge_records"]
    assert result.status is Status.GRADED, result.reason
    for question_id in ("compute_cost", "answer_zero_init"):
        assert "sent twice" in question(result, question_id).feedback
    assert any("two answers" in w for w in result.warnings), result.warnings


# -- 12: the hidden inputs never reach the student


_NUMBER = re.compile(r"(?<![\w.])[-+]?(\d+)\.(\d+)(?:[eE]([-+]?\d+))?")


def hidden_inputs(assignment: Assignment, config: GradingConfig) -> np.ndarray:
    """Every input value of the hidden cases printed with 6 or more significant digits."""
    cases = CaseSet.build(assignment, assignment.seed if config.seed is None else config.seed)
    values = []
    for found in cases.by_question.values():
        for case in found:
            if case.hidden:
                for arg in case.args:
                    values.extend(float(v) for v in np.ravel(np.asarray(arg, dtype=float)))
    digits = [v for v in values if len(repr(abs(v)).replace(".", "").lstrip("0").split("e")[0]) >= 6]
    return np.array(sorted(digits))


def leaked_numbers(text: str, hidden: np.ndarray) -> list[str]:
    """Numbers in ``text`` with 6+ significant digits that equal a hidden input at their precision."""
    found = []
    for match in _NUMBER.finditer(text):
        whole, frac, exponent = match.groups()
        if len((whole + frac).lstrip("0")) < 6:
            continue
        value = float(match.group(0))
        tolerance = 0.51 * 10.0 ** (int(exponent or 0) - len(frac))
        k = int(np.searchsorted(hidden, value))
        if any(0 <= j < len(hidden) and abs(hidden[j] - value) <= tolerance for j in (k - 1, k)):
            found.append(match.group(0))
    return found


def _report_texts(main: Batch, student: str) -> dict[str, str]:
    folder = student_folder(main.out, student)
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    csv = (main.out / "grades.csv").read_text(encoding="utf-8")
    texts["grades.csv"] = "\n".join(ln for ln in csv.splitlines() if ln.startswith(student + ","))
    texts["junit.xml"] = (main.out / "junit.xml").read_text(encoding="utf-8")
    return texts


def test_exceptions_carrying_hidden_inputs_never_reach_the_feedback(main: Batch, assignment: Assignment,
                                                                    config: GradingConfig) -> None:
    hidden = hidden_inputs(assignment, config)
    assert len(hidden) > 50
    result = main.results["raises_with_inputs"]
    assert {q: question(result, q).score for q in FUNCTIONS} == {q: 0 for q in FUNCTIONS}
    assert "takes 2 positional arguments" in question(result, "compute_cost").feedback  # public case
    for name, text in _report_texts(main, "raises_with_inputs").items():
        leaks = leaked_numbers(text, hidden)
        assert not leaks, f"{name} shows {len(leaks)} hidden input values, e.g. {leaks[:3]}"


def test_leak_detector_finds_hidden_inputs_when_they_are_there(main: Batch, assignment: Assignment,
                                                               config: GradingConfig) -> None:
    hidden = hidden_inputs(assignment, config)
    sample = f"got {hidden[3]!r} and {np.array([hidden[7]])} and {hidden[11]:.6g}"
    assert len(leaked_numbers(sample, hidden)) == 3
    assert leaked_numbers("1.76562 0.006133 12345.678901", hidden) == []


def test_hidden_inputs_printed_while_graded_never_reach_the_feedback(main: Batch, assignment: Assignment,
                                                                    config: GradingConfig) -> None:
    result = main.results["prints_inputs"]
    assert result.score == FULL_MARKS
    hidden = hidden_inputs(assignment, config)
    for name, text in _report_texts(main, "prints_inputs").items():
        leaks = leaked_numbers(text, hidden)
        assert not leaks, f"{name} shows {len(leaks)} hidden input values, e.g. {leaks[:3]}"


# -- 13: probed names deleted or overwritten


def test_deleted_or_overwritten_names_are_graded_as_missing(main: Batch) -> None:
    for name in ("deletes_names", "overwrites_names", "clears_namespace"):
        result = main.results[name]
        assert result.status is Status.GRADED, (name, result.reason)
        for question_id in FUNCTIONS:
            assert question(result, question_id).outcome is Outcome.MISSING, (name, question_id)
    assert question(main.results["deletes_names"], "dJ_dw").outcome is Outcome.MISSING
    assert "sympy expression" in question(main.results["overwrites_names"], "dJ_db").feedback
    assert all(q.outcome is Outcome.MISSING for q in main.results["clears_namespace"].questions if not q.manual)


def test_notebook_metadata_cannot_add_points_or_questions(main: Batch, assignment: Assignment) -> None:
    result = main.results["notebook_json_tricks"]
    assert result.max_score == FULL_MARKS
    assert [q.question_id for q in result.questions] == [q.id for q in assignment.questions]
    assert "bonus" not in result.output  # nbgrader test cells are never run


# ------------------------------------------------------------------ time limits and symbolic bombs

LOOP = "while True:\n    pass\n"
LOOP_IGNORING_SIGNALS = """\
import signal
for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
signal.setitimer(signal.ITIMER_REAL, 0)
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
"""
HUGE_SYMPY = {
    "dJ_dw": "dJ_dw = (w + 1)**100000",
    "dJ_db": "dJ_db = sp.Integer(2)**(10**6)",
    "dJ_dw_at_zero": "e = w\nfor k in range(3000):\n    e = (e + k) * w\ndJ_dw_at_zero = e",
    "dJ_db_at_zero": "dJ_db_at_zero = sp.Mul(*[w + k for k in range(5000)], evaluate=False)",
}
DEEP_SYMPY = {
    "dJ_dw": "e = w\nfor k in range(60):\n    e = sp.Abs(e + 1)\ndJ_dw = e",
    "dJ_db": "e = b\nfor k in range(40):\n    e = sp.exp(e)\ndJ_db = e",
    "dJ_dw_at_zero": "dJ_dw_at_zero = sp.Sum(x[i], (i, 1, 10**9)) ** 64",
    "dJ_db_at_zero": "dJ_db_at_zero = sp.Pow(sp.Pow(w, 60, evaluate=False), 60, evaluate=False)",
}


@pytest.fixture(scope="module")
def slow(grade: Callable[..., dict[str, SubmissionResult]],
         notebook_with: Callable[..., str]) -> tuple[dict[str, SubmissionResult], float]:
    started = time.perf_counter()
    results = grade({  # the loops first: their seconds are then their own, not queueing
        "loop": notebook_with(compute_gradient=LOOP),
        "loop_ignoring_signals": notebook_with(compute_gradient=LOOP_IGNORING_SIGNALS),
        "sympy_huge": notebook_with(**HUGE_SYMPY),
        "sympy_deep": notebook_with(**DEEP_SYMPY),
        "honest_after_loops": notebook_with(),
    })
    return results, time.perf_counter() - started


@pytest.mark.parametrize("name", ["loop", "loop_ignoring_signals"])
def test_endless_loops_time_out_within_the_limit(name: str, slow: tuple[dict[str, SubmissionResult], float]) -> None:
    result = slow[0][name]
    assert result.status is Status.TIMEOUT
    assert "time limit" in result.reason and "endless loop" in result.reason, result.reason
    assert result.seconds <= TEST_LIMITS.wall_seconds + 3, result.seconds
    assert result.score == 0
    assert all(q.outcome is Outcome.TIMEOUT for q in result.questions if not q.manual)


def test_honest_notebook_after_timeouts_is_unaffected(slow: tuple[dict[str, SubmissionResult], float]) -> None:
    results, elapsed = slow
    assert set(results) == {"loop", "loop_ignoring_signals", "sympy_huge", "sympy_deep", "honest_after_loops"}
    honest = results["honest_after_loops"]
    assert honest.status is Status.GRADED, honest.reason
    assert honest.score == honest.max_score == FULL_MARKS
    assert elapsed < 2 * TEST_LIMITS.wall_seconds + 15, elapsed


@pytest.mark.parametrize("name", ["sympy_huge", "sympy_deep"])
def test_huge_or_deep_sympy_answers_score_zero_without_hanging(name: str,
                                                              slow: tuple[dict[str, SubmissionResult], float]) -> None:
    result = slow[0][name]
    assert result.status is Status.GRADED, result.reason
    assert result.seconds < 20, result.seconds
    for question_id in SYMBOLIC:
        judged = question(result, question_id)
        assert judged.score == 0, (question_id, judged.feedback)
        assert judged.feedback and "Traceback" not in judged.feedback
    assert {q: question(result, q).score for q in FUNCTIONS} == {"compute_cost": 2, "compute_gradient": 3,
                                                                  "gradient_descent": 3}

