"""What every test shares: snippets run once per session, the built site served and opened in a
real browser, and the checks that keep the suite honest (claim marks, a stale site/)."""

from __future__ import annotations

import ast
import functools
import importlib
import sys
from pathlib import Path

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
    pytest collects, for every test function collected. With pytest-xdist (`make test` runs two
    workers), each test file that is not a browser test stays in one worker, so that its snippets
    run once; browser tests are spread one by one."""
    import claim_index

    for item in items:
        if not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))

    collected = {}
    for item in items:
        for mark in item.iter_markers("claim"):
            path, _, name = item.nodeid.partition("::")
            collected.setdefault(mark.args[0], set()).add(f"{path}::{name.split('[')[0]}")
    functions = {item.nodeid.split("[")[0] for item in items}  # `pytest file::test` collects one
    static = {
        claim: {f"{ref.path}::{ref.name}" for ref in refs} & functions
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


class SnippetRun:
    """A snippet's result as the tests see it: what the build's run recorded (its values, output
    and figures, from the cache when the cache holds this very snippet run in this environment,
    CPU kernels included), and its live namespace, run in this process the first time a test
    calls one of its functions."""

    def __init__(self, name: str):
        self.name = name
        self._result = snippet_runner.cached_run(name)

    @property
    def namespace(self) -> dict:
        if self._result.namespace is None:
            self._result = snippet_runner.run(self.name)
        return self._result.namespace

    @property
    def module(self):
        """The snippet imported as a module, as its spawned ranks import it: its functions and
        constants, without the run it keeps under `if __name__ == "__main__":`. For the snippets
        that have such a block (those that start ranks must); cheap where `.namespace` reruns it all."""
        return _imported(self.name)

    def __getattr__(self, attribute):
        return getattr(self._result, attribute)


def _is_main_guard(node) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test).replace("'", '"') == '__name__ == "__main__"'


@functools.cache
def _imported(name: str):
    path = snippet_runner.snippet_path(name)
    if not any(_is_main_guard(node) for node in ast.parse(path.read_text(encoding="utf-8")).body):
        raise pytest.UsageError(f"snippets/{name}.py runs everything on import (no `if __name__ == \"__main__\":`): use .namespace")
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))  # by name from its folder, as a spawned rank imports it
    module = importlib.import_module(path.stem)
    if Path(module.__file__) != path:
        raise pytest.UsageError(f"importing '{path.stem}' gives {module.__file__}, not snippets/{name}.py")
    return module


@functools.cache
def _run(name):
    return SnippetRun(name)


@pytest.fixture(scope="session")
def snippet():
    """A snippet's run (once per test session): `.values`, `.output`, `.figures`, `.namespace`."""
    return _run


def snippet_fixture(name: str):
    """A module-scoped fixture of one snippet's run, declared in one line of a test file:
    `valley = snippet_fixture("momentum/ill_conditioned")`, then `def test_...(valley)`."""

    @pytest.fixture(scope="module")
    def run(snippet):
        return snippet(name)

    return run


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
    """Beside its JUnit report (--junitxml), a run leaves the hash of the sources it ran against, so
    that a build shows these results only if it is of the same sources (hooks/claims.py)."""
    config = session.config
    report = getattr(config.option, "xmlpath", None)
    if report and not hasattr(config, "workerinput"):  # the controlling process, not an xdist worker
        sources = Path(report).with_suffix(".sources")
        sources.parent.mkdir(parents=True, exist_ok=True)
        sources.write_text(stamp.sources_hash(ROOT) + "\n")
