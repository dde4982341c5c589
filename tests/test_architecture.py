"""The import rules that keep untrusted and trusted code apart, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"
FORBIDDEN_CALLS = {"eval", "sympify", "parse_expr", "lambdify"}
FORBIDDEN_MODULES = {"pickle", "dill", "marshal", "shelve", "cloudpickle", "joblib"}


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("autograder",) + path.relative_to(PACKAGE).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return found


MODULES = modules()


def imports(tree: ast.Module) -> set[str]:
    """Imported module names (``from a import b`` counts ``a.b`` only when b is a module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
    return names


def internal(tree: ast.Module) -> set[str]:
    return {n for n in imports(tree) if n.startswith("autograder")}




@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("autograder.sandbox")])
def test_sandbox_imports_only_the_wire(name: str) -> None:
    outside = {n for n in internal(MODULES[name]) if not n.startswith("autograder.sandbox")}
    assert outside <= {"autograder", "autograder.wire"}


@pytest.mark.parametrize("name", [n for n in MODULES if not n.startswith("autograder.sandbox")])
def test_trusted_side_never_imports_the_sandbox(name: str) -> None:
    assert not {n for n in internal(MODULES[name]) if n.startswith("autograder.sandbox")}


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("autograder.judge")])
def test_judge_never_imports_the_launcher(name: str) -> None:
    assert not {n for n in internal(MODULES[name]) if n.startswith(("autograder.launch", "autograder.batch"))}


@pytest.mark.parametrize("name", ["autograder.wire", "autograder.errors", "autograder.results"])
def test_leaves_import_nothing_of_the_package(name: str) -> None:
    assert internal(MODULES[name]) == set()


def test_every_module_is_short() -> None:
    long = {n: len(ast.unparse(t).splitlines()) for n, t in MODULES.items()}
    assert {n: size for n, size in long.items() if size > 450} == {}


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("autograder.report")])
def test_reports_only_read_results(name: str) -> None:
    outside = {n for n in internal(MODULES[name]) if not n.startswith("autograder.report")}
    assert outside <= {"autograder.results", "autograder.errors"}


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
