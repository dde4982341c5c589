"""A batch's grades in a GitHub Actions run, and the workflow a course copies to get them.

``grade ... --ci github`` adds to the run, from the environment GitHub sets:

* a Markdown table in ``$GITHUB_STEP_SUMMARY`` (the run's summary page);
* ``::notice title=Autograding complete::Points X/Y`` on stdout (an annotation);
* ``result=<base64 JSON>`` in ``$GITHUB_OUTPUT``, in the runner-result shape that
  ``autograding-grading-reporter`` reads from ``<RUNNER>_RESULTS`` (``version``, ``status``,
  ``max_score``, ``tests[]`` with ``name``, ``status``, ``score``, ``message``...): it adds up
  ``tests[].score`` against ``max_score``, so fractional points count.

The grader needs the solutions, so it runs where they are: the course's own repository
(``init-ci`` writes its workflow), never one a student controls.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from autograder.report._text import num, one_line, shorten
from autograder.report.question_text import question_output, question_passed
from source_lib.judge.results import QuestionResult, Status, SubmissionResult

RESULT_VERSION = 1
MESSAGE_LIMIT = 1000
# The actions the workflow uses, each pinned to a released major version.
CHECKOUT, SETUP_PYTHON = "actions/checkout@v4", "actions/setup-python@v5"
UPLOAD, DOWNLOAD = "actions/upload-artifact@v4", "actions/download-artifact@v4"
SUMMARY_ROWS = 1000  # rows of the step summary (GitHub takes at most 1 MiB)
MAX_MATRIX = 256  # jobs one workflow run's matrix may hold (GitHub's documented limit)


def report_to_github(results: Sequence[SubmissionResult], env: Mapping[str, str]) -> list[str]:
    """Write the summary and the ``result`` output where ``env`` says; return the stdout lines."""
    summary, output = env.get("GITHUB_STEP_SUMMARY"), env.get("GITHUB_OUTPUT")
    if summary:
        _append(summary, step_summary(results))
    if output:
        _append(output, f"result={encoded_result(results)}\n")
    score = sum(r.score for r in results)
    total = sum(r.max_score for r in results)
    return [f"::notice title=Autograding complete::Points {num(score)}/{num(total)}"]


def runner_result(results: Sequence[SubmissionResult]) -> dict[str, Any]:
    """The grading reporter's runner result: one test per question (per student when several)."""
    several = len(results) > 1
    tests = [_test(result, question, several) for result in results for question in result.questions
             if not question.manual]
    if any(r.status not in (Status.GRADED, Status.TIMEOUT, Status.CRASHED) for r in results):
        status = "error"
    else:
        status = "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": RESULT_VERSION, "status": status, "max_score": sum(r.max_score for r in results),
            "tests": tests}


def encoded_result(results: Sequence[SubmissionResult]) -> str:
    return base64.b64encode(json.dumps(runner_result(results)).encode()).decode()


def _test(result: SubmissionResult, question: QuestionResult, several: bool) -> dict[str, Any]:
    name = f"{result.student}: {question.question_id}" if several else question.question_id
    return {"name": shorten(one_line(name), 200), "status": "pass" if question_passed(question) else "fail",
            "score": question.score, "message": shorten(question_output(question), MESSAGE_LIMIT),
            "test_code": question.title, "filename": "", "line_no": 0, "duration": 0}


def step_summary(results: Sequence[SubmissionResult]) -> str:
    """The run's summary page: one row per submission, one column per question."""
    ids = [q.question_id for q in results[0].questions] if results else []
    lines = ["## Autograding", "", "| student | status | score | " + " | ".join(_cell(i) for i in ids) + " |",
             "|---|---|---|" + "---|" * len(ids)]
    for result in results[:SUMMARY_ROWS]:
        marks = {q.question_id: _mark(q) for q in result.questions}
        score = f"{num(result.score)}/{num(result.max_score)}"
        lines.append(f"| {_cell(result.student)} | {result.status.value} | {score} | "
                     + " | ".join(marks.get(i, "") for i in ids) + " |")
    if len(results) > SUMMARY_ROWS:  # GitHub refuses a summary over 1 MiB; the reports hold everyone
        lines.append(f"\n{len(results) - SUMMARY_ROWS} more submissions: see the reports artifact.")
    lines.append("")
    return "\n".join(lines)


