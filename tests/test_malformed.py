"""Malformed submissions: reading notebooks (``read_bytes``, ``read_path``), finding them
(``discover``), and one end-to-end batch in which broken files are ungradable, an honest
notebook still gets full marks, and no input file is touched.

Threat list: /work/shared/research/security.md, section 6, rows 21 and 22.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograder.batch import grade_batch
from autograder.config import CourseLayout, GradingConfig
from autograder.notebook import MAX_NOTEBOOK_BYTES, Notebook, Unreadable, discover, read_bytes, read_path
from autograder.report import student_folder
from source_lib.judge.results import Status
from source_lib.judge.spec import Assignment
from tests.conftest import NAME

RELEASE_BYTES = CourseLayout.default().release(NAME).read_bytes()
RELEASE = json.loads(RELEASE_BYTES)


def _parsed_release() -> Notebook:
    parsed = read_bytes(RELEASE_BYTES)
    assert isinstance(parsed, Notebook), parsed
    return parsed


def release_code() -> list[str]:
    return [c.source for c in _parsed_release().code_to_run()]


def dumps(node: Any) -> bytes:
    return json.dumps(node, ensure_ascii=False).encode("utf-8")


def with_release(**changes: Any) -> bytes:
    node = copy.deepcopy(RELEASE)
    for key, value in changes.items():
        if value is _DROP:
            node.pop(key, None)
        else:
            node[key] = value
    return dumps(node)


_DROP = object()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{NAME}.ipynb", RELEASE_BYTES)
    return buffer.getvalue()


HTML_PAGE = (b"<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>linear_regression - Jupyter Notebook"
             b"</title></head>\n<body><div id=\"notebook\">{\"cells\": []}</div></body>\n</html>\n")
LATIN1 = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "Résumé: café"},
    {"cell_type": "code", "id": "c", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "answer = 'é'"}]}, ensure_ascii=False).encode("latin-1")

# (id, file bytes, words the reason must contain)
UNREADABLE: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("truncated", RELEASE_BYTES[: len(RELEASE_BYTES) // 2], ("JSON", "truncated")),
    ("truncated_after_key", RELEASE_BYTES[: RELEASE_BYTES.index(b'"cells"') + 9], ("JSON", "truncated")),
    ("truncated_in_a_literal", RELEASE_BYTES[: RELEASE_BYTES.index(b'"deletable": false') + 16], ("JSON", "truncated")),
    ("trailing_garbage", RELEASE_BYTES + b"\n}}}", ("JSON",)),
    ("a_comma_missing", RELEASE_BYTES.replace(b'"cells": [', b'"cells": [ 1 2', 1), ("JSON", "open it in Jupyter")),
    ("empty", b"", ("empty",)),
    ("whitespace_only", b" \n\t\r\n   \n", ("empty",)),
    ("bom_only", b"\xef\xbb\xbf\n", ("empty",)),
    ("latin1_bytes", LATIN1, ("UTF-8",)),
    ("utf16", RELEASE_BYTES.decode("utf-8").encode("utf-16"), ("UTF-16",)),
    ("top_level_list", b'[{"nbformat": 4, "cells": []}]', ("list",)),
    ("top_level_number", b"42\n", ("number",)),
    ("top_level_string", b'"linear_regression.ipynb"', ("string",)),
    ("top_level_null", b"null", ("null",)),
    ("nbformat_5", with_release(nbformat=5), ("nbformat", "5")),
    ("nbformat_missing", with_release(nbformat=_DROP), ("nbformat",)),
    ("nbformat_as_text", with_release(nbformat="4"), ("nbformat", "number")),
    ("cells_missing", with_release(cells=_DROP), ("cells",)),
    ("cells_not_a_list", with_release(cells={"0": RELEASE["cells"][0]}), ("cells", "list")),
    ("cells_a_string", with_release(cells="print(1)"), ("cells", "list")),
    ("deep_nesting", b"[" * 100_000 + b"]" * 100_000, ("nested",)),
    ("deep_nesting_in_metadata", with_release(metadata={"x": 0}).replace(
        b'{"x": 0}', b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), ("nested",)),
    ("over_the_size_cap", b" " * (MAX_NOTEBOOK_BYTES + 1), ("MB", "20")),
    ("binary_garbage", bytes(range(256)) * 64, ("binary",)),
    ("zip_renamed", _zip(), ("zip",)),
    ("html_page", HTML_PAGE, ("HTML", "web page")),
]

# what a message written for people must not look like
_MACHINE_TEXT = re.compile(r"Traceback|File \"|\bline \d+, in\b|Error\b|Exception|object has no attribute"
                           r"|local variable|NoneType|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}", re.IGNORECASE)


def assert_human(reason: str) -> None:
    assert reason and len(reason) <= 300, reason
    assert not _MACHINE_TEXT.search(reason), reason
    assert reason.isprintable(), reason            # no control characters, no raw bytes
    assert "\ufffd" not in reason, reason          # no undecodable bytes echoed back


@pytest.mark.parametrize("data, words", [pytest.param(d, w, id=i) for i, d, w in UNREADABLE])
def test_malformed_bytes_are_unreadable_with_a_specific_human_reason(data: bytes, words: tuple[str, ...]) -> None:
    parsed = read_bytes(data)
    assert isinstance(parsed, Unreadable), parsed
    assert_human(parsed.reason)
    for word in words:
        assert word.lower() in parsed.reason.lower(), (word, parsed.reason)


def test_file_over_the_size_cap_is_refused_unread_with_its_real_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.ipynb"
    with path.open("wb") as fh:  # sparse: 25 MB on paper, nothing on disk
        fh.truncate(25 * 2**20)
    digest, parsed = read_path(path)
    assert isinstance(parsed, Unreadable)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()  # the real file's hash
    assert_human(parsed.reason)
    assert "25" in parsed.reason and "20 MB" in parsed.reason, parsed.reason


def test_unreadable_path_gives_a_reason_not_an_exception(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.ipynb", tmp_path):
        digest, parsed = read_path(path)
        assert digest == hashlib.sha256(b"").hexdigest() and isinstance(parsed, Unreadable), parsed
        assert_human(parsed.reason)
        assert "cannot read" in parsed.reason


# ------------------------------------------------------------------ lenient parsing


def _code(source: Any, **extra: Any) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source, **extra}


def _v4(cells: list[dict[str, Any]], minor: int = 5, **metadata: Any) -> bytes:
    return dumps({"nbformat": 4, "nbformat_minor": minor, "metadata": metadata, "cells": cells})


V3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "linear_regression"}, "worksheets": [{
    "cells": [
        {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Linear regression"},
        {"cell_type": "markdown", "metadata": {}, "source": "Answer below."},
        {"cell_type": "code", "language": "python", "metadata": {}, "outputs": [], "prompt_number": 1,
         "input": "import numpy as np"},
        {"cell_type": "code", "language": "python", "outputs": [], "prompt_number": 2,
         "metadata": {"nbgrader": {"grade": False, "solution": True, "grade_id": "answer_zero_init"}},
         "input": ["answer_zero_init = 'B'\n", "print(answer_zero_init)"]},
    ]}]}


def _release_without_ids() -> bytes:
    node = copy.deepcopy(RELEASE)
    node["nbformat_minor"] = 5
    for cell in node["cells"]:
        cell.pop("id", None)
    return dumps(node)


def _release_with(edit: Callable[[dict[str, Any]], None]) -> bytes:
    node = copy.deepcopy(RELEASE)
    for cell in node["cells"]:
        edit(cell)
    return dumps(node)


def _source_as_list(cell: dict[str, Any]) -> None:
    text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    cell["source"] = text.splitlines(keepends=True)


def _with_unknown_cells() -> bytes:
    node = copy.deepcopy(RELEASE)
    node["cells"][1:1] = [{"cell_type": "widget", "id": "w1", "metadata": {}, "source": "raise SystemExit"},
                          {"cell_type": "heading", "id": "h1", "level": 2, "metadata": {}, "source": "Old"},
                          {"cell_type": "raw", "id": "r1", "metadata": {}, "source": "raise SystemExit"}]
    return dumps(node)


WIDGETS_WITHOUT_STATE = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0}}
SURROGATE = (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ['
             b'{"cell_type": "code", "id": "s", "metadata": {}, "outputs": [], "execution_count": null,'
             b' "source": "s = \\"\\ud800\\"\\nanswer = 1\\n"}]}')

PARSEABLE: list[tuple[str, bytes, Callable[[], list[str]]]] = [
    ("utf8_bom", b"\xef\xbb\xbf" + RELEASE_BYTES, release_code),
    ("v3_worksheets", dumps(V3),
     lambda: ["import numpy as np", "answer_zero_init = 'B'\nprint(answer_zero_init)"]),
    ("v4_5_without_cell_ids", _release_without_ids(), release_code),
    ("duplicate_cell_ids", _release_with(lambda c: c.__setitem__("id", "same")), release_code),
    ("source_as_list", _release_with(_source_as_list), release_code),
    ("unknown_cell_types", _with_unknown_cells(), release_code),
    ("widgets_metadata_without_state", with_release(metadata={**RELEASE["metadata"], "widgets": WIDGETS_WITHOUT_STATE}),
     release_code),
    ("lone_surrogate_in_source", SURROGATE, lambda: ['s = "\ud800"\nanswer = 1\n']),
    ("future_minor_version", _v4([_code("answer = 1", id="a")], minor=99), lambda: ["answer = 1"]),
    ("kernelspec_bash", with_release(metadata={"kernelspec": {"name": "bash", "display_name": "Bash"}}),
     release_code),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in PARSEABLE])
def test_odd_but_valid_notebooks_parse_and_keep_their_code_cells(data: bytes,
                                                                  expected: Callable[[], list[str]]) -> None:
    parsed = read_bytes(data)
    assert isinstance(parsed, Notebook), parsed
    assert [c.source for c in parsed.code_to_run()] == expected()


def test_v3_notebook_keeps_its_nbgrader_roles() -> None:
    parsed = read_bytes(dumps(V3))
    assert isinstance(parsed, Notebook), parsed
    answer = parsed.by_grade_id("answer_zero_init")
    assert answer is not None and answer.role == "solution" and answer.kind == "code"
    assert parsed.cells[0].kind == "markdown" and "Linear regression" in parsed.cells[0].source


def test_release_parses_with_its_graded_cells() -> None:
    parsed = _parsed_release()
    assert {c.grade_id for c in parsed.cells if c.role == "solution"} >= {
        "dJ_dw", "dJ_db", "dJ_dw_at_zero", "dJ_db_at_zero", "compute_cost", "compute_gradient",
        "gradient_descent", "answer_zero_init"}
    assert all(c.role != "test" for c in parsed.code_to_run())


# ------------------------------------------------------------------ discovery


def _touch(path: Path, data: bytes = RELEASE_BYTES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _found(paths: list[Path]) -> tuple[dict[str, Path], list[str]]:
    files, warnings = discover(paths, NAME)
    return {f.student: f.path for f in files}, warnings


def test_discover_reads_the_student_from_the_nbgrader_layout(tmp_path: Path) -> None:
    alice = _touch(tmp_path / "submitted" / "alice" / NAME / f"{NAME}.ipynb")
    bob = _touch(tmp_path / "submitted" / "bob" / NAME / "my work.ipynb")
    found, warnings = _found([tmp_path / "submitted"])
    assert found == {"alice": alice, "bob": bob} and warnings == []


def test_discover_uses_the_stem_of_a_plain_file(tmp_path: Path) -> None:
    carol = _touch(tmp_path / "carol.ipynb")
    assert _found([carol]) == ({"carol": carol}, [])
    dave, erin = _touch(tmp_path / "subs" / "dave.ipynb"), _touch(tmp_path / "subs" / "erin.ipynb")
    assert _found([tmp_path / "subs"]) == ({"dave": dave, "erin": erin}, [])


def test_discover_skips_checkpoints_hidden_files_and_caches(tmp_path: Path) -> None:
    root = tmp_path / "submitted"
    alice = _touch(root / "alice" / NAME / f"{NAME}.ipynb")
    _touch(root / "alice" / NAME / ".ipynb_checkpoints" / f"{NAME}-checkpoint.ipynb")
    _touch(root / ".ipynb_checkpoints" / "mallory-checkpoint.ipynb")
    _touch(root / "alice" / NAME / ".hidden.ipynb")
    _touch(root / "__pycache__" / "cached.ipynb")
    _touch(root / "alice" / NAME / "notes.txt", b"not a notebook")
    assert _found([root]) == ({"alice": alice}, [])


def test_discover_prefers_the_assignment_notebook_among_several(tmp_path: Path) -> None:
    folder = tmp_path / "submitted" / "alice" / NAME
    chosen = _touch(folder / f"{NAME}.ipynb")
    _touch(folder / "scratch.ipynb")
    found, warnings = _found([tmp_path / "submitted"])
    assert found == {"alice": chosen}
    assert len(warnings) == 1 and "alice" in warnings[0] and "several notebooks" in warnings[0]


def test_discover_numbers_notebooks_that_share_a_student_id(tmp_path: Path) -> None:
    folder = tmp_path / "submitted" / "alice" / NAME
    first, second = _touch(folder / "a.ipynb"), _touch(folder / "b.ipynb")
    frank1, frank2 = _touch(tmp_path / "x" / "frank.ipynb"), _touch(tmp_path / "y" / "frank.ipynb")
    found, warnings = _found([tmp_path / "submitted", tmp_path / "x", tmp_path / "y"])
    assert found == {"alice": first, "alice-2": second, "frank": frank1, "frank-2": frank2}
    assert len(warnings) == 2 and all("share this id" in w for w in warnings)


def test_discover_warns_about_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    found, warnings = _found([tmp_path / "nowhere", tmp_path / "empty", tmp_path / "nowhere.ipynb"])
    assert found == {}
    assert len(warnings) == 3
    assert "nowhere" in warnings[0] and "no such file" in warnings[0]
    assert "no .ipynb files" in warnings[1]


def test_discover_strips_control_characters_from_student_ids(tmp_path: Path) -> None:
    path = _touch(tmp_path / "eve\x1b[31m\x07.ipynb")
    found, _ = _found([path])
    assert list(found) == ["eve[31m"] and found["eve[31m"] == path


# ------------------------------------------------------------------ one batch, end to end


def _digests(root: Path) -> dict[str, tuple[str, float]]:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_malformed_files_are_ungradable_and_the_honest_one_still_gets_full_marks(
        tmp_path: Path, assignment: Assignment, config: GradingConfig, pool: object,
        notebook_with: Callable[..., str]) -> None:
    submissions = tmp_path / "submissions"
    files = {
        "truncated": RELEASE_BYTES[: len(RELEASE_BYTES) // 3],
        "web_page": HTML_PAGE,
        "archive": _zip(),
        "honest": notebook_with().encode("utf-8"),
    }
    for student, data in files.items():
        _touch(submissions / f"{student}.ipynb", data)
    before = _digests(submissions)
    listing = sorted(str(p) for p in tmp_path.rglob("*"))
    out = tmp_path / "reports"
    summary = grade_batch(assignment, [submissions], out, config, runner=pool)  # type: ignore[arg-type]
    results = {r.student: r for r in summary.results}
    assert set(results) == set(files)
    assert _digests(submissions) == before  # bytes and mtimes: the inputs are only read
    assert sorted(str(p) for p in tmp_path.rglob("*") if not p.is_relative_to(out)) == listing
    honest = results["honest"]
    assert honest.status is Status.GRADED, honest.reason
    assert honest.score == honest.max_score == 14
    for student, word in (("truncated", "truncated"), ("web_page", "HTML"), ("archive", "zip")):
        result = results[student]
        assert result.status is Status.UNGRADABLE
        assert word.lower() in result.reason.lower(), result.reason
        assert_human(result.reason)
        assert (result.score, result.max_score) == (0, 14)  # the assignment's real maximum
        assert all(q.score == 0 for q in result.questions) and len(result.questions) == len(assignment.questions)
        assert result.sha256 == hashlib.sha256(files[student]).hexdigest()
        document = json.loads((student_folder(out, student) / "results.json").read_text(encoding="utf-8"))
        assert document["score"] == 0 and document["extra_data"]["status"] == "ungradable"
        assert result.reason in document["output"] or result.reason[:250] in document["output"]


def test_broken_stored_outputs_do_not_make_a_notebook_ungradable(release_text: str) -> None:
    node = json.loads(release_text)
    for cell in node["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = "forged: All tests passed", "x"
    parsed = read_bytes(json.dumps(node).encode())
    assert isinstance(parsed, Notebook) and parsed.code_to_run()
