"""grades.csv: round-trips through csv.reader, formula injection neutralised, order kept."""

from __future__ import annotations

import csv
import io

from autograder.report.gradebook import defuse, grades_csv

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _rows(results, question_ids) -> list[list[str]]:
    return list(csv.reader(io.StringIO(grades_csv(results, question_ids))))


def test_header_and_rows(batch, question_ids):
    rows = _rows(batch, question_ids)
    assert rows[0] == ["student", "status", "score", "max_score", "q1", "q2", "q3", "q4", "reason"]
    assert len(rows) == len(batch) + 1 and all(len(r) == len(rows[0]) for r in rows)
    assert [r[0] for r in rows[1:4]] == ["alice", "bob", "carol"]


def test_scores_and_manual_cells(full, partial, ungradable, question_ids):
    alice, bob, carol = _rows([full, partial, ungradable], question_ids)[1:]
    assert alice == ["alice", "graded", "10", "10", "2", "3", "5", "manual", ""]
    assert bob[2:8] == ["3", "10", "2", "1", "0", "manual"]
    assert carol[1:4] == ["ungradable", "0", "0"] and carol[4:8] == [""] * 4
    assert carol[-1] == "not a notebook: invalid JSON at line 3"
    for row in (alice, bob):
        float(row[2]), float(row[3])


def test_formula_injection_is_neutralised(hostile, question_ids):
    header, row = _rows([hostile], question_ids)
    assert row[0] == "'=cmd|' /C calc'!A0"
    for cell in header + row:
        assert not cell.startswith(_FORMULA)
        assert not any(c in cell for c in "\x00\x0b\x1b\ud800")
    assert "\n" not in row[-1] and row[-1].startswith("timeout")


def test_defuse():
    assert [defuse(s) for s in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok", "")] == \
        ["'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok", ""]


def test_hostile_question_ids_in_header(full):
    header = _rows([full], ["=HYPERLINK(\"x\")", "q1"])[0]
    assert header[4] == "'=HYPERLINK(\"x\")" and header[5] == "q1"
