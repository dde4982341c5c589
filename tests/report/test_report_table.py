"""Terminal table and progress line: aligned, width-aware, free of escape codes."""

from __future__ import annotations

from autograder.report.table import display_width, fit, progress_line, summary_table


def test_table_columns_are_aligned(batch, question_ids):
    lines = summary_table(batch, question_ids, width=100).splitlines()
    assert lines[0].split() == ["student", "status", "score", "Q1", "Q2", "Q3", "Q4", "notes"]
    assert set(lines[1].replace(" ", "")) == {"-"} and len(lines) == len(batch) + 4
    assert lines[-1].split() == ["Q1", "q1", "Q2", "q2", "Q3", "q3", "Q4", "q4"]
    start = lines[0].index("status")
    score_end = lines[0].index("score") + len("score")
    for line in lines[2:-2]:
        assert line[start - 2:start] == "  " and line[start] != " "
        assert line[score_end - 1] != " " and line[score_end:score_end + 2] == "  "
    assert all(display_width(line) <= 100 for line in lines)


def test_table_cells(full, partial, ungradable, question_ids):
    alice, bob, carol = summary_table([full, partial, ungradable], question_ids).splitlines()[2:5]
    assert alice.split()[:7] == ["alice", "graded", "10/10", "2/2", "3/3", "5/5", "-"]
    assert bob.split()[2:7] == ["3/10", "2/2", "1/3", "0/5", "-"]
    assert bob.rstrip().endswith("forgot_transpose, sign_error")
    assert "ungradable" in carol and "0/0" in carol and "not a notebook" in carol


def test_hostile_row_is_plain_and_truncated(hostile, question_ids):
    table = summary_table([hostile], question_ids, width=80)
    assert not any(c in table for c in "\x1b\x00\x0b\r\ud800")
    assert all(display_width(line) <= 80 for line in table.splitlines())
    assert "\u2026" in table


def test_progress_line(full, hostile):
    assert progress_line(3, 50, full, 0.21) == \
        "[ 3/50] alice            graded          10/10  0.21s"
    line = progress_line(50, 50, hostile, 12.0)
    assert line.startswith("[50/50] =cmd|' /C calc'\u2026 timeout") and "\x1b" not in line


def test_fit_counts_wide_characters():
    assert fit("学生名前", 5) == "学生\u2026"
    assert fit("学生名前", 6) == "学生\u2026 " and display_width(fit("学生名前", 6)) == 6
    assert fit("ab", 4, right=True) == "  ab"
