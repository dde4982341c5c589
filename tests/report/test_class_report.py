"""The class report: statistics checked against an independent computation, the page, its files, the CLI."""

from __future__ import annotations

import base64
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import report_samples as samples

from autograder import cli
from autograder.batch import grade_batch
from autograder.errors import ConfigError
from autograder.report import output
from autograder.report.bundle import CLASS_FILES
from autograder.report.class_figures import question_shares, score_histogram
from autograder.report.class_page import class_page
from autograder.report.class_report import write_class_files, write_class_report
from autograder.report.class_stats import ClassStats, QuestionInfo, class_stats
from autograder.report.record import record_json
from source_lib.judge.results import CaseResult, Lateness, Outcome, QuestionResult, Status, SubmissionResult

POINTS = {"grad": 2.0, "cost": 3.0, "pick": 1.0}
FEEDBACK = {("grad", "no_1_over_m"): "Your gradient is m times too large: did you forget `1/m`?",
            ("grad", "sign"): "Check the sign of the update.",
            ("cost", "one_over_m"): "Your cost is twice too large.",
            ("pick", "chose_a"): "-A is the first option, not the right one."}   # a leading - for the CSV
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
DATA_V = re.compile(r'data-v="([^"]*)"')


# ---------------------------------------------------------------- building results


def question(qid: str, score: float, named: tuple[str, ...] = ()) -> QuestionResult:
    cases = tuple(CaseResult(f"public-{k}", False, False, FEEDBACK[(qid, m)], misconception=m)
                  for k, m in enumerate(named, 1))
    points = POINTS[qid]
    outcome = Outcome.PASSED if score >= points else Outcome.PARTIAL if score > 0 else Outcome.FAILED
    return QuestionResult(qid, f"Title of {qid}", score, points, outcome, "feedback", cases, named)


def graded(student: str, scores: dict[str, float], named: dict[str, tuple[str, ...]] | None = None,
           status: Status = Status.GRADED, penalty: float = 0.0) -> SubmissionResult:
    named = named or {}
    questions = tuple(question(q, scores[q], named.get(q, ())) for q in POINTS)
    manual = QuestionResult("explain", "Explain", 0.0, 2.0, Outcome.MANUAL, "", manual=True)
    late = Lateness("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", 86400.0, penalty, "zero") if penalty else None
    return SubmissionResult(student, f"{student}.ipynb", "ab" * 32, status, "", (*questions, manual), "0.1.0",
                            lateness=late)


def cohort(size: int = 40, seed: int = 7) -> list[SubmissionResult]:
    """Students whose scores hang together (a latent skill), with mistakes named on lost points."""
    rng = np.random.default_rng(seed)
    results = []
    for k in range(size):
        skill = rng.uniform()
        scores = {q: float(rng.choice([0.0, points / 2, points], p=_odds(skill))) for q, points in POINTS.items()}
        scores["pick"] = float(rng.integers(0, 2))  # a coin flip: it should not discriminate much
        named: dict[str, tuple[str, ...]] = {}
        if scores["grad"] < POINTS["grad"]:
            named["grad"] = ("no_1_over_m",) if rng.uniform() < 0.7 else ("sign", "no_1_over_m")
        if scores["cost"] == 0 and rng.uniform() < 0.5:
            named["cost"] = ("one_over_m",)
        if scores["pick"] == 0 and rng.uniform() < 0.3:
            named["pick"] = ("chose_a",)
        results.append(graded(f"s{k:02d}", scores, named))
    return results


def _odds(skill: float) -> list[float]:
    full = 0.1 + 0.8 * skill
    return [(1 - full) * 0.6, (1 - full) * 0.4, full]


def matrix(results: list[SubmissionResult]) -> np.ndarray:
    return np.array([[next(q.score for q in r.questions if q.question_id == qid) for qid in POINTS]
                     for r in results if r.status is Status.GRADED])


def pages(stats: ClassStats) -> str:
    return class_page(stats, score_histogram(stats), question_shares(stats))


# ---------------------------------------------------------------- statistics, computed again here


