"""``autograder gradescope-run``: grade the one submission of a Gradescope run into its ``results.json``.

Gradescope's contract, rooted at ``/autograder`` (``--root`` elsewhere, as the tests do):
``source/course/`` holds what ``export-gradescope`` packed, ``submission/`` the student's files,
``submission_metadata.json`` the times and the assignment's due dates, and the result goes to
``results/results.json``. Whatever happens, a valid result is written and the exit code is 0: a
fault of ours tells the student so (details go to stdout, which only instructors see).
Lateness comes from the metadata (``created_at`` against ``due_date``), never from the clock, and
the late policy packed into ``gradescope.json`` (``export-gradescope --late-policy``) applies to it.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

from autograder.config import CourseLayout, GradingConfig, Limits
from autograder.late import LatePolicy, parse_time, with_lateness
from autograder.platforms.gradescope_zip import SEED_FILE, SETTINGS
from autograder.report.write import write_text

CACHE = "reference-cache"  # in the course folder: the solution's run, kept by warm() at setup
NOT_YOUR_FAULT = ("Autograder error: the grader failed on this submission. This is not your fault: "
                  "your instructor will regrade it.")


def run(root: Path) -> int:
    """Grade ``root/submission`` and write ``root/results/results.json``; always 0."""
    try:
        document = _graded(root)
    except BaseException:  # noqa: BLE001 - any fault of ours still gives the student a valid result
        print(traceback.format_exc(), flush=True)  # stdout: instructors only
        document = _result_without_grades(NOT_YOUR_FAULT, {"autograder_error": True})
    write_text(root / "results" / "results.json", json.dumps(document, indent=1) + "\n")
    return 0


def warm(root: Path) -> int:
    """(``setup.sh``, once per upload) run the solution and keep its run in the course's cache, so
    that no grading run pays for it; 1 when it could not (grading then runs the solution itself)."""
    from autograder.batch import running_sandbox
    from autograder.declarations import load
    from autograder.pipeline import warm_cache

    try:
        config, settings = _config(root / "source" / "course")
        with running_sandbox(config) as runner:
            warm_cache(load(str(settings["assignment"]), config.layout), config, runner)
    except Exception:  # noqa: BLE001 - a cold cache only costs time
        print(traceback.format_exc(), flush=True)
        return 1
    return 0


def _config(course: Path) -> tuple[GradingConfig, dict[str, Any]]:
    """The grading configuration ``export-gradescope`` packed, with the cache inside the course (root only)."""
    settings = json.loads((course / SETTINGS).read_text(encoding="utf-8"))
    timeout = float(settings["timeout"])
    config = GradingConfig(layout=CourseLayout(course), workers=int(settings["workers"]),
                           seed=int((course / SEED_FILE).read_text(encoding="utf-8").strip()),
                           limits=Limits(wall_seconds=timeout, cpu_seconds=max(1, int(timeout)),
                                         memory_mb=int(settings["memory_mb"])),
                           cache_dir=course / CACHE)
    return config, settings


def _graded(root: Path) -> dict[str, Any]:
    from autograder.batch import running_sandbox
    from autograder.declarations import load
    from autograder.notebook import SubmissionFile
    from autograder.pipeline import grade_files
    from autograder.report.gradescope import results_json
    from source_lib.judge.results import SubmissionResult

    config, settings = _config(root / "source" / "course")
    name = str(settings["assignment"])
    metadata = _metadata(root / "submission_metadata.json")
    notebook = _submitted_notebook(root / "submission", name)
    if isinstance(notebook, str):
        return _result_without_grades(notebook, {})
    assignment = load(name, config.layout)
    with running_sandbox(config) as runner:
        graded: list[SubmissionResult] = []
        grade_files(assignment, [SubmissionFile(_student(metadata), notebook)], config, runner, graded.append)
    [result] = graded
    due = parse_time(str((metadata.get("assignment") or {}).get("due_date") or ""))
    if due is not None:  # Gradescope's own record of the time, never this machine's clock
        when = parse_time(str(metadata.get("created_at") or ""))
        result = with_lateness(result, when, due, LatePolicy.parse(str(settings.get("late_policy", "none"))))
    return results_json(result)


def _submitted_notebook(folder: Path, assignment: str) -> Path | str:
    """The notebook to grade, or what to tell the student when there is none to choose."""
    found = sorted(p for p in folder.rglob("*.ipynb")
                   if not any(part.startswith(".") for part in p.relative_to(folder).parts))
    named = [p for p in found if p.name == f"{assignment}.ipynb"]
    if len(named) == 1 or len(found) == 1:
        return (named or found)[0]
    if not found:
        return f"No notebook was submitted: upload your {assignment}.ipynb."
    names = ", ".join(str(p.relative_to(folder)) for p in found[:5])
    return f"Several notebooks were submitted ({names}); upload only {assignment}.ipynb."


def _metadata(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _student(metadata: dict[str, Any]) -> str:
    users = metadata.get("users") or [{}]
    first = users[0] if isinstance(users[0], dict) else {}
    return str(first.get("email") or first.get("name") or "student")


def _result_without_grades(message: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"score": 0, "output": message, "stdout_visibility": "hidden",
            "tests": [{"name": "Submission", "status": "failed", "output": message, "visibility": "visible"}],
            "extra_data": extra}
