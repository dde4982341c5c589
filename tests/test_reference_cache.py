"""The solution's run is kept between batches (``grade --cache``), under a key of everything that
decides it: a second batch uses it, a file written for another key is ignored, and --no-cache
keeps nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.test_cli import SAMPLES, autograder

NAME = "linear_regression"
ALICE = SAMPLES / "submitted" / "alice"  # the correct sample

pytestmark = pytest.mark.slow  # real sandboxes, whole batches


def _score(tmp_path: Path, label: str, *options: str) -> float:
    done = autograder("grade", NAME, str(ALICE), "--out", str(tmp_path / label), "--json", *options)
    assert done.returncode == 0, done.stderr
    return float(json.loads(done.stdout)["students"][0]["score"])


def _forge_expected_choice(path: Path) -> None:
    """Change the solution's recorded answer to a choice question, as only a cache hit would see."""
    data = json.loads(path.read_text())
    for k, line in enumerate(data["value"]):
        record = json.loads(line)
        if record.get("r") == "value" and record.get("variant") is None and record["value"].get("t") == "str":
            record["value"]["v"] += "?"
            data["value"][k] = json.dumps(record)
            break
    else:
        raise AssertionError("no choice answer among the solution's records")
    path.write_text(json.dumps(data))


def test_a_second_batch_takes_the_solution_run_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    full = _score(tmp_path, "first", "--cache", str(cache))
    [kept] = cache.glob("*.records.json")
    [prints] = cache.glob("*.prints.json")  # the sympy answers' reference values, beside the run
    assert sorted(json.loads(prints.read_text())["value"]) == ["dJ_db", "dJ_db_at_zero", "dJ_dw", "dJ_dw_at_zero"]
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    # matplotlib's font list too: a fresh folder per run made every sandbox worker rebuild it (0.15 s)
    fonts = cache / "matplotlib"
    assert list(fonts.glob("fontlist-*.json")) and oct(fonts.stat().st_mode & 0o777) == "0o700"
    assert json.loads(kept.read_text())["key"]["assignment"] == NAME
    _forge_expected_choice(kept)
    assert _score(tmp_path, "second", "--cache", str(cache)) < full  # the cached run was used
    data = json.loads(kept.read_text())
    data["key"]["seed"] = "0"  # written for another key: ignored, then replaced by a fresh run
    kept.write_text(json.dumps(data))
    assert _score(tmp_path, "third", "--cache", str(cache)) == full
    assert json.loads(kept.read_text())["key"]["seed"] != "0"


def test_another_seed_is_another_entry_and_no_cache_keeps_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _score(tmp_path, "a", "--cache", str(cache))
    _score(tmp_path, "b", "--cache", str(cache), "--seed", "7")
    assert len(list(cache.glob("*.records.json"))) == 2
    default = Path(os.environ["XDG_CACHE_HOME"]) / "zeroinit-kit"  # the session's (tests/conftest.py)
    before = sorted(default.glob("*")) if default.is_dir() else []
    _score(tmp_path, "c", "--no-cache")
    assert (sorted(default.glob("*")) if default.is_dir() else []) == before
    contradiction = autograder("grade", NAME, str(ALICE), "--out", str(tmp_path / "e"), "--cache", str(cache),
                               "--no-cache")
    assert contradiction.returncode == 2 and "contradict" in contradiction.stderr


def test_a_corrupt_cache_file_costs_only_a_fresh_run(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    full = _score(tmp_path, "a", "--cache", str(cache))
    for kept in [*cache.glob("*.json"), *cache.glob("matplotlib/*.json")]:
        kept.write_text("{not json")
    assert _score(tmp_path, "b", "--cache", str(cache)) == full
    assert all(json.loads(kept.read_text())["value"] for kept in cache.glob("*.json"))
