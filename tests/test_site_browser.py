"""The built site in a real browser: Debian's chromium driven by Playwright, serving site/ locally.

Run `make site` first (`make test` does). Every chapter page, in both languages, is checked for what
a reader would notice: math typeset with no raw TeX, every figure decoded, one badge per claim that
links to its test, a copy button on each code block once it is in view, no request leaving the host, no console error,
and no axe-core violation in either color scheme. What to expect comes from the page's Markdown.
Every other page (notebooks, test sources, the 404 page) is checked for foreign requests, console
errors and axe-core violations, in both schemes.
"""

import re
from urllib.parse import urlparse

import pytest

from checks.browser import axe_violations
from checks.site import chapters, pages

CHAPTERS = {path: source.read_text(encoding="utf-8") for path, source in chapters().items()}
GENERATED = [path for path in pages() if path not in CHAPTERS]  # notebooks, test sources, 404: every one

pytestmark = pytest.mark.browser


def assert_math_typeset(page, source: str):
    """Math arrives as SVG set at build time: every formula drawn, no raw TeX, no MathJax in the browser."""
    total = page.locator("article .arithmatex").count()
    prose = re.sub(r"```.*?```|`[^`\n]*`", "", source, flags=re.S)
    if re.search(r"\$[^$\n]+\$", prose):
        assert total > 0
    assert page.locator("article .arithmatex > mjx-container > svg").count() == total
    text = page.inner_text("article")
    for raw in ["\\(", "\\[", "$$", "\\frac", "\\eta", "\\beta"]:
        assert raw not in text
    assert page.evaluate("typeof window.MathJax") == "undefined"
    if total:  # every formula draws glyphs
        assert page.locator("article .arithmatex svg:not(:has(path[d]))").count() == 0
        shown = page.locator("article .arithmatex svg >> visible=true")  # the ledger folds its entries
        if shown.count():
            box = shown.first.bounding_box()
            assert box["width"] > 0 and box["height"] > 0


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_reads_as_written_in_the_browser(visit, base_url, path):
    source = CHAPTERS[path]
    visited = visit(path)
    page = visited.page
    assert_math_typeset(page, source)

    figures = re.findall(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+\.svg)", source)  # alt text may hold [ ]
    images = page.locator("article img[src$='.svg']")
    assert images.count() == len(figures)
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0)"), image.get_attribute("src")
        assert len(image.get_attribute("alt") or "") > 15

    claims = re.findall(r"<!-- md:claim ([^ ]+) -->", source)  # the ledger's entries are links, not badges
    badges = page.locator("article a.claim[data-claim]")
    assert badges.evaluate_all("badges => badges.map(b => b.dataset.claim)") == claims
    for index in range(badges.count()):
        badge = badges.nth(index)
        assert badge.get_attribute("data-test").startswith("tests/test_")
        target = badge.evaluate("a => a.href")
        response = page.request.get(target)
        assert response.ok, target
        assert f'id="{urlparse(target).fragment}"' in response.text()

    blocks = page.locator("article pre > code")  # Material adds the button when a block comes into view
    for index in range(blocks.count()):
        block = blocks.nth(index)
        block.evaluate("code => { for (let d = code.closest('details'); d; d = d.parentElement.closest('details')) d.open = true }")
        block.scroll_into_view_if_needed()
        copy = block.locator("xpath=..").locator("button[data-md-type='copy']")
        copy.wait_for()
        assert copy.count() == 1

    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_in_the_dark_scheme_has_visible_math_and_no_axe_violation(visit, path):
    page = visit(path, color_scheme="dark").page
    assert_math_typeset(page, CHAPTERS[path])
    assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", GENERATED)
def test_generated_page_has_no_foreign_request_console_error_or_axe_violation(visit, base_url, path, scheme):
    visited = visit(path, color_scheme=scheme)
    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []
    assert axe_violations(visited.page) == []


def test_notebook_page_shows_outputs_and_offers_py_and_ipynb_downloads(visit):
    page = visit("notebooks/learning_rate/gradient_descent/").page
    assert "Gradient descent on f(x) = 4x²" in page.inner_text("article")
    assert "38416" in page.inner_text("article")
    assert page.locator("article svg, article img").count() >= 4
    for name in ["gradient_descent.py", "gradient_descent.ipynb"]:
        link = page.locator(f'a[href$="{name}"]')
        assert link.count() == 1
        assert page.request.get(link.evaluate("a => a.href")).ok


VIEWPORTS = {"phone": {"width": 412, "height": 823}, "desktop": {"width": 1350, "height": 940}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", CHAPTERS)
def test_a_chapter_loads_no_mathjax_and_its_layout_does_not_shift(visit, path, viewport):
    """Math is set at build time, figures reserve their box, and blocks rendered on demand
    (content-visibility in extra.css) stay off the first screen: CLS stays under 0.05."""
    visited = visit(path, viewport=VIEWPORTS[viewport])
    assert [url for url in visited.requests if "mathjax" in url.lower()] == []
    shift = visited.page.evaluate(
        "() => new Promise(resolve => { let total = 0;"
        " new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) total += e.value; }))"
        ".observe({type: 'layout-shift', buffered: true}); setTimeout(() => resolve(total), 500); })"
    )
    assert shift < 0.05


def test_the_language_switcher_lands_on_the_same_page(visit, base_url):
    page = visit("momentum/").page
    assert page.locator("a.md-select__link[hreflang='zh']").evaluate("a => a.href") == base_url + "zh/momentum/"
    page = visit("zh/optimizers/adam/").page
    assert page.locator("a.md-select__link[hreflang='en']").evaluate("a => a.href") == base_url + "optimizers/adam/"


SEARCHES = [
    ("zh/", "学习率", "zh/learning-rate/"),
    ("zh/", "梯度下降", "zh/learning-rate/"),
    ("zh/", "收缩因子", "zh/learning-rate/"),
    ("zh/", "动量", "zh/momentum/"),
    ("zh/", "指数加权平均", "zh/momentum/"),
    ("zh/", "优化器", "zh/optimizers/"),
    ("zh/", "学习率调度器", "zh/schedulers/"),
    ("", "learning rate", "learning-rate/"),
    ("", "exponentially weighted average", "momentum/"),
    ("", "contraction factor", "learning-rate/"),
]


@pytest.mark.parametrize("edition, term, expected", SEARCHES)
def test_search_finds_the_page_for_each_term_in_both_editions(visit, base_url, edition, term, expected):
    page = visit(f"{edition}?q={term}").page
    page.wait_for_selector(".md-search-result__link", timeout=10000)
    found = [link.split("#")[0] for link in page.locator(".md-search-result__link").evaluate_all("a => a.map(x => x.href)")]
    assert base_url + expected in found