def test_summary_and_item_statistics_match_an_independent_computation() -> None:
    results = cohort()
    stats = class_stats("mini", results)
    scores = matrix(results)
    totals = scores.sum(axis=1)
    s = stats.summary
    assert (s.n, s.max_score) == (40, 6.0)
    assert s.mean == pytest.approx(totals.mean()) and s.median == pytest.approx(np.median(totals))
    assert s.sd == pytest.approx(np.std(totals, ddof=1))
    assert (s.min, s.max) == (totals.min(), totals.max())
    for j, (qid, points) in enumerate(POINTS.items()):
        item = scores[:, j]
        q = next(q for q in stats.questions if q.id == qid)
        assert q.mean_score == pytest.approx(item.mean())
        assert q.difficulty == pytest.approx(item.mean() / points)
        assert q.discrimination == pytest.approx(np.corrcoef(item, totals - item)[0, 1])
        assert (q.full, q.partial, q.zero) == (np.sum(item == points), np.sum((item > 0) & (item < points)),
                                               np.sum(item == 0))
    pick = next(q for q in stats.questions if q.id == "pick")
    assert pick.discrimination is not None and pick.discrimination < 0.2 and pick.verdict == "low"
    assert [q.verdict for q in stats.questions] == ["ok", "ok", "low", ""]  # explain is manual
    assert np.sum(stats.histogram.counts) == 40 and stats.histogram.edges == tuple(float(k) for k in range(7))
    assert list(stats.histogram.counts) == list(np.histogram(totals, bins=np.arange(7))[0])


def test_misconceptions_are_ranked_by_frequency_with_their_feedback_and_students() -> None:
    results = cohort()
    stats = class_stats("mini", results)
    expected: dict[tuple[str, str], list[str]] = {}
    for r in results:
        for q in r.questions:
            for m in q.misconceptions:
                expected.setdefault((q.question_id, m), []).append(r.student)
    found = [(m.question, m.misconception) for m in stats.misconceptions]
    assert sorted(found) == sorted(expected)
    counts = [m.count for m in stats.misconceptions]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    for m in stats.misconceptions:
        assert m.students == tuple(sorted(expected[(m.question, m.misconception)]))
        assert m.feedback == FEEDBACK[(m.question, m.misconception)]
        assert m.share == pytest.approx(m.count / 40)


def test_ties_keep_the_notebook_order_then_the_id() -> None:
    results = [graded("a", {"grad": 0, "cost": 0, "pick": 0}, {"pick": ("chose_a",), "grad": ("sign",)}),
               graded("b", {"grad": 0, "cost": 0, "pick": 1}, {"grad": ("no_1_over_m",)})]
    stats = class_stats("mini", results)
    assert [(m.question, m.misconception) for m in stats.misconceptions] == [
        ("grad", "no_1_over_m"), ("grad", "sign"), ("pick", "chose_a")]


def test_discrimination_is_undefined_without_variance_and_says_why() -> None:
    same = [graded(f"s{k}", {"grad": 2.0, "cost": float(k % 4), "pick": 1.0}) for k in range(8)]
    stats = class_stats("mini", same)
    by = {q.id: q for q in stats.questions}
    assert by["grad"].discrimination is None and by["grad"].verdict == "undefined"
    assert "every graded student scored the same" in by["grad"].undefined_because
    assert by["cost"].discrimination is None and "rest of the score" in by["cost"].undefined_because
    one = class_stats("mini", same[:1])
    assert {q.undefined_because for q in one.questions if not q.manual} == {"fewer than 2 graded students"}


def test_unscored_submissions_are_counted_named_and_left_out() -> None:
    stats = class_stats("mini", samples.make_batch())
    assert stats.submissions == 6 and stats.graded == 2  # alice and bob
    assert dict(stats.status_counts) == {Status.GRADED: 2, Status.TIMEOUT: 1, Status.CRASHED: 1,
                                         Status.UNGRADABLE: 1, Status.GRADER_ERROR: 1}
    assert [(u.student, u.status) for u in stats.unscored] == [
        ("=cmd|' /C calc'!A0", Status.TIMEOUT), ("dave", Status.CRASHED), ("carol", Status.UNGRADABLE),
        ("erin", Status.GRADER_ERROR)]
    assert stats.summary.mean == pytest.approx((10 + 3) / 2)  # alice 2+3+5, bob 2+1+0
    assert [(m.question, m.students) for m in stats.misconceptions] == [("q2", ("bob",)), ("q2", ("bob",))]
    assert {m.feedback for m in stats.misconceptions} == {samples.TRANSPOSE, samples.SIGN}
    q4 = next(q for q in stats.questions if q.id == "q4")
    assert q4.manual and q4.verdict == ""
    page = pages(stats)
    for name in ("carol", "dave", "erin", "=cmd|&#x27; /C calc&#x27;!A0"):
        assert name in page
    assert "left out of every number below" in page and "graded by the instructor" in page
    assert "item statistics need more students" in page  # 2 graded


