"""``autograder similarity``: golden pairs from the real release and solution, the bundled copies,
tokens and fingerprints, the class-relative flags, rare shared mistakes, broken and hostile input,
and the two output files. Every file is written under ``tmp_path``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

import autograder.similarity as similarity
from autograder.declarations import load
from autograder.errors import ConfigError
from autograder.notebook import Submissions
from autograder.report.record import record_json
from autograder.report.write import write_text
from autograder.similarity import SimilarityReport, Thresholds, find_similar, write_outputs
from autograder.similarity.cohort import FRAGMENT, MISTAKES, OVERLAP
from autograder.similarity.mistakes import read_mistakes
from autograder.similarity.tokens import normalise
from autograder.similarity.winnow import K, W, kgram_hashes, winnow
from source_lib.judge.results import Outcome, QuestionResult, Status, SubmissionResult
from tests.conftest import ASSIGNMENTS
from tests.similarity_class import (
    LAYOUT,
    NAME,
    RELEASE,
    SOLUTION,
    honest_class,
    merged_and_moved,
    notebook,
    padded,
    renamed,
    variants,
)

SAMPLES = LAYOUT.releases / "samples"
COPIED = {"linear_regression": "carol", "logistic_regression": "ken", "symmetry_breaking": "pia"}
HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)>'


def write_class(root: Path, notebooks: Mapping[str, str]) -> Path:
    folder = root / "submitted"
    for student, text in notebooks.items():
        path = folder / student / NAME / f"{NAME}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def compare(root: Path, notebooks: Mapping[str, str], thresholds: Thresholds | None = None,
            batch: Path | None = None) -> SimilarityReport:
    folder = write_class(root, notebooks)
    assignment = load(NAME)
    mistakes = read_mistakes(batch, assignment) if batch else None
    files = Submissions.find([folder], NAME).files
    return find_similar(assignment, files, LAYOUT, mistakes, thresholds or Thresholds())


def pair(report: SimilarityReport, a: str, b: str) -> similarity.Pair:
    for rank in range(1, len(report.pairs) + 1):
        found = report.pair(rank)
        if {found.first, found.second} == {a, b}:
            return found
    raise AssertionError(f"no pair {a}, {b}")


# ---------------------------------------------------------------- golden pairs

def test_a_renamed_merged_and_reordered_copy_scores_near_one_and_ranks_first(tmp_path: Path) -> None:
    copy = merged_and_moved(notebook({cell: renamed(code) for cell, code in SOLUTION.items()}))
    assert "compute_cost is in the cell with compute_gradient" in copy and "feats" in copy
    report = compare(tmp_path, {**honest_class(), "original": notebook(SOLUTION), "copy": copy})
    found = pair(report, "original", "copy")
    assert found.rank == 1 and found.score >= 0.95
    # merging cells makes a few new k-grams, held by the copy alone: the rarest, so the heaviest
    assert min(found.share_first, found.share_second) >= 0.8
    assert OVERLAP & int(report.pairs.flags[0]) and FRAGMENT & int(report.pairs.flags[0])
    assert dict(found.questions)["gradient_descent"] == 1.0  # moved, renamed: still the same code
    assert report.pair(2).score < 0.5


def test_an_independent_correct_solution_written_another_way_scores_low(tmp_path: Path) -> None:
    independent = notebook({**SOLUTION, **variants()})
    report = compare(tmp_path, {**honest_class(), "original": notebook(SOLUTION), "independent": independent})
    found = pair(report, "original", "independent")
    assert found.score <= 0.4 and not found.reasons
    assert not report.flagged()


def test_a_copy_padded_with_junk_is_still_flagged_by_its_longest_fragment(tmp_path: Path) -> None:
    junk = {cell: renamed(code) if cell == "gradient_descent" else padded(renamed(code))
            for cell, code in SOLUTION.items()}
    notebooks = {**honest_class(), "original": notebook(SOLUTION), "padded": notebook(junk)}
    report = compare(tmp_path, notebooks)
    found = pair(report, "original", "padded")
    assert found.score < 0.8  # the junk broke most shared runs...
    assert found.fragment >= 80 and found.rank == 1  # ...but not gradient_descent's
    others = [report.pair(r).fragment for r in range(2, len(report.pairs) + 1)]
    assert max(others) < found.fragment / 2
    # with the overlap flag out of reach, the fragment alone flags the pair
    strict = compare(tmp_path / "strict", notebooks, Thresholds(score_z=99.0, score_alone=2.0))
    assert [(p.first, p.second) for p in strict.flagged()] == [("original", "padded")]
    assert int(strict.pairs.flags[0]) == FRAGMENT


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_bundled_copy_ranks_first_among_the_samples(name: str) -> None:
    submissions = Submissions.find([SAMPLES / name], name)
    report = find_similar(load(name), submissions.files, LAYOUT)
    top = report.pair(1)
    assert {top.first, top.second} == {COPIED[name], "trudy"} and top.reasons
    assert top.score >= 0.8 and report.pair(2).score < top.score
    assert [d.student for d in report.skipped] and all(d.problem for d in report.skipped)  # the truncated sample


# ---------------------------------------------------------------- tokens and fingerprints

def test_renaming_comments_docstrings_and_spacing_do_not_change_the_tokens() -> None:
    first = 'def f(X, w):\n    """Doc."""\n    total = X @ w  # sum\n    return total.sum() + 1.5\n'
    second = "def g(data,\n      weights):\n    # a comment instead\n    s = data@weights\n\n    return s.sum() + 2\n"
    assert normalise(first).texts == normalise(second).texts
    assert normalise(first).texts[:4] == ("def", "N", "(", "N")
    assert "sum" in normalise(first).texts  # attribute names are the library's, not the student's


def test_code_that_does_not_tokenize_is_read_anyway_and_says_so() -> None:
    broken = normalise("if x:\n        y = 1\n    z = [1, 2\nw = 3\n")
    assert broken.texts and "not valid Python" in broken.note and "simpler tokenizer" in broken.note
    assert normalise("x = '''never closed\n").note
    magic = normalise("%matplotlib inline\n!pip install numpy\nx = 1\n")
    assert magic.texts == ("N", "=", "#", "NEWLINE") and not magic.note
    assert magic.tokens[0].start == (3, 0)  # places count the magic lines


def test_fingerprints_are_the_same_in_every_process() -> None:
    code = "import numpy as np\n" + SOLUTION["gradient_descent"]
    script = ("from autograder.similarity.tokens import normalise\nfrom autograder.similarity.winnow import "
              f"kgram_hashes\nprint(kgram_hashes(normalise({code!r}).texts).tolist())")
    seen = set()
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).resolve().parent.parent)
        seen.add(done.stdout)
    assert len(seen) == 1 and seen.pop().strip() == str(kgram_hashes(normalise(code).texts).tolist())


def test_winnowing_keeps_a_fingerprint_of_every_long_enough_shared_fragment() -> None:
    rng = np.random.default_rng(0)
    words = [f"t{k}" for k in range(30)]
    for _ in range(50):
        shared = list(rng.choice(words, W + K - 1))
        left = list(rng.choice(words, 20)) + shared + list(rng.choice(words, 7))
        right = list(rng.choice(words, 3)) + shared + list(rng.choice(words, 25))
        a, b = kgram_hashes(left), kgram_hashes(right)
        assert set(a[winnow(a)].tolist()) & set(b[winnow(b)].tolist())


def test_the_template_and_blank_answers_leave_nothing_to_compare(tmp_path: Path) -> None:
    report = compare(tmp_path, {"blank": RELEASE, "also-blank": RELEASE, "original": notebook(SOLUTION)})
    assert all(len(d.fingerprints) == 0 for d in report.documents if d.student != "original")
    assert report.pairs.score.max() == 0.0 and not report.flagged()


# ---------------------------------------------------------------- rare shared mistakes

def _record(student: str, mistakes: Mapping[str, tuple[str, ...]]) -> str:
    questions = tuple(QuestionResult(q, q, 0.0, 1.0, Outcome.FAILED, "", misconceptions=m) for q, m in mistakes.items())
    return record_json(SubmissionResult(student=student, source=f"{student}.ipynb", sha256="0" * 64,
                                        status=Status.GRADED, reason="", questions=questions, grader_version="0"))


def _batch(root: Path, mistakes: Mapping[str, Mapping[str, tuple[str, ...]]], assignment: str = NAME) -> Path:
    for student, made in mistakes.items():
        write_text(root / "students" / student / "record.json", _record(student, made))
    write_text(root / "batch.json", f'{{"assignment": "{assignment}"}}')
    return root


def test_pairs_who_made_the_same_rare_mistake_are_flagged(tmp_path: Path) -> None:
    notebooks = honest_class()
    made = {student: {} for student in notebooks}
    made["honest-loops"] = made["honest-means"] = {"compute_gradient": ("swapped_return",)}
    for student in ("honest-loops", "honest-means", "honest-augmented"):  # three of six: common
        made[student] = {**made[student], "compute_cost": ("one_over_m",)}
    made["honest-einsum"] = {"compute_cost": ("no_such_misconception",)}  # not in the catalogue: ignored
    batch = _batch(tmp_path / "graded", made)
    report = compare(tmp_path / "class", notebooks, batch=batch)
    assert report.mistakes is not None and report.mistakes.limit == 2
    found = pair(report, "honest-loops", "honest-means")
    assert found.mistakes == ("compute_gradient: swapped_return",) and MISTAKES & int(
        report.pairs.flags[found.rank - 1])
    assert [(p.first, p.second) for p in report.flagged()] == [("honest-loops", "honest-means")]
    assert "rare mistake" in found.reasons[-1]
    written = write_outputs(report, tmp_path / "out")
    rows = list(csv.DictReader(written.sheet.read_text(encoding="utf-8").splitlines()))
    assert {r["shared_rare_mistakes"] for r in rows} == {"", "compute_gradient: swapped_return"}
    page = written.page.read_text(encoding="utf-8")
    assert "Rare mistakes come from the graded batch (6 records)" in page and "swapped_return" in page


def test_a_folder_that_is_not_a_graded_batch_of_this_assignment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no students/ folder"):
        read_mistakes(tmp_path, load(NAME))
    other = _batch(tmp_path / "other", {"ana": {}}, assignment="logistic_regression")
    with pytest.raises(ConfigError, match="holds a batch of logistic_regression"):
        read_mistakes(other, load(NAME))
