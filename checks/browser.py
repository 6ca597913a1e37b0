"""The built site in a real browser: Debian's chromium driven by Playwright (its own browser
download cannot run here), for the tests and the benchmarks."""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


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

    def scheme(self, color_scheme: str) -> None:
        """Switch the page to the light or dark scheme, as the reader's system setting would."""
        self.page.emulate_media(color_scheme=color_scheme)
        self.page.wait_for_function(
            "scheme => document.body.getAttribute('data-md-color-scheme') === scheme",
            arg="slate" if color_scheme == "dark" else "default",
        )

    def close(self):
        self.context.close()


def axe_violations(page) -> list[str]:
    """axe-core's violations on a loaded page, one line each (after the page has named its toolbars)."""
    page.wait_for_function("() => [...document.querySelectorAll('nav.md-code__nav')].every(n => n.getAttribute('aria-label'))")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]
