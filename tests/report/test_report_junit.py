"""JUnit XML: parses, counts add up, scores in properties, nothing illegal in XML 1.0."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from xml.dom import minidom

from report_samples import PRINTED, SECRET

from autograder.report.junit import junit_xml
from source_lib.judge.results import Status


def _parse(results) -> tuple[ET.Element, str]:
    text = junit_xml(results)
    minidom.parseString(text.encode("utf-8"))  # a second, independent parser
    return ET.fromstring(text), text


def _props(suite: ET.Element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in suite.find("properties")}


def test_batch_parses_and_counts_add_up(batch):
    root, _ = _parse(batch)
    assert root.tag == "testsuites" and root.get("name") == "autograder"
    suites = root.findall("testsuite")
    assert len(suites) == len(batch)
    for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites)
        for suite in suites:
            assert int(suite.get(key)) == len(suite.findall(f"testcase/{tag}"))
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    assert float(root.get("time")) > 0


def test_full_and_partial(full, partial):
    root, _ = _parse([full, partial])
    alice, bob = root.findall("testsuite")
    assert (alice.get("tests"), alice.get("failures"), alice.get("skipped")) == ("4", "0", "1")
    assert all(len(c) == 0 for c in alice.findall("testcase")[:3])
    assert alice.findall("testcase")[3].find("skipped").get("message") == "graded by the instructor"
    assert _props(alice) == {"score": "10", "max_score": "10", "status": "graded", "reason": "",
                             "grader_version": "0.1.0", "isolation": "namespaces",
                             "sha256": "ab" * 32}
    failure = bob.find("testcase[@name='q2']/failure")
    assert failure.get("message").startswith("score 1/3")
    assert "Check the transpose" in failure.text and "hidden case" in failure.text
    assert bob.get("failures") == "2" and bob.find("testcase").get("classname") == "bob"


def test_broken_submissions(ungradable, grader_error, crashed):
    root, _ = _parse([ungradable, grader_error, crashed])
    carol, erin, dave = root.findall("testsuite")
    for suite in (carol, erin):
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == ["notebook"]
        assert cases[0].find("error") is not None and suite.get("errors") == "1"
    assert "invalid JSON" in carol.find("testcase/error").get("message")
    notebook = dave.find("testcase[@name='notebook']/failure")
    assert "killed by signal 9" in notebook.get("message") and "ZeroDivisionError" in notebook.text
    assert dave.get("errors") == "0" and dave.get("failures") == "3"


def test_hostile_content_is_legal_xml(hostile):
    root, text = _parse([hostile])
    for bad in ("\x1b", "\x00", "\x0b", "\ud800", "<script>"):
        assert bad not in text
    assert SECRET not in text and PRINTED not in text
    assert root.find("testsuite").get("name") == "=cmd|' /C calc'!A0"
    assert len(text) < 50_000


def test_empty_batch():
    root, _ = _parse([])
    assert root.get("tests") == "0" and root.findall("testsuite") == []


def test_cell_errors_are_named_by_question(plain):
    root, text = _parse([replace(plain, status=Status.CRASHED, reason="killed by signal 9")])
    failure = root.find("testsuite/testcase[@name='notebook']/failure")
    assert failure.text.splitlines() == ["in f, line 2: NameError: name 'x' is not defined",
                                         "in the second code cell after g, line 1: ValueError: bad",
                                         "in the first code cell from the top, line 1: ImportError: no module"]
    assert SECRET not in text
