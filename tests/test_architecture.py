"""The import rules that keep the untrusted side, the trusted side and the student's package apart.

* ``source_lib`` is what a student installs: it never imports ``autograder``.
* The sandbox (``autograder.sandbox``, next to student code) imports only itself and the
  boundary (``source_lib.wire``, ``source_lib.export``): never the judge or the self-check.
* The trusted side never imports the sandbox; the judge never imports the sandbox's encoder.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "source_lib")
FORBIDDEN_CALLS = {"eval", "sympify", "parse_expr", "lambdify"}
FORBIDDEN_MODULES = {"pickle", "dill", "marshal", "shelve", "cloudpickle", "joblib"}
BOUNDARY = {"source_lib", "source_lib.wire", "source_lib.export"}


def modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join((package,) + path.relative_to(ROOT / package).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return found


MODULES = modules()


def imports(tree: ast.Module, top_level_only: bool = False) -> set[str]:
    """Imported module names (``from a import b`` counts ``a.b`` only when b is a module)."""
    names = set()
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
    return names


def internal(tree: ast.Module) -> set[str]:
    return {n for n in imports(tree) if n.split(".")[0] in PACKAGES}


def named(*prefixes: str) -> list[str]:
    return [n for n in MODULES if n == prefixes[0] or n.startswith(prefixes)]


@pytest.mark.parametrize("name", named("source_lib", "source_lib."))
def test_the_student_package_stands_alone(name: str) -> None:
    assert not {n for n in internal(MODULES[name]) if n.startswith("autograder")}


@pytest.mark.parametrize("name", named("autograder.sandbox", "autograder.sandbox."))
def test_sandbox_imports_only_itself_and_the_boundary(name: str) -> None:
    outside = {n for n in internal(MODULES[name]) if not n.startswith("autograder.sandbox")}
    assert outside <= {"autograder"} | BOUNDARY


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("autograder") and ".sandbox" not in n])
def test_trusted_side_never_imports_the_sandbox(name: str) -> None:
    assert not {n for n in internal(MODULES[name]) if n.startswith("autograder.sandbox")}


@pytest.mark.parametrize("name", named("source_lib.judge", "source_lib.judge."))
def test_judge_never_imports_the_sandbox_encoder_or_the_self_check(name: str) -> None:
    assert not internal(MODULES[name]) & {"source_lib.export", "source_lib.selfcheck"}


def test_importing_the_student_package_loads_no_judging_code() -> None:
    """The sandbox preloads ``source_lib``; the judge must come only with the first check()."""
    assert {n for n in imports(MODULES["source_lib"], top_level_only=True) if n.split(".")[0] in PACKAGES} == set()
    for name in ("source_lib.data", "source_lib.plots"):
        # the package itself (in_grader_sandbox) and a leaf of sympy helpers: no judging
        assert internal(MODULES[name]) <= {"source_lib", "source_lib.sums"}
    assert internal(MODULES["source_lib.sums"]) == set()


@pytest.mark.parametrize("name", ["source_lib.wire", "source_lib.errors", "source_lib.judge.results"])
def test_leaves_import_nothing_of_the_packages(name: str) -> None:
    assert internal(MODULES[name]) == set()


def test_every_module_is_short() -> None:
    long = {n: len(ast.unparse(t).splitlines()) for n, t in MODULES.items()}
    assert {n: size for n, size in long.items() if size > 450} == {}


@pytest.mark.parametrize("name", named("autograder.report", "autograder.report."))
def test_reports_only_read_results(name: str) -> None:
    outside = {n for n in internal(MODULES[name]) if not n.startswith("autograder.report")}
    assert outside <= {"source_lib.judge.results", "autograder.errors", "source_lib.errors"}


@pytest.mark.parametrize("name", list(MODULES))
def test_no_unsafe_deserialisation_or_eval(name: str) -> None:
    tree = MODULES[name]
    assert not (imports(tree) & FORBIDDEN_MODULES)
    calls = {node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
             for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not (calls & FORBIDDEN_CALLS), f"{name} calls {calls & FORBIDDEN_CALLS}"


@pytest.mark.parametrize("name", list(MODULES))
def test_exec_only_where_student_code_runs(name: str) -> None:
    calls = {node.func.id for node in ast.walk(MODULES[name])
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    if name != "autograder.sandbox.execute":
        assert "exec" not in calls
