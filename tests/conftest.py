"""What every test shares: snippets run once per session, the built site served and opened in a
real browser, and the checks that keep the suite honest (claim marks, a stale site/)."""

from __future__ import annotations

import functools

import pytest
import snippet_runner
import stamp
from checks.browser import Visit, launch
from checks.site import ROOT, SITE, served


def pytest_configure(config):
    # The runner runs snippets on one thread; so do the tests that call the snippets' functions,
    # so that both see the same floating-point results (a parallel reduction may add in another order).
    import torch

    torch.set_num_threads(snippet_runner.THREADS)


def pytest_collection_modifyitems(session, config, items):
    """The claims the build reads statically (hooks/claim_index.py) are exactly the claim marks
    pytest collects, for every test file collected."""
    import claim_index

    collected = {}
    for item in items:
        for mark in item.iter_markers("claim"):
            path, _, name = item.nodeid.partition("::")
            collected.setdefault(mark.args[0], set()).add(f"{path}::{name.split('[')[0]}")
    files = {item.nodeid.split("::")[0] for item in items}
    static = {
        claim: {f"{ref.path}::{ref.name}" for ref in refs if ref.path in files}
        for claim, refs in claim_index.declared(ROOT / "tests").items()
    }
    static = {claim: tests for claim, tests in static.items() if tests}
    if static != collected:
        only_static = sorted(set(static) - set(collected))
        only_pytest = sorted(set(collected) - set(static))
        differ = sorted(c for c in set(static) & set(collected) if static[c] != collected[c])
        raise pytest.UsageError(
            "claim marks differ between hooks/claim_index.py (read without running) and pytest: "
            f"only in the index {only_static}, only in pytest {only_pytest}, on other tests {differ}"
        )


@functools.cache
def _run(name):
    return snippet_runner.run(name)


@pytest.fixture(scope="session")
def snippet():
    """Run a snippet (once per test session) and return its result, namespace and values included."""
    return _run


@pytest.fixture(scope="session")
def site():
    """site/, built from these very sources (its stamp says so)."""
    problem = stamp.problem(SITE, ROOT)
    if problem:
        pytest.fail(problem)
    return SITE


@pytest.fixture(scope="session")
def base_url(site):
    with served(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser, base_url):
    opened = []

    def open_page(path, kind=Visit, **options):
        opened.append(kind(browser, base_url + path, **options))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def pytest_sessionstart(session):
    """The JUnit report carries the hash of the sources it ran against (hooks/claims.py reads it)."""
    session.config._handbook_sources = stamp.sources_hash(ROOT)


@pytest.fixture(scope="session", autouse=True)
def _sources_in_report(record_testsuite_property, request):
    record_testsuite_property("sources", request.config._handbook_sources)
