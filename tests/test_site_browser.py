"""The built site in a real browser: Debian's chromium driven by Playwright, serving site/ locally.

Run `make site` first (`make test` does). Checks what a reader would notice: math typeset, figures
decoded, no request leaving the host, no console error, a copy button on each code block.
"""

from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import SITE

CHAPTERS = ["learning-rate/", "zh/learning-rate/"]

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chapter_typesets_math_with_no_raw_tex_and_visible_glyphs(visit, chapter, scheme):
    page = visit(chapter, color_scheme=scheme).page
    total = page.locator(".arithmatex").count()
    assert total > 10
    assert page.locator(".arithmatex mjx-container").count() == total
    text = page.inner_text("article")
    for raw in ["\\(", "\\[", "$$", "\\frac", "\\eta"]:
        assert raw not in text
    # A glyph whose style is missing renders blank: check that the first one has its character.
    content = page.evaluate("getComputedStyle(document.querySelector('mjx-c'), '::before').content")
    assert content not in ("none", "normal", "")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_figures_all_decode_and_have_alt_text(visit, chapter):
    page = visit(chapter).page
    images = page.locator("article img")
    assert images.count() >= 6
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0)"), image.get_attribute("src")
        assert len(image.get_attribute("alt") or "") > 20


@pytest.mark.parametrize(
    "path", ["", "zh/", *CHAPTERS, "notebooks/learning_rate/gradient_descent/", "zh/notebooks/learning_rate/lr_sweep/"]
)
def test_page_makes_no_request_to_another_host_and_logs_no_console_error(visit, base_url, path):
    visited = visit(path)
    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_code_block_has_a_copy_button(visit, chapter):
    page = visit(chapter).page
    blocks = page.locator("article pre > code")
    assert blocks.count() >= 4
    for index in range(blocks.count()):
        assert blocks.nth(index).locator("xpath=..").locator("button[data-md-type='copy']").count() == 1


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_claim_badge_names_its_test_and_links_to_it(visit, base_url, chapter):
    page = visit(chapter).page
    badges = page.locator("article [data-claim]")
    assert badges.count() >= 6
    for index in range(badges.count()):
        badge = badges.nth(index)
        assert badge.get_attribute("data-test").startswith("tests/test_")
        target = badge.evaluate("a => a.href")
        response = page.request.get(target)
        assert response.ok, target
        anchor = urlparse(target).fragment
        assert f'id="{anchor}"' in response.text()


def test_notebook_page_shows_outputs_and_offers_py_and_ipynb_downloads(visit):
    page = visit("notebooks/learning_rate/gradient_descent/").page
    assert "Gradient descent on f(x) = 4x²" in page.inner_text("article")
    assert "38416" in page.inner_text("article")
    assert page.locator("article svg, article img").count() >= 4
    for name in ["gradient_descent.py", "gradient_descent.ipynb"]:
        link = page.locator(f'a[href$="{name}"]')
        assert link.count() == 1
        assert page.request.get(link.evaluate("a => a.href")).ok


def test_math_is_typeset_after_following_a_navigation_link(visit):
    visited = visit("")
    visited.page.click("nav.md-nav--primary a[href$='learning-rate/']")
    visited.page.wait_for_url("**/learning-rate/")
    visited.page.wait_for_function(
        "() => document.querySelectorAll('article .arithmatex mjx-container').length"
        " === document.querySelectorAll('article .arithmatex').length"
    )
    content = visited.page.evaluate("getComputedStyle(document.querySelector('article mjx-c'), '::before').content")
    assert content not in ("none", "normal", "")
    assert visited.errors == []


SEARCHES = [
    ("zh/", "学习率", "zh/learning-rate/"),
    ("zh/", "梯度下降", "zh/learning-rate/"),
    ("zh/", "收缩因子", "zh/learning-rate/"),
    ("zh/", "动量", "zh/glossary/"),
    ("zh/", "指数加权平均", "zh/glossary/"),
    ("zh/", "优化器", "zh/glossary/"),
    ("", "learning rate", "learning-rate/"),
    ("", "contraction factor", "learning-rate/"),
]


@pytest.mark.parametrize("edition, term, expected", SEARCHES)
def test_search_finds_the_page_for_each_term_in_both_editions(visit, base_url, edition, term, expected):
    page = visit(f"{edition}?q={term}").page
    page.wait_for_selector(".md-search-result__link", timeout=10000)
    found = [link.split("#")[0] for link in page.locator(".md-search-result__link").evaluate_all("a => a.map(x => x.href)")]
    assert base_url + expected in found


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
ALL_PAGES = sorted(
    path.relative_to(SITE).as_posix().removesuffix("index.html") for path in SITE.rglob("*.html")
) if SITE.is_dir() else []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_has_no_axe_core_violations(visit, path, scheme):
    page = visit(path, color_scheme=scheme).page
    page.wait_for_function("() => [...document.querySelectorAll('nav.md-code__nav')].every(n => n.getAttribute('aria-label'))")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]
    assert found == []
