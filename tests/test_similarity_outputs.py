"""``similarity.html`` and ``similarity.csv``: self-contained, escaped, ranked, complete, atomic and
deterministic; the command line's messages; the public names. Every file is written under ``tmp_path``.
"""

from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import autograder.similarity as similarity
from autograder.cli import main
from autograder.declarations import load
from autograder.notebook import Submissions
from autograder.similarity import find_similar, write_outputs
from autograder.similarity.page import marked
from tests.similarity_class import LAYOUT, NAME, RELEASE, SOLUTION, honest_class, notebook, renamed
from tests.test_similarity import HOSTILE, write_class

EVIL_ID = "=HYPERLINK(\"x\")<img src=x onerror=alert(3)> &amp;"


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def hostile_class(root: Path) -> Path:
    """The honest class, a hostile copier (id and code), and three files that are not notebooks."""
    copy = {cell: renamed(code) + f"\n# {HOSTILE}\ns = '{HOSTILE}'" for cell, code in SOLUTION.items()}
    folder = write_class(root, {**honest_class(), "original": notebook(SOLUTION), EVIL_ID: notebook(copy)})
    truncated = folder / "cut" / NAME / f"{NAME}.ipynb"
    truncated.parent.mkdir(parents=True)
    truncated.write_text(RELEASE[: len(RELEASE) // 2], encoding="utf-8")
    (folder / "zip.ipynb").write_bytes(b"PK\x03\x04 not a notebook")
    broken = json.loads(notebook(SOLUTION))
    for cell in broken["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "compute_cost":
            cell["source"] = "def compute_cost(X, y, w, b:\n    return '''never closed\n"
    (folder / "unbalanced.ipynb").write_text(json.dumps(broken), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[similarity.SimilarityReport, Path]:
    root = tmp_path_factory.mktemp("similar")
    folder = hostile_class(root)
    assert main(["similarity", NAME, str(folder), "--out", str(root / "out"), "--quiet"]) == 0
    report = find_similar(load(NAME), Submissions.find([folder], NAME).files, LAYOUT)
    return report, root / "out"


def test_the_page_is_one_self_contained_file_without_script(written: tuple) -> None:
    _, out = written
    assert sorted(p.name for p in out.iterdir()) == ["similarity.csv", "similarity.html"]
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    parsed = Tags()
    parsed.feed(page)
    assert not {tag for tag, _ in parsed.found} & {"script", "img", "link", "iframe", "object", "embed", "base", "form"}
    links = [value for _, attrs in parsed.found for name, value in attrs if name in ("href", "src", "xlink:href")]
    assert links and all(str(link).startswith("#pair-") for link in links)
    assert not [name for _, attrs in parsed.found for name, _ in attrs if name.startswith("on")]
    assert "<svg" in page and "Histogram of the scores" in page
    assert "Evidence, not proof" in page and "weigh" in page


def test_every_student_string_on_the_page_is_escaped(written: tuple) -> None:
    _, out = written
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert HOSTILE not in page and "<img" not in page and "</script>" not in page
    assert html.escape(HOSTILE) in page  # the hostile code is shown, as text
    assert html.escape(EVIL_ID) in page
    assert marked("<a>b</a>", ()) == "&lt;a&gt;b&lt;/a&gt;"


def test_the_copy_is_flagged_and_shown_side_by_side(written: tuple) -> None:
    report, out = written
    assert {report.pair(1).first, report.pair(1).second} == {"original", EVIL_ID} and report.pair(1).reasons
    page = (out / "similarity.html").read_text(encoding="utf-8")
    section = page[page.index('id="pair-1"'):]
    assert section.count("<mark") >= 6 and 'class="f1"' in section
    assert "side by side" in page and "No graded batch was given" in page


def test_unreadable_notebooks_are_named_with_their_reason_and_the_rest_is_compared(written: tuple) -> None:
    report, out = written
    skipped = {d.student: d.problem for d in report.skipped}
    assert set(skipped) == {"cut", "zip"} and "truncated" in skipped["cut"] and "zip" in skipped["zip"]
    unbalanced = next(d for d in report.documents if d.student == "unbalanced")
    assert any("not valid Python" in note for note in unbalanced.notes)
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "not compared" in page and "looks truncated" in page and "not valid Python" in page
    rows = list(csv.reader((out / "similarity.csv").read_text(encoding="utf-8").splitlines()))
    notes = {row[1]: row[-1] for row in rows[1:] if not row[0]}
    assert set(notes) == {"cut", "zip"} and notes["cut"].startswith("not compared: ")


def test_the_sheet_lists_every_pair_highest_first_and_defuses_formulas(written: tuple) -> None:
    report, out = written
    rows = list(csv.DictReader((out / "similarity.csv").read_text(encoding="utf-8").splitlines()))
    pairs = [r for r in rows if r["rank"]]
    n = len(report.documents)
    assert len(pairs) == n * (n - 1) // 2 == len(report.pairs)
    scores = [float(r["score"]) for r in pairs]
    assert scores == sorted(scores, reverse=True) and [int(r["rank"]) for r in pairs] == list(range(1, len(pairs) + 1))
    assert all(not r["student_a"].startswith(("=", "+", "-", "@")) for r in rows)
    assert f"'{EVIL_ID}" in {r["student_a"] for r in pairs} | {r["student_b"] for r in pairs}
    assert "shared_rare_mistakes" not in rows[0]  # no --batch
    assert {"compute_cost", "compute_gradient", "gradient_descent"} <= set(rows[0])
    assert pairs[0]["flagged"] and "shares" in pairs[0]["flagged"]


def test_outputs_are_the_same_every_run(tmp_path: Path, written: tuple) -> None:
    report, out = written
    again = write_outputs(report, tmp_path / "again")
    assert again.sheet.read_bytes() == (out / "similarity.csv").read_bytes()
    first, second = ((p / "similarity.html").read_text() for p in (out, tmp_path / "again"))
    assert re.sub(r"in [\d.]+ s", "", first) == re.sub(r"in [\d.]+ s", "", second)


def test_writing_replaces_the_two_files_and_leaves_the_rest(tmp_path: Path, written: tuple) -> None:
    report, _ = written
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "similarity.csv").write_text("old")
    write_outputs(report, out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "similarity.csv", "similarity.html"]
    assert (out / "notes.txt").read_text() == "mine" and (out / "similarity.csv").read_text() != "old"


def test_the_command_line_prints_the_top_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_class(tmp_path, {"ana": notebook(SOLUTION), "ben": notebook(SOLUTION), "blank": RELEASE})
    assert main(["similarity", NAME, str(folder), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr()
    assert "3 submission(s) compared, 3 pair(s)" in printed.out and "(flagged)" in printed.out
    assert "wrote" in printed.out and "read 3 notebook(s)" in printed.err


@pytest.mark.parametrize("args, message", [
    (["no_such_assignment", "{folder}"], "unknown assignment"),
    ([NAME, "{tmp}/nowhere"], "no submissions found"),
    ([NAME, "{folder}", "--batch", "{tmp}"], "no students/ folder"),
])
def test_usage_errors_exit_2_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  args: list[str], message: str) -> None:
    folder = write_class(tmp_path / "class", {"ana": notebook(SOLUTION)})
    filled = [a.format(folder=folder, tmp=tmp_path) for a in args]
    assert main(["similarity", *filled, "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_graded_batch_folder_is_not_an_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_class(tmp_path / "class", {"ana": notebook(SOLUTION)})
    (tmp_path / "graded").mkdir()
    (tmp_path / "graded" / "batch.json").write_text("{}")
    assert main(["similarity", NAME, str(folder), "--out", str(tmp_path / "graded")]) == 2
    assert "folder of its own" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "graded").iterdir()) == ["batch.json"]


def test_the_public_names_are_pinned() -> None:
    assert sorted(similarity.__all__) == ["Pair", "SimilarityReport", "Thresholds", "Written", "find_similar",
                                          "write_outputs"]
