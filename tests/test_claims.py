"""Meta checks: every claim on a page has exactly one test, and every test's claim is on a page."""

import importlib.metadata
import re

import claim_index
import pytest


def test_pages_and_tests_agree_on_every_claim():
    assert claim_index.problems() == []


def test_the_learning_rate_chapter_makes_at_least_six_claims():
    pages = claim_index.marked()
    assert len([claim for claim, where in pages.items() if "learning-rate.md" in where]) >= 6


@pytest.fixture
def project(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("A sentence. <!-- md:claim known-claim -->\n")
    (tmp_path / "tests").mkdir()
    return tmp_path


def write_test(project, *claims):
    lines = ["import pytest", ""]
    for number, claim in enumerate(claims):
        lines += [f'@pytest.mark.claim("{claim}")', f"def test_{number}():", "    pass", ""]
    (project / "tests" / "test_page.py").write_text("\n".join(lines))


def test_a_test_that_declares_an_unknown_claim_is_reported(project):
    write_test(project, "known-claim", "made-up-claim")
    assert claim_index.problems(project) == [
        "tests/test_page.py::test_1 declares claim 'made-up-claim', which no page marks"
    ]


def test_a_claim_declared_by_two_tests_is_reported(project):
    write_test(project, "known-claim", "known-claim")
    assert claim_index.problems(project) == [
        "claim 'known-claim' is declared by 2 tests: tests/test_page.py::test_0, tests/test_page.py::test_1"
    ]


def test_a_claim_that_no_test_declares_is_reported(project):
    write_test(project)
    assert claim_index.problems(project) == ["page.md marks claim 'known-claim', which no test declares"]


SITE = claim_index.ROOT / "site"


@pytest.mark.parametrize("ledger", ["claims/index.html", "zh/claims/index.html"])
def test_the_built_ledger_lists_every_claim_once_with_its_test(ledger):
    html = (SITE / ledger).read_text(encoding="utf-8")
    listed = re.findall(r'data-claim-ledger="([^"]+)"', html)
    declared = claim_index.declared()
    assert sorted(listed) == sorted(claim_index.marked())
    for claim in listed:
        assert declared[claim][0].nodeid in html
    assert f"torch {importlib.metadata.version('torch')}" in html