def test_late_penalties_do_not_change_what_the_class_knew() -> None:
    results = [graded("a", {"grad": 2, "cost": 3, "pick": 1}, penalty=6.0), graded("b", {"grad": 0, "cost": 0,
                                                                                           "pick": 0})]
    stats = class_stats("mini", results)
    assert stats.summary.max == 6.0 and stats.late_penalised == 1
    assert "before late penalties" in pages(stats)


# ---------------------------------------------------------------- the page


def hostile_batch() -> list[SubmissionResult]:
    nasty = graded(SCRIPT, {"grad": 0, "cost": 0, "pick": 1}, {"grad": ("no_1_over_m",)})
    other = graded(IMG, {"grad": 0, "cost": 3, "pick": 0}, {"grad": ("no_1_over_m",)})
    broken = dataclasses.replace(samples.make_ungradable(), student=f"{IMG}x", reason=f"bad {SCRIPT}")
    forged = dataclasses.replace(samples.make_hostile(), status=Status.GRADED)  # NASTY ids and feedback, graded
    return [nasty, other, broken, forged, graded("=HYPERLINK(1)", {"grad": 0, "cost": 0, "pick": 0},
                                                 {"pick": ("chose_a",)})]


def test_a_question_some_results_lack_counts_as_zero_for_them() -> None:
    stats = class_stats("mini", hostile_batch())  # the forged student has other questions than the rest
    for q in stats.questions:
        assert q.manual or q.full + q.partial + q.zero == q.n == stats.graded == 4
    q1 = next(q for q in stats.questions if q.id == "q1")
    assert (q1.zero, q1.unexplained, q1.mean_score) == (4, 3, 0.0)


def test_every_student_derived_string_is_escaped() -> None:
    page = pages(class_stats(f"a{SCRIPT}", hostile_batch()))
    assert page.count("<script") == 1 and "<img src=x" not in page and "onerror=alert(1)>" not in page
    assert "<img" not in page.replace('<img src="data:image/png;base64,', "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x1b" not in page and "\x00" not in page and "\u202e" not in page
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page  # the one script the page may run
    assert "<code>1/m</code>" in page  # the judge's `code` spans, after escaping


def test_the_csv_files_defuse_formulas(tmp_path: Path) -> None:
    write_class_files(class_stats("mini", hostile_batch()), tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "class_misconceptions.csv").read_text(encoding="utf-8"))))
    chose = next(r for r in rows if r["misconception"] == "chose_a")
    assert chose["students"] == "'=HYPERLINK(1)" and chose["feedback"].startswith("'-A is")
    text = (tmp_path / "class_misconceptions.csv").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x00" not in text


def test_the_page_json_and_csv_say_the_same_numbers(tmp_path: Path) -> None:
    write_class_files(class_stats("mini", cohort()), tmp_path)
    page = (tmp_path / "class.html").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "class.json").read_text(encoding="utf-8"))
    s = data["scores"]
    assert _values(_between(page, 'id="summary"', "</table>")) == [s[k] for k in
                                                                    ("n", "mean", "median", "sd", "min", "max",
                                                                     "max_score")]
    assert _values(_between(page, 'id="statuses"', "</table>")) == list(data["by_status"].values())
    questions = list(csv.DictReader(io.StringIO((tmp_path / "class_questions.csv").read_text(encoding="utf-8"))))
    items = _between(page, 'id="item-table"', "</table>")
    for q, row in zip(data["questions"], questions):
        assert row["question"] == q["id"] and row["manual"] == ("yes" if q["manual"] else "no")
        if q["manual"]:
            continue
        cells = _values(_between(page, f'<tr id="q-{q["id"]}">', "</tr>"))
        assert cells == [q[k] for k in ("points", "full_share", "partial_share", "zero_share", "mean_score",
                                        "no_named_mistake")]
        assert _values(_between(items, f"{q['id']}</code>", "</tr>")) == [q["difficulty"], q["discrimination"]]
        for key in ("graded", "full", "full_share", "mean_score", "difficulty", "discrimination"):
            assert float(row[key]) == q[key]
        assert row["discrimination_verdict"] == q["discrimination_verdict"]
    mistakes = _between(page, 'id="mistake-table"', "</table>").split("<tr>")[2:]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "class_misconceptions.csv").read_text(encoding="utf-8"))))
    assert len(mistakes) == len(rows) == len(data["misconceptions"]) > 0
    for shown, row, m in zip(mistakes, rows, data["misconceptions"]):
        assert _values(shown) == [m["rank"], m["count"], m["share"]]
        assert (row["question"], row["misconception"], int(row["count"]), float(row["share"])) == (
            m["question"], m["misconception"], m["count"], m["share"])
        assert row["students"].split("; ") == m["students"]


