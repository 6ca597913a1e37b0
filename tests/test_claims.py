"""Meta checks: every claim on a page has exactly one test, and every test's claim is on a page."""

import importlib.metadata
import re

import catalog
import claim_index
import claims
import pytest
from checks.site import ROOT


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


def test_a_claim_attached_to_one_case_of_a_parametrized_test_is_read(project):
    (project / "tests" / "test_page.py").write_text(
        "import pytest\n\nCASES = [pytest.param(1, id='one'), pytest.param(2, marks=pytest.mark.claim('known-claim'), id='two')]\n\n\n"
        "@pytest.mark.parametrize('x', CASES)\ndef test_cases(x):\n    pass\n"
    )
    [ref] = claim_index.declared(project / "tests")["known-claim"]
    assert ref.nodeid == "tests/test_page.py::test_cases[two]" and claim_index.problems(project) == []


def test_pytest_collects_exactly_the_claim_marks_the_build_reads(request):
    """conftest.py compares them at collection; here the whole suite's marks are counted once more."""
    collected = {mark.args[0] for item in request.session.items for mark in item.iter_markers("claim")}
    if len({item.nodeid.split("::")[0] for item in request.session.items}) > 1:
        assert collected <= set(claim_index.declared())


@pytest.mark.parametrize("language", catalog.site_languages(ROOT), ids=lambda lang: lang.locale)
def test_the_built_ledger_lists_every_claim_once_in_nav_order_with_its_test(site, language):
    html = (site / language.prefix / "claims" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'data-claim-ledger="([^"]+)"', html)
    declared = claim_index.declared()
    assert sorted(listed) == sorted(claim_index.marked())
    for claim in listed:
        assert declared[claim][0].nodeid in html
    assert f'data-constant="torch.__version__">{importlib.metadata.version("torch")}<' in html
    config = catalog.load_config(ROOT)
    order = claims.nav_pages(config["nav"])
    pages = [re.sub(r"\.\./", "", href) for href in re.findall(r'<h2 id="[^"]*"><a href="([^"]+)"', html)]
    positions = [order.index(next(p for p in order if p.removesuffix(".md").removesuffix("index").rstrip("/") + "/" == page.lstrip("./") or p == page)) for page in pages]
    assert positions == sorted(positions)