def _mark(question: QuestionResult) -> str:
    if question.manual:
        return "manual"
    return f"{num(question.score)}/{num(question.max_score)}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, no line breaks, no HTML)."""
    cleaned = one_line(text).replace("|", "/").replace("<", "&lt;").replace(">", "&gt;")
    return shorten(cleaned, 60)


def _append(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(text)


def workflow(assignment: str, kit: str, shards: int | None = None) -> str:
    """The course repository's workflow: grade ``submissions/<assignment>/`` whenever it changes.

    With ``shards``, a job matrix grades that many shards in parallel, each uploaded as an
    artifact, and a last job merges them into the reports of the whole class.
    It runs where the solutions are (the course's own, private repository), never in a repository a
    student controls: there the grader would hand the student the solutions and the seed.
    """
    grade = (f"autograder grade {assignment} submissions/{assignment} --course . --require-isolation namespaces")
    header = f"""\
# Grades {assignment} in the course's private repository, whose solutions/ the grader needs: never
# run it in a repository a student controls (students check their work with the notebook's
# self-check instead).
name: Grade {assignment}
on:
  workflow_dispatch:
  push:
    paths: ["submissions/{assignment}/**"]
permissions:
  contents: read
jobs:
"""
    if shards is None:
        return header + f"""\
  grade:
    runs-on: ubuntu-24.04
    timeout-minutes: 60
    steps:
{_install(kit, checkout=True)}
      - name: Grade
        id: grade
        run: {grade} --out reports --ci github
{_upload(f"reports-{assignment}", "reports/", "always()")}
"""
    matrix = ", ".join(str(i) for i in range(shards))
    return header + f"""\
  grade:
    name: Grade shard ${{{{ matrix.shard }}}} of {shards}
    runs-on: ubuntu-24.04
    timeout-minutes: 360
    strategy:
      fail-fast: false  # one lost shard must not cancel the others: the merge names its students
      matrix:
        shard: [{matrix}]
    steps:
{_install(kit, checkout=True)}
      - name: Grade this shard
        run: {grade} --out shard --shard ${{{{ matrix.shard }}}}/{shards} --progress lines
{_upload(f"shard-{assignment}-${{{{ matrix.shard }}}}", "shard/", "success()")}
  merge:
    needs: grade
    if: ${{{{ !cancelled() }}}}  # also after a failed shard: the merge then names the missing students
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    steps:
{_install(kit, checkout=False)}
      - uses: {DOWNLOAD}
        with:
          pattern: shard-{assignment}-*
          path: shards
      - name: Merge the shards
        run: autograder merge shards/shard-{assignment}-* --out reports --ci github
{_upload(f"reports-{assignment}", "reports/", "always()")}
"""


def _install(kit: str, checkout: bool) -> str:
    steps = [f"      - uses: {CHECKOUT}"] if checkout else []
    steps += [f"      - uses: {SETUP_PYTHON}", "        with:", '          python-version: "3.12"',
              "      - name: Install the grader (pinned)", f'        run: python -m pip install "{kit}"']
    if checkout:  # only grading runs the sandbox
        steps += ["      - name: Allow the sandbox's namespaces (Ubuntu 24.04 restricts unprivileged ones)",
                  "        run: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"]
    return "\n".join(steps)


def _upload(name: str, path: str, when: str) -> str:
    return f"""\
      - name: Keep the reports
        if: {when}
        uses: {UPLOAD}
        with:
          name: {name}
          path: {path}"""