def _between(text: str, start: str, end: str) -> str:
    head = text.index(start) + len(start)
    return text[head:text.index(end, head)]


def _values(html_text: str) -> list[float]:
    return [float(v) for v in DATA_V.findall(html_text)]


@pytest.mark.parametrize("results", [[], [samples.make_ungradable(), samples.make_grader_error()]],
                         ids=["empty", "only-ungradable"])
def test_a_batch_without_graded_students_still_renders(results: list[SubmissionResult], tmp_path: Path) -> None:
    stats = class_stats("mini", results, [QuestionInfo("q1", 2.0, False), QuestionInfo("q4", 5.0, True)])
    assert score_histogram(stats) is None and question_shares(stats) is None
    paths = write_class_files(stats, tmp_path)
    assert [p.name for p in paths] == list(CLASS_FILES)
    page = paths[0].read_text(encoding="utf-8")
    assert "<img" not in page and ("holds no submissions" in page or "No submission was graded" in page)
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    assert data["graded"] == 0 and data["scores"]["mean"] is None
    assert data["questions"][0]["discrimination_verdict"] == "undefined"


def test_figures_are_stable_pngs_without_a_software_tag() -> None:
    stats = class_stats("mini", cohort())
    first, again = score_histogram(stats), score_histogram(class_stats("mini", cohort()))
    assert first is not None and first == again and first.startswith(b"\x89PNG")
    assert b"Software" not in first and b"matplotlib" not in first.lower()
    shares = question_shares(stats)
    assert shares is not None and shares.startswith(b"\x89PNG")


# ---------------------------------------------------------------- on disk, from a batch folder


