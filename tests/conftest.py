import functools
from urllib.parse import urlparse

import pytest
import snippet_runner
from site_checks import CHROMIUM, CHROMIUM_ARGS, SITE, served


def pytest_configure(config):
    # The runner runs snippets on one thread; so do the tests that call the snippets' functions,
    # so that both see the same floating-point results (a parallel reduction may add in another order).
    import torch

    torch.set_num_threads(1)


@functools.cache
def _run(name):
    return snippet_runner.run(name)


@pytest.fixture(scope="session")
def snippet():
    """Run a snippet (once per test session) and return its result, namespace included."""
    return _run


# The built site in a real browser (Debian's chromium driven by Playwright), shared by every
# browser test: Playwright's sync API runs one instance per process.


@pytest.fixture(scope="session")
def base_url():
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make site` (or `make test`, which builds it first)")
    with served() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page loaded in a fresh context, with everything it requested and complained about.

    `rewrite` maps strings of the page's HTML to replacements (applied to that page only)."""

    def __init__(self, browser, url, color_scheme="light", viewport=None, rewrite=None):
        options = {"color_scheme": color_scheme} | ({"viewport": viewport} if viewport else {})
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        if rewrite:
            self.page.route(url, functools.partial(self._rewrite, rewrite))
        self.page.goto(url, wait_until="networkidle")

    @staticmethod
    def _rewrite(replacements, route):
        response = route.fetch()
        body = response.text()
        for old, new in replacements.items():
            assert old in body, old
            body = body.replace(old, new)
        route.fulfill(response=response, body=body)

    def foreign_requests(self, base_url):
        host = urlparse(base_url).netloc
        return [url for url in self.requests if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != host]


@pytest.fixture
def visit(browser, base_url):
    opened = []

    def open_page(path, kind=Visit, **options):
        opened.append(kind(browser, base_url + path, **options))
        return opened[-1]

    yield open_page
    for page in opened:
        page.context.close()
