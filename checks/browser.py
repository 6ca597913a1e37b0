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


# Every layout shift from the first byte on, summed as Lighthouse's CLS does (shifts just after an
# input excluded); read at once with takeRecords, without waiting for the observer's next callback.
LAYOUT_SHIFT_OBSERVER = """(() => {
    let total = 0;
    const add = entries => entries.forEach(entry => { if (!entry.hadRecentInput) total += entry.value; });
    const observer = new PerformanceObserver(list => add(list.getEntries()));
    observer.observe({type: 'layout-shift', buffered: true});
    window.__layoutShiftSoFar = () => { add(observer.takeRecords()); return total; };
})()"""


class Visit:
    """A page loaded in a fresh context, with everything it requested and complained about, and
    the layout shifts it has made.

    `rewrite` maps strings of the page's HTML to replacements (applied to that page only)."""

    def __init__(self, browser, url, color_scheme="light", viewport=None, rewrite=None):
        options = {"color_scheme": color_scheme} | ({"viewport": viewport} if viewport else {})
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.context.add_init_script(LAYOUT_SHIFT_OBSERVER)
        if rewrite:
            self.page.route(url, functools.partial(self._rewrite, rewrite))
        self.page.goto(url, wait_until="load")

    @staticmethod
    def _rewrite(replacements, route):
        response = route.fetch()
        body = response.text()
        for old, new in replacements.items():
            assert old in body, old
            body = body.replace(old, new)
        route.fulfill(response=response, body=body)

    def layout_shift(self) -> float:
        """The layout shift of the page since its first byte (not counting shifts after an input)."""
        return self.page.evaluate("window.__layoutShiftSoFar()")

    def foreign_requests(self, base_url):
        """Every request that left the host, once the page's network has been quiet for 500 ms."""
        self.page.wait_for_load_state("networkidle")
        host = urlparse(base_url).netloc
        return [url for url in self.requests if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != host]

    def close(self):
        self.context.close()


def to_dark(page) -> None:
    """Material's palette toggle, clicked as a reader would who has asked for reduced motion:
    Material then drops its color transitions, so the colors a check reads are the dark scheme's at
    once, not a fade's midpoint (hooks/html_edits.py, palette_switch_restyles_nothing). Any
    transition still running is waited for."""
    page.emulate_media(reduced_motion="reduce")
    page.locator("label[for='__palette_1']").click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.evaluate(
        """async () => { let running;
            while ((running = document.getAnimations().filter(a => a instanceof CSSTransition && a.playState === 'running')).length)
                await Promise.all(running.map(a => a.finished.catch(() => null))); }"""
    )


# The race and playground widgets (docs/javascripts/race.js) are built when they come near the
# viewport: a check of what they show scrolls to each first, as a reader does.
WIDGETS = "[data-race], [data-playground]"


def build_widgets(page) -> None:
    """Scroll to every widget on the page, wait until each is built, and scroll back to the top."""
    for widget in page.locator(WIDGETS).all():
        widget.scroll_into_view_if_needed()
    page.wait_for_function("selector => [...document.querySelectorAll(selector)].every(root => root.dataset.raceReady)", arg=WIDGETS)
    page.evaluate("scrollTo(0, 0)")


# The rules whose outcome depends on the color scheme: the others need to run in one scheme only.
COLOR_RULES = ["color-contrast", "link-in-text-block"]


def axe_violations(page, color_only: bool = False, math: bool = False, code: bool = False) -> list[str]:
    """axe-core's violations on a loaded page, one line each (after the page has named its toolbars).

    `color_only`: only the rules the color scheme can change. The typeset formulas (every one made
    the same way by hooks/typeset.js, half the elements of a math-heavy page) are left out unless
    `math`, and the code blocks (colored by token class, the same way on every page; most of a test
    page's elements) unless `code`: tests/test_math_rendering.py and tests/test_site_browser.py run
    axe on each once, on the pages that hold every kind the site has."""
    page.wait_for_function("() => [...document.querySelectorAll('nav.md-code__nav')].every(n => n.getAttribute('aria-label'))")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    left_out = [[selector] for selector, checked in (("mjx-container", math), ("article pre", code)) if not checked]
    context = {"exclude": left_out}
    options = {"resultTypes": ["violations"]} | ({"runOnly": COLOR_RULES} if color_only else {})
    result = page.evaluate("([context, options]) => axe.run(context, options)", [context, options])
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]
