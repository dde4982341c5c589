"""Text hygiene shared by the writers."""

from __future__ import annotations

from autograder.report._text import clean, isolation_level, num, one_line, shorten


def test_clean_strips_escapes_and_controls():
    assert clean("a\x1b[2Kb\x1b[31mc\x1b[0m") == "abc"
    assert clean("\x1b]0;title\x07x\x1bMy\x9b2Jz") == "xyz"
    assert clean("a\x00b\x0bc\x7fd\x85e\ufffff") == "abcdef"
    assert clean("keep\ttabs\nand\r\nlines\r") == "keep\ttabs\nand\nlines\n"
    assert clean("\ud800x\u202ey") == "\ufffdx\ufffdy"


def test_one_line_and_shorten():
    assert one_line("  a \n\t b\r\n") == "a b"
    assert shorten("abcdef", 4) == "abc\u2026" and shorten("abc", 4) == "abc"


def test_num():
    assert [num(v) for v in (2.0, 17.5, 1 / 3, -0.0, 1e7)] == ["2", "17.5", "0.33", "0", "10000000"]
    assert num(1 / 3, 6) == "0.333333"


def test_isolation_level():
    assert isolation_level({"level": "namespaces"}) == "namespaces"
    assert isolation_level({}) == "unknown" and isolation_level({"level": ""}) == "unknown"
