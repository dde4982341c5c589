"""The student flow in a real browser: the released notebook in JupyterLab, in headless Chromium.

What a student does with the two things they receive (the released notebook and the
``zeroinit-student`` wheel): open the notebook, Run All on the blank answers, read each check,
write an answer with a catalogued mistake, run its check, save, submit. The kernel imports
``source_lib`` from the installed wheel, never from this checkout; the saved notebook is then
graded by ``autograder grade``, which must name the same mistake.

Screenshots go to ``$ZEROINIT_ARTIFACTS`` (else under the test's tmp_path); their paths are printed.
Needs Debian's ``chromium`` and the ``playwright`` package (the test extras); skipped without them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from autograder.config import CourseLayout
from source_lib.judge.spec import Assignment, FunctionQuestion
from tests import browser_support as browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "linear_regression"
QUESTION, MISTAKE = "compute_cost", "precedence_2m"  # the answer typed in, and its catalogued mistake
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^-{20,}$|Cell In\[\d+\]|^\s*-+> \d+", re.MULTILINE)


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ZEROINIT_ARTIFACTS") or tmp_path / "artifacts") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def grade_id(cell: Any) -> str:
    return str(cell.metadata.get("nbgrader", {}).get("grade_id", ""))


def index_of(node: Any, wanted: str) -> int:
    found = [i for i, cell in enumerate(node.cells) if grade_id(cell) == wanted]
    assert len(found) == 1, f"the release has {len(found)} cells with grade_id {wanted!r}"
    return found[0]


def named(question: FunctionQuestion, text: str) -> list[str]:
    """The catalogued mistakes of ``question`` whose feedback ``text`` gives (code marks dropped, as HTML shows)."""
    flat = " ".join(text.replace("`", "").split())
    return [m.id for m in question.misconceptions if " ".join(m.feedback.replace("`", "").split()) in flat]


def headless_outputs(process: Any, out: Path, log: Path, timeout: float = 180.0) -> Any:
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        browser.stop(process)
        raise AssertionError(f"the headless run did not finish within {timeout:.0f} s:\n{browser.tail(log)}") from None
    assert process.returncode == 0 and out.is_file(), f"the headless run failed:\n{browser.tail(log)}"
    return nbformat.read(out, as_version=4)


def test_the_student_flow_in_a_real_browser(tmp_path: Path, artifacts: Path, assignment: Assignment,
                                            answers: dict[str, str]) -> None:
    why = browser.unavailable()
    if why and os.environ.get("CI"):  # .ci/run installs both: there a skip would hide a broken setup
        pytest.fail(f"the browser test cannot run in CI: {why}")
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    release = CourseLayout.default().release(NAME)  # the release as it is now in the checkout
    node = nbformat.read(release, as_version=4)
    checks = {i: m.group(1) for i, cell in enumerate(node.cells)
              if cell.cell_type == "code" and (m := browser.CHECK_CALL.match(cell.source))}
    assert sorted(checks.values()) == sorted(q.id for q in assignment.auto_questions)
    code_cells = [i for i, cell in enumerate(node.cells) if cell.cell_type == "code"]
    summaries = [i for i in code_cells if node.cells[i].source.strip() == "check_all()"]
    assert summaries and summaries[-1] == code_cells[-1], "the release's last code cell is not check_all()"
    summary = summaries[-1]
    question = next(q for q in assignment.auto_questions if q.id == QUESTION)
    assert isinstance(question, FunctionQuestion)
    mistake = next(m for m in question.misconceptions if m.id == MISTAKE)
    mutant = mistake.apply(answers[question.cell], f"{NAME}/{question.id}")
    answer_cell, test_cell = index_of(node, question.cell), index_of(node, f"test_{question.id}")
    assert checks[test_cell] == question.id
    first_answer = index_of(node, assignment.auto_questions[0].cell)  # blank: `raise NotImplementedError()`

    student = browser.student_environment(tmp_path / "student")
    work, headless_dir = tmp_path / "work", tmp_path / "headless"  # the student's folder; the reference run's
    work.mkdir()
    headless_dir.mkdir()
    notebook = work / release.name
    shutil.copyfile(release, notebook)
    shutil.copyfile(release, headless_dir / release.name)
    headless_log, headless_out = tmp_path / "headless.log", tmp_path / "headless-executed.ipynb"
    headless = browser.start_headless(student, headless_dir / release.name, headless_out, headless_log)

    shots = {name: artifacts / f"{name}.png" for name in ("1-after-run-all", "2-mistake-checked", "3-feedback")}
    out = tmp_path / "graded"
    console: list[str] = []
    browser_env: dict[str, str | float | bool] = dict(student.env)  # a home of its own for Chromium too
    try:
        with browser.jupyter_lab(work, student, tmp_path / "jupyter.log") as server, sync_playwright() as pw:
            chrome = pw.chromium.launch(executable_path=browser.chromium(), args=["--no-sandbox"],
                                        env=browser_env, timeout=60_000)
            try:
                page = chrome.new_page(viewport={"width": 1280, "height": 1000})
                page.set_default_timeout(60_000)
                page.on("pageerror", lambda error: console.append(f"page error: {error}"))
                lab = browser.Notebook(page, server, notebook.name)
                try:
                    lab.open()
                    assert lab.cells.count() == len(node.cells), "JupyterLab shows another number of cells"
                    lab.hide_file_browser()  # the notebook gets the page's width
                    # 1. Run > Run All Cells on the blank notebook, until the last cell has run.
                    before = lab.prompts()
                    lab.menu("Run", "Run All Cells")
                    lab.wait_until_run(code_cells, before, timeout=240)
                    shown = {i: lab.outputs(i) for i in [*checks, summary]}
                    errors_shown = {i: lab.stderr_outputs(i) for i in [*checks, summary]}
                    blank_raised = lab.stderr_outputs(first_answer)
                    lab.scroll_to(summary, block="end")
                    page.screenshot(path=str(shots["1-after-run-all"]))
                    # 2. The kernel imports the wheel's source_lib, not the checkout's.
                    where = lab.run_scratch_cell("import source_lib\nprint(source_lib.__file__)")
                    # 3. A catalogued mistake typed into the answer, then its check.
                    lab.replace_source(answer_cell, mutant)
                    lab.shift_enter([answer_cell, test_cell])
                    verdict = lab.outputs(test_cell)
                    lab.scroll_to(answer_cell - 1)
                    page.screenshot(path=str(shots["2-mistake-checked"]))
                    # 4. Save, and grade what was saved.
                    lab.save(notebook, lambda saved: saved.cells[answer_cell].source == mutant and any(
                        mistake.feedback in text for text in browser.cell_outputs(saved.cells[test_cell])))
                except BaseException:
                    try:
                        page.screenshot(path=str(artifacts / "failure.png"))
                        print(f"screenshot of the failure: {artifacts / 'failure.png'}")
                    except Exception as exc:  # the page itself may be what failed
                        print(f"no screenshot of the failure: {exc}")
                    raise
                graded = subprocess.run([sys.executable, "-m", "autograder", "grade", NAME, str(notebook),
                                         "--out", str(out)], cwd=browser.ROOT, capture_output=True, text=True,
                                        timeout=300)
                assert graded.returncode == 0, graded.stdout + graded.stderr
                results = sorted((out / "students").glob("*/results.json"))
                assert len(results) == 1, results
                page.goto(results[0].with_name("feedback.html").as_uri())
                page.screenshot(path=str(shots["3-feedback"]), full_page=True)
                feedback_page = page.inner_text("body")
            finally:
                chrome.close()
    finally:
        browser.stop(headless)
        for name, path in shots.items():
            if path.exists():
                print(f"screenshot {name}: {path}")
        if console:
            print("\n".join(console))
    reference = headless_outputs(headless, headless_out, headless_log)
    print(f"browser flow took {time.monotonic() - started:.1f} s")

    assert blank_raised == 1, "the first blank answer's NotImplementedError is not shown as an error"  # selector ok
    # After Run All each check printed its blank-notebook verdict, as the headless run does.
    for i, question_id in checks.items():
        text = "\n".join(shown[i])
        assert text.startswith((f"\u2718 {question_id}", f"\u2022 {question_id}")), (question_id, text)
        assert not TRACEBACK.search(text), f"a traceback under check({question_id!r}):\n{text}"
        assert errors_shown[i] == 0, f"check({question_id!r}) showed an error:\n{text}"
        assert shown[i] == browser.cell_outputs(reference.cells[i]), (question_id, shown[i])
    table = "\n".join(shown[summary])
    assert not TRACEBACK.search(table) and errors_shown[summary] == 0, table
    for question_id in checks.values():
        assert question_id in table, f"check_all() does not mention {question_id}:\n{table}"
    assert shown[summary] == browser.cell_outputs(reference.cells[summary])
    assert all(o.output_type != "error" for i in [*checks, summary] for o in reference.cells[i].outputs)

    assert len(where) == 1 and Path(where[0]).resolve().is_relative_to(student.site.resolve()), \
        f"the notebook's kernel imported source_lib from {where}, not from the wheel in {student.site}"

    # The check of the mistaken answer names that mistake, as the grader will.
    text = "\n".join(verdict)
    assert text.startswith(f"\u2718 {question.id}") and named(question, text) == [mistake.id], text
    assert not TRACEBACK.search(text), text

    saved = nbformat.read(notebook, as_version=4)
    for i in [*checks, summary]:  # every other output is what Run All left, saved as shown
        if i != test_cell:
            assert browser.cell_outputs(saved.cells[i]) == shown[i], i
    result = json.loads(results[0].read_text(encoding="utf-8"))
    entry = [t for t in result["tests"] if t.get("name") == question.id]
    assert len(entry) == 1, [t.get("name") for t in result["tests"]]
    assert entry[0]["score"] < entry[0]["max_score"] == question.points, entry[0]
    assert named(question, entry[0]["output"]) == [mistake.id], entry[0]["output"]
    assert result["score"] < sum(q.points for q in assignment.auto_questions)
    assert named(question, feedback_page) == [mistake.id], feedback_page