def write_batch(folder: Path, results: list[SubmissionResult], students: int | None = None) -> Path:
    from autograder.report.bundle import student_folder, write_batch_json

    folder.mkdir(parents=True, exist_ok=True)
    for result in results:
        (student_folder(folder, result.student) / "record.json").parent.mkdir(parents=True, exist_ok=True)
        (student_folder(folder, result.student) / "record.json").write_text(record_json(result), encoding="utf-8")
    with (folder / "batch.json").open("w", encoding="utf-8") as handle:
        write_batch_json("mini", results, None, handle)
    if students is not None:
        data = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
        data["students"] = data["students"][:students]
        (folder / "batch.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_write_class_report_reads_the_records_of_a_batch(tmp_path: Path) -> None:
    results = cohort(12)
    folder = write_batch(tmp_path / "out", results)
    paths = write_class_report(folder)
    assert [p.name for p in paths] == list(CLASS_FILES) and all(p.parent == folder for p in paths)
    data = json.loads((folder / "class.json").read_text(encoding="utf-8"))
    assert data["graded"] == 12 and data["scores"]["mean"] == pytest.approx(matrix(results).sum(axis=1).mean())
    assert output.foreign_entry(folder) is None  # the next grade --out may replace this folder
    empty = write_batch(tmp_path / "empty", [])
    assert [p.name for p in write_class_report(empty)] == list(CLASS_FILES)
    assert json.loads((empty / "class.json").read_text(encoding="utf-8"))["submissions"] == 0


def test_a_folder_that_is_not_a_graded_batch_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such folder"):
        write_class_report(tmp_path / "absent")
    with pytest.raises(ConfigError, match="holds no batch.json"):
        write_class_report(tmp_path)
    (tmp_path / "batch.json").write_text('{"assignment": "mini"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="missing or malformed 'questions'"):
        write_class_report(tmp_path)
    folder = write_batch(tmp_path / "short", cohort(3), students=2)
    with pytest.raises(ConfigError, match=r"lists 2 student\(s\) but students/ holds 3 record.json"):
        write_class_report(folder)
    folder = write_batch(tmp_path / "torn", cohort(2))
    next(folder.glob("students/*/record.json")).write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a result record"):
        write_class_report(folder)


def test_the_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_batch(tmp_path / "out", cohort(6))
    assert cli.main(["report", str(folder)]) == 0
    assert f"wrote {folder / 'class.html'}" in capsys.readouterr().out
    assert cli.main(["report", str(tmp_path)]) == 2
    assert "holds no batch.json" in capsys.readouterr().err


def test_a_batch_graded_by_the_pipeline(tmp_path: Path) -> None:
    """The real pipeline (with the fake sandbox): records as grading writes them."""
    from tests.test_pipeline_fake import MINI, SOLUTION_CELLS, Sandbox, mini_course, notebook_text

    (tmp_path / "course").mkdir()
    course = mini_course(tmp_path / "course")
    submissions = tmp_path / "in"
    submissions.mkdir()
    names = ["good", "wrong", "raiser", "timeout", "crashed"]
    for name in names:
        (submissions / f"{name}.ipynb").write_text(notebook_text(SOLUTION_CELLS), encoding="utf-8")
    (submissions / "torn.ipynb").write_text("{", encoding="utf-8")
    out = tmp_path / "out"
    grade_batch(MINI, [submissions], out, course, runner=Sandbox())
    write_class_report(out)
    data = json.loads((out / "class.json").read_text(encoding="utf-8"))
    assert data["by_status"]["graded"] == 3 and data["submissions"] == 6
    assert {u["student"] for u in data["unscored"]} == {"timeout", "crashed", "torn"}
    assert [(m["question"], m["misconception"], m["students"]) for m in data["misconceptions"]] == [
        ("scale", "doubled", ["wrong"]), ("pick", "chose_a", ["wrong"])]
    assert data["misconceptions"][0]["feedback"] == "You multiplied by 2 k instead of k."
    assert [q["id"] for q in data["questions"]] == ["scale", "total", "pick", "explain"]
    assert data["questions"][-1] == {"id": "explain", "title": "explain", "points": 2.0, "manual": True,
                                     "graded_by": "instructor"}
    grade_batch(MINI, [submissions], out, course, runner=Sandbox())  # the class files do not block the next batch


# ---------------------------------------------------------------- in a real browser


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_in_a_real_browser(tmp_path: Path) -> None:
    """Every figure loads, the script runs under the page's own CSP, and a click sorts a table."""
    from tests import browser_support as browser

    why = browser.unavailable()
    if why and os.environ.get("CI"):
        pytest.fail(f"the browser test cannot run in CI: {why}")
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    write_class_files(class_stats("mini", cohort() + hostile_batch()), tmp_path)
    problems: list[str] = []
    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=browser.chromium(), args=["--no-sandbox"], timeout=60_000)
        try:
            page = chrome.new_page(viewport={"width": 1300, "height": 1000})
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
            page.goto((tmp_path / "class.html").as_uri())
            widths: Any = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
            counts = "rows => rows.map(r => Number(r.cells[1].dataset.v))"
            before = page.eval_on_selector_all("#mistake-table tbody tr", counts)
            page.click("#mistake-table thead th:nth-child(2) button")  # Students: a number, largest first
            sorted_down = page.eval_on_selector_all("#mistake-table tbody tr", counts)
            page.click("#mistake-table thead th:nth-child(2) button")  # again: smallest first
            sorted_up = page.eval_on_selector_all("#mistake-table tbody tr", counts)
            page.click("#mistake-table thead th:nth-child(4) button")  # a text column: A to Z
            questions = page.eval_on_selector_all("#mistake-table tbody tr",
                                                  "rows => rows.map(r => r.cells[3].textContent.trim().toLowerCase())")
        finally:
            chrome.close()
    assert len(widths) == 2 and all(w and w > 0 for w in widths), widths
    assert problems == []
    assert before == sorted(before, reverse=True) and before[0] > before[-1]  # ranked without the script too
    assert sorted_down == sorted(before, reverse=True) and sorted_up == sorted(before)
    assert questions == sorted(questions)


def test_a_student_id_with_inner_spaces_is_the_same_in_every_sheet(tmp_path: Path) -> None:
    """class.json and class_misconceptions.csv join with grades.csv on the id as written."""
    from autograder.report.gradebook import grades_csv

    spaced, broken = "ann  lee   2", "bob\tkim"
    zero, named = dict.fromkeys(POINTS, 0.0), {"grad": ("no_1_over_m",)}
    results = [graded(spaced, zero, named), graded(broken, zero, named), graded("cy", POINTS),
               graded("dee  x", zero, status=Status.UNGRADABLE)]
    write_class_files(class_stats("mini", results), tmp_path)
    in_grades = {row["student"] for row in csv.DictReader(io.StringIO(grades_csv(results, list(POINTS))))}
    document = json.loads((tmp_path / "class.json").read_text(encoding="utf-8"))
    in_json = {s for m in document["misconceptions"] for s in m["students"]}
    with (tmp_path / "class_misconceptions.csv").open(encoding="utf-8", newline="") as sheet:
        in_csv = {s for row in csv.DictReader(sheet) for s in row["students"].split("; ")}
    assert in_json == in_csv == {spaced, "bob kim"} and in_json <= in_grades
    assert {u["student"] for u in document["unscored"]} == {"dee  x"} <= in_grades
