"""pipeline with a FakeRunner: reference run, batches, and every way one submission can go wrong.

A small assignment is declared here. The fake sandbox answers jobs in-process: it decodes
each probe's inputs, calls plain Python functions standing for the solution, a mutant or
a student, and sends records back exactly as the real child would (one JSON line each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import numpy as np
import pytest

from autograder import pipeline
from autograder.batch import grade_batch
from autograder.config import CourseLayout, GradingConfig, Limits
from autograder.errors import AssignmentError
from autograder.notebook import SubmissionFile
from autograder.pipeline import Prepared, SymbolicJudge, grade_files, prepare
from autograder.replies import RawRun
from autograder.report.bundle import BATCH_FILES, CLASS_FILES, STUDENTS, student_folder
from autograder.timebox import TimeboxResult
from source_lib import wire
from source_lib.judge import codec
from source_lib.judge.results import Outcome, Status, SubmissionResult
from source_lib.judge.spec import (
    Assignment,
    Case,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    Misconception,
    Symbols,
)
from tests.fakes import FakeRunner

# ---------------------------------------------------------------- a small assignment


def _scale_hidden(rng: np.random.Generator) -> tuple[Case, ...]:
    return tuple(Case(f"hidden-{k}", (rng.normal(size=3), float(rng.uniform(1.0, 2.0)))) for k in (1, 2))


def _total_hidden(rng: np.random.Generator) -> tuple[Case, ...]:
    return (Case("hidden-1", (rng.normal(size=4),)),)


SCALE = FunctionQuestion(
    id="scale", title="scale", points=2, function="scale", params=("x", "k"), returns=("y",),
    public_cases=(Case("public-1", (np.array([1.0, 2.0, 3.0]), 2.0)),), hidden_cases=_scale_hidden,
    immutable=("x",),
    misconceptions=(Misconception("doubled", "You multiplied by 2 k instead of k.", (("x * k", "2 * x * k"),)),),
)
TOTAL = FunctionQuestion(
    id="total", title="total", points=1, function="total", params=("x",), returns=("s",),
    public_cases=(Case("public-1", (np.array([1.0, 2.0, 3.5]),)),), hidden_cases=_total_hidden,
)
PICK = ChoiceQuestion(
    id="pick", title="pick", points=1, variable="pick", choices={"A": "first", "B": "second"},
    misconceptions=(Misconception("chose_a", "A is the first option, not the right one.",
                                  (('pick = "B"', 'pick = "A"'),)),),
)
EXPLAIN = ManualQuestion(id="explain", title="explain", points=2)
MINI = Assignment(name="mini", title="Mini", seed=11, questions=(SCALE, TOTAL, PICK, EXPLAIN),
                  symbols=Symbols(reals=("w",), size="m", index="i", indexed=("x",)))

SOLUTION_CELLS = {
    "scale": "def scale(x, k):\n    return x * k",
    "total": "def total(x):\n    return float(np.sum(x))",
    "pick": 'pick = "B"',
    "explain": "Because.",
}
RELEASE_CELLS = {"scale": "def scale(x, k):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
                 "total": "# YOUR CODE HERE", "pick": "pick = None", "explain": "YOUR ANSWER HERE"}


def notebook_text(cells: Mapping[str, str], extra: str = "") -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import numpy as np" + extra))
    for grade_id in ("scale", "total", "pick"):
        nb.cells.append(nbformat.v4.new_code_cell(cells[grade_id], metadata={"nbgrader": {
            "grade_id": grade_id, "solution": True, "grade": False, "locked": False}}))
    nb.cells.append(nbformat.v4.new_markdown_cell(cells["explain"], metadata={"nbgrader": {
        "grade_id": "explain", "solution": True, "grade": True, "points": 2, "locked": False}}))
    return nbformat.writes(nb)


# ---------------------------------------------------------------- the fake sandbox

Answers = Mapping[str, Any]  # probe name -> function or value

SOLUTION: Answers = {"scale": lambda x, k: x * k, "total": lambda x: float(np.sum(x)), "pick": "B"}
MUTANTS: dict[str, Answers] = {"scale:doubled": {"scale": lambda x, k: 2 * x * k},
                               "pick:chose_a": {"pick": "A"}}
ISOLATION = {"level": "none", "reason": "fake", "from": "run"}


def line(record: dict[str, Any]) -> str:
    return wire.dumps(record).decode().rstrip("\n")


def probe_records(probes: Iterable[dict[str, Any]], answers: Answers, variant: str | None = None,
                  only: Iterable[str] | None = None) -> list[str]:
    """What the child reports for ``probes`` when the notebook defines ``answers``."""
    out = []
    for probe in probes:
        if only is not None and probe["question"] not in only:
            continue
        answer = answers.get(probe["name"])
        if probe["kind"] == "value":
            out.append(line({"r": "value", "variant": variant, "question": probe["question"],
                             "found": answer is not None,
                             "value": codec.encode(answer) if answer is not None else None}))
            continue
        for case in probe["cases"]:
            args = [codec.plain(codec.decode(a)) for a in case["args"]]
            record = {"r": "call", "variant": variant, "question": probe["question"], "case": case["id"],
                      "status": "missing", "value": None, "error": None, "args_after": []}
            if answer is not None:
                try:
                    record.update(status="returned", value=codec.encode(answer(*args)))
                except Exception as exc:  # noqa: BLE001 - a student's function may raise anything
                    record.update(status="raised", error={"type": type(exc).__name__, "message": str(exc)})
                record["args_after"] = [codec.encode(a) for a in args]
            out.append(line(record))
    return out


def cell_records(job: dict[str, Any], upto: int | None = None) -> list[str]:
    return [line({"r": "cell", "index": c["index"], "status": "ok", "error": None})
            for c in job["cells"] if upto is None or c["index"] <= upto]


def raw(job: dict[str, Any], records: list[str], ended: str = "exited", output: str = "") -> RawRun:
    return RawRun(job["job_id"], ended, 0 if ended == "exited" else None, 9 if ended == "signaled" else None,
                  0.25, output, False, tuple(records), False, dict(ISOLATION))


DONE = line({"r": "done", "compute_seconds": 0.125})


def reference_run(job: dict[str, Any]) -> RawRun:
    records = cell_records(job) + probe_records(job["probes"], SOLUTION)
    for variant in job["variants"]:
        edits = MINI.question(variant["id"].split(":")[0]).misconceptions[0].edits
        assert all(new in variant["source"] for _, new in edits)  # the mutant cell was sent
        records += probe_records(variant["probes"], {**SOLUTION, **MUTANTS[variant["id"]]}, variant["id"])
    return raw(job, records + [DONE])


def student(answers: Answers) -> Callable[[dict[str, Any]], RawRun]:
    return lambda job: raw(job, cell_records(job) + probe_records(job["probes"], answers) + [DONE])


def timed_out(job: dict[str, Any]) -> RawRun:
    """Only ``scale`` was answered before the time limit (stuck in the cell defining ``total``)."""
    records = cell_records(job, upto=1) + probe_records(job["probes"], SOLUTION, only=("scale",))
    return raw(job, records, ended="timeout")


def worker_failed(job: dict[str, Any]) -> RawRun:
    return raw(job, [], ended="worker_failed", output="[sandbox] worker 0 failed: did not answer in time")


GARBAGE = [
    "{not json", "[]", '"done"', "null", '{"r": "call"}', '{"r": "vote"}', "x" * 3_000_000,
    '{"r": "call", "question": "scale", "case": "public-1", "status": "returned"}',
    '{"r": "call", "question": "scale", "case": "hidden-1", "status": "returned", "value": {"t": ["seq"]}}',
    '{"r": "call", "question": "scale", "case": "hidden-2", "status": "returned", '
    '"value": {"t": "array", "dtype": "object", "shape": [1], "data": ""}}',
    '{"r": "call", "question": "total", "case": 7, "status": "returned"}',
    '{"r": "value", "question": "pick", "found": true, "value": {"t": "str", "v": 5}}',
    '{"r": "cell", "index": "0"}', '{"r": "done", "compute_seconds": ' + "9" * 500 + "}",
    '{"r": "done", "compute_seconds": 1}',
]


def garbage(job: dict[str, Any]) -> RawRun:
    return raw(job, cell_records(job) + GARBAGE)


BEHAVIOUR: dict[str, Callable[[dict[str, Any]], RawRun]] = {
    "good": student(SOLUTION),
    "boom": student(SOLUTION),
    "wrong": student({"scale": lambda x, k: 2 * x * k, "total": lambda x: float(np.sum(x) + 1.0), "pick": "A"}),
    "mutator": student({**SOLUTION, "scale": lambda x, k: x.__imul__(k)}),
    "raiser": student({**SOLUTION, "total": lambda x: 1 / 0}),
    "timeout": timed_out,
    "crashed": lambda job: raw(job, cell_records(job, upto=2), ended="exited"),
    "killed": lambda job: raw(job, cell_records(job, upto=0), ended="signaled"),
    "worker_failed": worker_failed,
    "garbage": garbage,
    "handler_raises": lambda job: (_ for _ in ()).throw(RuntimeError("fake worker broke")),
}


class Sandbox(FakeRunner):
    """A FakeRunner that remembers every job it was given."""

    def __init__(self) -> None:
        self.jobs: list[dict[str, Any]] = []
        super().__init__(self._handle, isolation={"level": "none", "reason": "fake", "from": "runner"})

    def _handle(self, job: dict[str, Any]) -> RawRun:
        self.jobs.append(job)
        label = job["job_id"].split("#")[0]
        return reference_run(job) if label == "reference" else BEHAVIOUR[label](job)

    def labels(self) -> list[str]:
        return [j["job_id"].split("#")[0] for j in self.jobs]


class ReversedSandbox(Sandbox):
    """Completes the jobs in the reverse of the order they were given."""

    def run_many(self, jobs: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], RawRun]]:
        yield from reversed(list(super().run_many(jobs)))


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> GradingConfig:
    return mini_course(tmp_path_factory.mktemp("course"))


def mini_course(root: Path) -> GradingConfig:
    """A course folder holding MINI's solution and release, and a configuration grading from it."""
    for folder, cells in (("solutions", SOLUTION_CELLS), ("assignments", RELEASE_CELLS)):
        (root / folder).mkdir()
        (root / folder / "mini.ipynb").write_text(notebook_text(cells), encoding="utf-8")
    return GradingConfig(layout=CourseLayout(root), limits=Limits(wall_seconds=5.0), workers=1)


