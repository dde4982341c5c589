"""Atomic writes: replace in one step, leave no temporary files, keep the old file on error."""

from __future__ import annotations

import os
import stat

import pytest

from autograder.report import write


def test_creates_parents_and_replaces(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    assert write.write_text(target, "first ☃") == target
    write.write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert os.listdir(target.parent) == ["out.txt"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_write_bytes(tmp_path):
    target = write.write_bytes(tmp_path / "x.bin", b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"


def test_failed_replace_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    write.write_text(target, "old")

    def boom(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(write.os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        write.write_text(target, "new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["results.json"]


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def boom(fd):
        raise OSError("fsync failed")

    monkeypatch.setattr(write.os, "fsync", boom)
    with pytest.raises(OSError, match="fsync failed"):
        write.write_bytes(tmp_path / "new.txt", b"data")
    assert os.listdir(tmp_path) == []


def test_unencodable_text_fails_before_touching_disk(tmp_path):
    with pytest.raises(UnicodeEncodeError):
        write.write_text(tmp_path / "x.txt", "\ud800")
    assert not (tmp_path / "x.txt").exists()


def test_a_streamed_file_that_fails_midway_keeps_the_old_one(tmp_path):
    target = tmp_path / "junit.xml"
    write.write_text(target, "old")
    with pytest.raises(RuntimeError, match="stopped"), write.atomic_text(target) as handle:
        handle.write("half of the new " * 10_000)
        raise RuntimeError("stopped")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["junit.xml"]
    with write.atomic_text(target) as handle:
        handle.write("é\r\n" * 3)
    assert target.read_bytes() == "é\r\n".encode() * 3  # newlines as given, UTF-8
