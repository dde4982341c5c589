"""What a student receives: the released notebook plus the ``zeroinit-student`` wheel, and nothing
else. Built the way an instructor hands it out, installed into a fresh environment that has no
``autograder``, each assignment's notebook run in a real Jupyter kernel, then searched for every
answer of every assignment it must not hold.
"""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import nbformat
import pytest

from autograder.config import CourseLayout
from autograder.student_package import build_wheel
from autograder.validate import solution_answers
from source_lib.judge import codec
from source_lib.judge.spec import Assignment, ChoiceQuestion
from tests.conftest import Course

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def student_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment of the base interpreter with the wheel and a kernel in it."""
    root = tmp_path_factory.mktemp("student")
    wheel = build_wheel(root / "dist")
    env = root / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    str(wheel), "ipykernel"], check=True, capture_output=True, timeout=900)
    return env


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3*/site-packages"))


def installed_by_the_wheel(env: Path) -> list[Path]:
    """Every file the wheel put into the environment, from its RECORD."""
    site = site_packages(env)
    record = next(site.glob("zeroinit_student-*.dist-info")) / "RECORD"
    return [site / line.split(",")[0] for line in record.read_text(encoding="utf-8").splitlines() if line]


def test_the_environment_has_no_grader(student_env: Path) -> None:
    python = str(student_env / "bin" / "python")  # run outside the checkout: its folders are not on the path
    done = subprocess.run([python, "-c", "import autograder"], capture_output=True, text=True, cwd=student_env)
    assert done.returncode != 0 and "No module named 'autograder'" in done.stderr
    done = subprocess.run([python, "-c", "import source_lib.selfcheck, source_lib.data, source_lib.plots"],
                          capture_output=True, text=True, cwd=student_env)
    assert done.returncode == 0, done.stderr
    top_level = {p.name for p in site_packages(student_env).iterdir()}
    assert "solutions" not in top_level and not any(n.startswith("zeroinit_kit") for n in top_level)


def test_the_released_notebook_runs_with_every_check_passing(student_env: Path, tmp_path: Path,
                                                             course: Course) -> None:
    from nbclient import NotebookClient

    kernels = tmp_path / "jupyter" / "kernels" / "student"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(student_env / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "zeroinit student", "language": "python"}), encoding="utf-8")
    node = nbformat.reads(course.notebook_with(), as_version=4)
    work = tmp_path / "work"  # the student's own folder: nothing of the project next to it
    work.mkdir()
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    try:
        NotebookClient(node, timeout=120, kernel_name="student", allow_errors=True,
                       resources={"metadata": {"path": str(work)}}).execute()
    finally:
        os.environ.pop("JUPYTER_PATH") if old is None else os.environ.__setitem__("JUPYTER_PATH", old)
    code = [c for c in node.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[:1]
    checks = {c.source: "".join(o.get("text", "") for o in c.outputs) for c in code if c.source.startswith("check(")}
    assert len(checks) == len(course.assignment.auto_questions)
    for source, text in checks.items():
        assert text.startswith(("\u2714", "\u2022")), (source, text)  # passed, or a choice recorded
    assert list(work.iterdir()) == []


def forbidden_texts(assignment: Assignment, layout: CourseLayout, prepared_expected: dict[str, str]) -> dict[str, str]:
    """Solution lines the release does not show, the multiple-choice answer, the seed."""
    release = layout.release(assignment.name).read_text(encoding="utf-8")
    answers = solution_answers(layout.solution(assignment.name).read_text(encoding="utf-8"))
    found = {}
    for cell, code in answers.items():
        for line in code.splitlines():
            text = line.strip()
            if len(text) >= 10 and not text.startswith(("#", '"""', "def ")) and text not in release:
                found[text] = f"solution line of {cell}"
    for question_id, letter in prepared_expected.items():
        found[f'{question_id} = "{letter}"'] = "multiple-choice answer"
        found[f'"expected": "{letter}"'] = "multiple-choice answer"
    found[str(assignment.seed)] = "seed"
    for question in assignment.auto_questions:
        for misconception in question.misconceptions:
            for old, _ in misconception.edits:
                if len(old.strip()) >= 10:
                    found[old.strip()] = f"misconception edit {question.id}/{misconception.id}"
    return found


def test_nothing_installed_holds_an_answer(student_env: Path, course: Course) -> None:
    layout, assignment, prepared = course.layout, course.assignment, course.prepared
    letters = {}
    for question in assignment.auto_questions:
        if isinstance(question, ChoiceQuestion):
            value = prepared.references.value(question.id).expected
            assert isinstance(value, codec.Text)
            letters[question.id] = value.value
    forbidden = forbidden_texts(assignment, layout, letters)
    assert len(forbidden) > 20  # the search has something to look for
    files = installed_by_the_wheel(student_env) + [layout.release(assignment.name)]
    assert any(p.name == f"{assignment.name}.json" for p in files)
    found = []
    for path in files:
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{path.name}: {what} {needle!r}" for needle, what in forbidden.items() if needle in text]
    assert found == []
    # and the search finds them where they are: in the instructor's files
    source = layout.solution(assignment.name).read_text(encoding="utf-8")
    declaration = (layout.solutions / f"{assignment.name}.py").read_text(encoding="utf-8")
    assert sum(needle in source + declaration for needle in forbidden) >= len(forbidden) // 2