@pytest.fixture(scope="module")
def prepared(course: GradingConfig) -> Prepared:
    return prepare(MINI, course, Sandbox())


def submit(root: Path, students: Iterable[str]) -> list[SubmissionFile]:
    files = []
    for name in students:
        path = root / name / "mini.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        marker = "\n# BOOM" if name == "boom" else ""
        path.write_text(notebook_text({**SOLUTION_CELLS, "explain": f"{name} explains it."}, marker),
                        encoding="utf-8")
        files.append(SubmissionFile(name, path))
    return files


def grade(prepared: Prepared, config: GradingConfig, files: list[SubmissionFile],
          runner: Sandbox | None = None) -> tuple[dict[str, SubmissionResult], list[SubmissionResult], Sandbox]:
    runner = runner or Sandbox()
    seen: list[SubmissionResult] = []
    grade_files(prepared, files, config, runner, seen.append)
    assert sorted(r.student for r in seen) == sorted(f.student for f in files)  # once each
    return {r.student: r for r in seen}, seen, runner


def scores(result: SubmissionResult) -> dict[str, float]:
    return {q.question_id: q.score for q in result.questions}


# ---------------------------------------------------------------- prepare


def test_prepare_reads_expected_values_from_the_reference_run(prepared: Prepared) -> None:
    ref = prepared.references.function("scale")
    assert [c.id for c in prepared.cases.by_question["scale"]] == ["public-1", "hidden-1", "hidden-2"]
    np.testing.assert_array_equal(ref.expected["public-1"].value.value, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(ref.mutants["doubled"]["public-1"].value.value, [4.0, 8.0, 12.0])
    assert prepared.references.value("pick").expected == codec.Text("B")
    assert prepared.references.value("pick").mutants == {"chose_a": codec.Text("A")}
    assert prepared.release is not None and prepared.seed == MINI.seed


@pytest.mark.parametrize("run, fragment", [
    (lambda job: raw(job, reference_run(job).records[:-1], ended="timeout"), "ended with timeout"),
    (lambda job: raw(job, list(reference_run(job).records[:-1])), "did not finish"),
    (lambda job: raw(job, [r for r in reference_run(job).records if '"question":"total"' not in r]),
     "total on case public-1: absent"),
    (lambda job: raw(job, [r for r in reference_run(job).records if '"question":"pick"' not in r
                           or '"variant":"pick:' in r]), "pick is not defined by the solution"),
], ids=["timeout", "no done", "case missing", "value missing"])
def test_prepare_refuses_a_broken_reference_run(course: GradingConfig, run: Callable, fragment: str) -> None:
    with pytest.raises(AssignmentError, match=fragment):
        prepare(MINI, course, FakeRunner(run))


# ---------------------------------------------------------------- grade_files


def test_a_mixed_batch(prepared: Prepared, course: GradingConfig, tmp_path: Path) -> None:
    names = ["good", "wrong", "mutator", "raiser", "timeout", "crashed", "killed", "worker_failed",
             "garbage", "handler_raises", "good2"]
    BEHAVIOUR["good2"] = BEHAVIOUR["good"]
    try:
        by, _, runner = grade(prepared, course, submit(tmp_path, names))
    finally:
        del BEHAVIOUR["good2"]
    assert runner.labels() == names  # every readable file ran, once, in order

    good = by["good"]
    assert good.status is Status.GRADED and good.reason == ""
    assert good.score == good.max_score == 4.0
    assert scores(good) == {"scale": 2.0, "total": 1.0, "pick": 1.0, "explain": 0.0}
    assert good.questions[-1].answer_text == "good explains it." and good.questions[-1].manual
    assert good.isolation == ISOLATION and good.compute_seconds == 0.125 and good.warnings == ()
    assert by["good2"].score == 4.0

    wrong = by["wrong"]
    assert wrong.status is Status.GRADED and wrong.score == 0.0
    assert wrong.questions[0].misconceptions == ("doubled",)
    assert wrong.questions[2].misconceptions == ("chose_a",)

    mutator = by["mutator"]  # right values, but x changed in place
    assert mutator.questions[0].score == 0.0 and "modified its input x" in mutator.questions[0].feedback

    raiser = by["raiser"]
    assert raiser.questions[1].outcome is Outcome.ERROR
    assert "raised ZeroDivisionError: division by zero" in raiser.questions[1].feedback
    assert scores(raiser)["scale"] == 2.0

    timeout = by["timeout"]
    assert timeout.status is Status.TIMEOUT and "last cell that ran: scale" in timeout.reason  # by question
    assert scores(timeout) == {"scale": 2.0, "total": 0.0, "pick": 0.0, "explain": 0.0}
    assert timeout.questions[1].outcome is Outcome.TIMEOUT and timeout.questions[2].outcome is Outcome.TIMEOUT

    crashed = by["crashed"]
    assert crashed.status is Status.CRASHED and "ended its own process" in crashed.reason
    killed = by["killed"]
    assert killed.status is Status.CRASHED and "signal 9" in killed.reason

    for name in ("worker_failed", "handler_raises"):
        failed = by[name]
        assert failed.status is Status.GRADER_ERROR and "regrade" in failed.reason
        assert failed.score == 0.0 and len(failed.questions) == 4
    assert "did not answer in time" in by["worker_failed"].output
    assert "fake worker broke" in by["handler_raises"].output

    junk = by["garbage"]
    assert junk.status is Status.GRADED  # one valid "done" arrived
    assert junk.score == 0.0 and len(junk.warnings) == len(GARBAGE) - 1
    assert junk.questions[0].cases[0].message.startswith("the answer for this case could not be read back")
    assert junk.questions[2].feedback.startswith("`pick` could not be read back")


def test_timeout_keeps_earlier_questions(prepared: Prepared, course: GradingConfig, tmp_path: Path) -> None:
    by, _, _ = grade(prepared, course, submit(tmp_path, ["timeout"]))
    result = by["timeout"]
    assert result.status is Status.TIMEOUT
    assert result.questions[0].outcome is Outcome.PASSED and result.questions[0].score == 2.0
    assert result.score == 2.0 and result.max_score == 4.0


def test_judge_exception_marks_only_that_submission(prepared: Prepared, course: GradingConfig, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.grade_questions

    def flaky(assignment: Assignment, cases: Any, references: Any, observed: Any, notebook: Any,
              release: Any, verdict_of: Any) -> Any:
        if any("# BOOM" in c.source for c in notebook.cells):
            raise RuntimeError("judge tripped")
        return real(assignment, cases, references, observed, notebook, release, verdict_of)

    monkeypatch.setattr(pipeline, "grade_questions", flaky)
    by, _, _ = grade(prepared, course, submit(tmp_path, ["good", "boom", "wrong"]))
    boom = by["boom"]
    assert boom.status is Status.GRADER_ERROR
    assert boom.reason == "internal grader error (RuntimeError: judge tripped); please report it"
    assert boom.score == 0.0 and all(q.feedback.startswith("Not graded: internal grader error")
                                     for q in boom.questions)
    assert [q.manual for q in boom.questions] == [False, False, False, True]
    assert by["good"].status is Status.GRADED and by["good"].score == 4.0
    assert by["wrong"].status is Status.GRADED and by["wrong"].questions[0].misconceptions == ("doubled",)


def test_unreadable_files_never_reach_the_runner(prepared: Prepared, course: GradingConfig, tmp_path: Path) -> None:
    files = submit(tmp_path, ["good", "wrong"])
    broken = tmp_path / "broken" / "mini.ipynb"
    broken.parent.mkdir()
    broken.write_text('{"cells": [', encoding="utf-8")
    zipped = tmp_path / "zipped.ipynb"
    zipped.write_bytes(b"PK\x03\x04rest of a zip")
    files[1:1] = [SubmissionFile("broken", broken), SubmissionFile("absent", tmp_path / "nope.ipynb"),
                  SubmissionFile("zipped", zipped)]
    by, seen, runner = grade(prepared, course, files)
    assert runner.labels() == ["good", "wrong"]
    for name in ("broken", "absent", "zipped"):
        assert by[name].status is Status.UNGRADABLE and by[name].isolation == runner.isolation
        assert (by[name].score, by[name].max_score) == (0.0, 4.0)  # the assignment's real maximum
        assert [q.question_id for q in by[name].questions] == [q.id for q in MINI.questions]
    assert "truncated" in by["broken"].reason and "zip archive" in by["zipped"].reason
    assert "cannot read the file" in by["absent"].reason
    # each file is read when the runner asks for its next job: unreadable ones are decided then
    assert [r.student for r in seen] == ["good", "broken", "absent", "zipped", "wrong"]


def test_on_result_follows_completion_order(prepared: Prepared, course: GradingConfig, tmp_path: Path) -> None:
    names = ["good", "wrong", "timeout", "raiser"]
    _, seen, runner = grade(prepared, course, submit(tmp_path, names), ReversedSandbox())
    assert runner.labels() == names
    assert [r.student for r in seen] == list(reversed(names))


def test_every_job_carries_the_same_cases(prepared: Prepared, course: GradingConfig, tmp_path: Path) -> None:
    _, _, runner = grade(prepared, course, submit(tmp_path, ["good", "wrong"]))
    probes = [{p["question"]: p for p in job["probes"]} for job in runner.jobs]
    assert probes[0] == probes[1]
    assert [c["id"] for c in probes[0]["scale"]["cases"]] == ["public-1", "hidden-1", "hidden-2"]
    assert all(job["variants"] == [] for job in runner.jobs)  # mutants run only in the reference job


def test_given_the_assignment_the_solution_runs_first_in_the_same_stream(
        prepared: Prepared, course: GradingConfig, tmp_path: Path) -> None:
    """Students' jobs go out right behind the solution's; a run back before it waits, then is judged alike."""
    names = ["good", "wrong", "timeout", "raiser"]
    files = submit(tmp_path, names)
    runner = ReversedSandbox()  # every student's run comes back before the solution's
    results: list[SubmissionResult] = []
    grade_files(MINI, files, course, runner, results.append)
    seen = results
    assert runner.labels() == ["reference", *names]
    assert [r.student for r in seen] == list(reversed(names))
    expected, _, _ = grade(prepared, course, files)
    assert {r.student: (r.score, r.status) for r in results} == {
        name: (r.score, r.status) for name, r in expected.items()}


def test_given_the_assignment_a_broken_solution_run_stops_the_batch(course: GradingConfig, tmp_path: Path) -> None:
    def run(job: dict[str, Any]) -> RawRun:
        if job["job_id"].startswith("reference#"):
            return raw(job, reference_run(job).records[:-1], ended="timeout")
        return student(SOLUTION)(job)

    with pytest.raises(AssignmentError, match="ended with timeout"):
        grade_files(MINI, submit(tmp_path, ["good"]), course, FakeRunner(run), lambda r: None)


# ---------------------------------------------------------------- the batch's own files


class AllCorrect(Sandbox):
    """Every student answers like the solution, whatever they are called."""

    def _handle(self, job: dict[str, Any]) -> RawRun:
        label = job["job_id"].split("#")[0]
        return reference_run(job) if label == "reference" else student(SOLUTION)(job)


def test_no_student_name_can_reach_a_file_of_the_batch(course: GradingConfig, tmp_path: Path) -> None:
    """A submission named after a batch file (``grades.csv.ipynb``) gets a folder of its own."""
    names = [*BATCH_FILES, STUDENTS, "students.ipynb", "grades"]
    submissions = tmp_path / "in"
    submissions.mkdir()
    for name in names:
        (submissions / f"{name}.ipynb").write_text(notebook_text(SOLUTION_CELLS), encoding="utf-8")
    out = tmp_path / "out"
    summary = grade_batch(MINI, [submissions], out, course, runner=AllCorrect())
    assert {r.student for r in summary.results} == set(names)
    assert all(r.status is Status.GRADED for r in summary.results)
    assert sorted(p.name for p in out.iterdir()) == sorted([*BATCH_FILES, *CLASS_FILES, STUDENTS])
    assert (out / "grades.csv").is_file() and (out / "junit.xml").is_file()
    for name in names:
        folder = student_folder(out, name)
        assert folder.parent == out / STUDENTS
        assert sorted(p.name for p in folder.iterdir()) == ["feedback.html", "record.json", "results.json"]
    rows = (out / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(names) + 1


def test_the_sympy_verdicts_kept_are_bounded(prepared: Prepared, monkeypatch: pytest.MonkeyPatch) -> None:
    """Identical answers are judged once, but a large class's long tail of answers must not grow memory."""
    judged: list[str] = []
    judge = SymbolicJudge(prepared, 1.0)
    monkeypatch.setattr(pipeline, "VERDICTS_KEPT", 2)
    monkeypatch.setattr(judge, "_boxed", lambda answers: [
        judged.append(source) or TimeboxResult(True, {"source": source}, "") for _, source in answers])
    question = SimpleNamespace(id="q")
    for source in ["a", "a", "b", "a", "c", "a", "b"]:
        assert judge(question, source) == {"source": source}  # type: ignore[arg-type]
    assert judged == ["a", "b", "c", "b"]  # "a" stayed as the most recently used; "b" was dropped for "c"
    assert len(judge.cache) == 2


def test_judge_all_judges_each_new_answer_once_side_by_side(prepared: Prepared,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission's answers go to the time boxes together; known and repeated ones are not judged again."""
    batches: list[list[str]] = []
    judge = SymbolicJudge(prepared, 1.0, parallel=2)
    monkeypatch.setattr(judge, "_boxed", lambda answers: batches.append([s for _, s in answers]) or [
        TimeboxResult(True, {"source": s}, "") for _, s in answers])
    first, second = SimpleNamespace(id="q1"), SimpleNamespace(id="q2")
    assert judge(first, "a") == {"source": "a"}  # type: ignore[arg-type]
    judge.judge_all([(first, "a"), (first, "b"), (second, "a"), (first, "b")])  # type: ignore[list-item]
    assert batches == [["a"], ["b", "a"]]
    assert judge(second, "a") == {"source": "a"} and judge(first, "b") == {"source": "b"}  # type: ignore[arg-type]
    assert len(batches) == 2
    judge.judge_all([(first, "c")])  # type: ignore[list-item]
    assert len(batches) == 2  # a single new answer waits for its own question's call
