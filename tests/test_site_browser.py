"""The built site in a real browser, as readers see it: Debian's chromium driven by Playwright.

Every written page ("chapter"), in every language, is opened twice: on a 390 px phone and on a
1280 px desktop. On the phone: no sideways scroll, every formula drawn with a visible box, every
figure decoded with its smallest text at 9 CSS px or more, no layout shift, and axe-core clean in
the light scheme and (its color rules) in the dark one, with every widget built (they are built
when scrolled near, so the test scrolls to each). On the desktop: the same math, figures and
claim badges as the Markdown has, a copy button on each code block, no layout shift. On both: no
request leaving the host and no console error. Every generated page (notebooks, test sources, the
404 page) is opened once on a phone: no sideways scroll, axe-core in both schemes, no foreign
request, no console error. What to expect comes from each page's Markdown.

One load per page and viewport serves all of its checks; the scheme is switched with Material's
own toggle, as a reader would.
"""

import re

import code_tokens
import pytest
import snippet_runner
from checks.browser import axe_violations, build_widgets, to_dark
from checks.site import SITE, chapters, pages

CHAPTERS = {path: source.read_text(encoding="utf-8") for path, source in chapters().items()}
GENERATED = [path for path in pages() if path not in CHAPTERS]  # notebooks, test sources, 404: every one
CODE_BLOCK = re.compile(r"<pre[^>]*>(.*?)</pre>", re.S)
TOKEN = re.compile(r'<span class="([^"]+)"')
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SMALLEST_TEXT_PX = snippet_runner.SMALLEST_TEXT_PX
FIGURE_IN_MARKDOWN = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+\.svg)")  # alt text may hold [ ]

pytestmark = pytest.mark.browser


def assert_no_sideways_scroll(page):
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px viewport"


def assert_scrolling_code_is_focusable(page):
    """A code block wider than the page can be scrolled from the keyboard (axe-core's
    scrollable-region-focusable, kept for code blocks, which the page's axe run leaves out)."""
    stuck = page.evaluate(
        """() => [...document.querySelectorAll('article pre, article pre > code')]
            .filter(block => block.scrollWidth > block.clientWidth && getComputedStyle(block).overflowX !== 'visible')
            .filter(block => !(block.tabIndex >= 0 || block.querySelector('[tabindex="0"]') || block.closest('[tabindex="0"]')))
            .map(block => block.textContent.slice(0, 60))"""
    )
    assert stuck == [], f"{len(stuck)} code blocks scroll but cannot be focused"


def code_kinds(path: str) -> set[str]:
    """What a page's code colors depend on: each token class in its code blocks, with the kind of
    block it is in (a notebook cell or a Markdown block, styled by different rules)."""
    html = (SITE / path if path.endswith(".html") else SITE / path / "index.html").read_text(encoding="utf-8")
    article = html[html.find("<article") : html.find("</article>")]
    kind = "notebook" if "jupyter-wrapper" in article else "markdown"
    return {f"{kind}:{token}" for block in CODE_BLOCK.findall(article) for token in TOKEN.findall(block) or [""]}


def fewest_pages_with_every_code_kind(paths: list[str]) -> list[str]:
    """A greedy cover: pages added in turn, each the one that brings most kinds not yet covered
    (the first such page in `paths` on a tie)."""
    kinds = {path: code_kinds(path) for path in paths}
    missing, chosen = set().union(*kinds.values()), []
    while missing:
        best = max(paths, key=lambda path: len(kinds[path] & missing))
        chosen.append(best)
        missing -= kinds[best]
    return chosen


def assert_math_drawn(page, source: str):
    """Math arrives as SVG set at build time: every formula drawn with a box of its own, no raw TeX,
    no MathJax in the browser. Formulas in a folded block are not laid out and are skipped."""
    total = page.locator("article .arithmatex").count()
    prose = re.sub(r"```.*?```|`[^`\n]*`", "", source, flags=re.S)
    if re.search(r"\$[^$\n]+\$", prose):
        assert total > 0
    assert page.locator("article .arithmatex > mjx-container > svg").count() == total
    text = page.inner_text("article")
    for raw in ["\\(", "\\[", "$$", "\\frac", "\\eta", "\\beta", "handbookvalue"]:
        assert raw not in text
    assert page.evaluate("typeof window.MathJax") == "undefined"
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('article .arithmatex svg')]
            .filter(svg => !svg.closest('details:not([open])'))
            .filter(svg => { const box = svg.getBoundingClientRect(); return box.width < 2 || box.height < 2; })
            .map(svg => svg.closest('.arithmatex').textContent.slice(0, 60))"""
    )
    assert hidden == [], f"{len(hidden)} formulas have no visible box"


def assert_figures(page, source: str, phone: bool):
    """Every figure of the Markdown is on the page and decoded; on a phone its smallest text is
    SMALLEST_TEXT_PX or more, computed from the SVG shown (its own font sizes) and its width."""
    expected = FIGURE_IN_MARKDOWN.findall(source)
    shown = page.evaluate(
        """async () => {
            const images = [...document.querySelectorAll('article img[src$=".svg"]')];
            for (const image of images) { image.loading = 'eager'; }
            await Promise.all(images.map(image => image.decode().catch(() => null)));
            return images.map(image => ({src: image.currentSrc, width: image.getBoundingClientRect().width,
                                          natural: image.naturalWidth, alt: image.alt}));
        }"""
    )
    assert len(shown) == len(expected)
    for image in shown:
        assert image["natural"] > 0, image["src"]
        assert len(image["alt"]) > 15, image["src"]
        if phone and image["width"] > 0:
            path = SITE / image["src"].split("/", 3)[3]
            size = snippet_runner.text_px(path.read_text(encoding="utf-8"), image["width"])
            assert size >= SMALLEST_TEXT_PX, f"{path.relative_to(SITE)}: smallest text {size:.1f} px at {image['width']:.0f} px wide"


def assert_badges(page, source: str):
    claims = re.findall(r"<!-- md:claim ([^ ]+) -->", source)  # the ledger's entries are links, not badges
    badges = page.locator("article a.claim[data-claim]")
    assert badges.evaluate_all("badges => badges.map(b => b.dataset.claim)") == claims
    tests = badges.evaluate_all("badges => badges.map(b => b.dataset.test)")
    assert all(test.startswith("tests/test_") for test in tests)


def assert_copy_buttons(page):
    """Material adds a code block's copy button when the block comes into view (content.lazy): with
    every block unfolded and scrolled to in turn, as a reader would, every block gets one."""
    page.evaluate(
        """async () => { const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
            for (const code of document.querySelectorAll('article pre > code')) {
                for (let d = code.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
                code.scrollIntoView();
                await frame(); await frame(); } }"""
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('article pre > code')]"
        ".every(code => code.parentElement.querySelector(\"button[data-md-type='copy']\"))"
    )


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_reads_on_a_phone(visit, base_url, path):
    """On a 390 px phone: nothing scrolls sideways, every formula and figure is legible, the page
    does not shift, and axe-core finds nothing in either scheme."""
    source = CHAPTERS[path]
    visited = visit(path, viewport=PHONE)
    page = visited.page
    build_widgets(page)
    assert_no_sideways_scroll(page)
    assert_scrolling_code_is_focusable(page)
    assert_math_drawn(page, source)
    assert_figures(page, source, phone=True)
    assert axe_violations(page) == []
    assert visited.layout_shift() < 0.05  # from the first byte to here, the widgets built
    to_dark(page)
    assert axe_violations(page, color_only=True) == []
    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_reads_on_a_desktop(visit, base_url, path):
    """On a 1280 px desktop: the math, figures and claim badges the Markdown holds, a copy button on
    every code block, no layout shift, no foreign request, no console error."""
    source = CHAPTERS[path]
    visited = visit(path, viewport=DESKTOP)
    page = visited.page
    assert_math_drawn(page, source)
    assert_figures(page, source, phone=False)
    assert_badges(page, source)
    assert visited.layout_shift() < 0.05  # from the first byte to here
    assert_copy_buttons(page)
    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []


@pytest.mark.parametrize("path", GENERATED)
def test_generated_page_reads_on_a_phone(visit, base_url, path):
    """Notebooks, test sources and the 404 page: no sideways scroll on a phone, axe-core clean in
    both schemes, no foreign request, no console error."""
    visited = visit(path, viewport=PHONE)
    page = visited.page
    assert_no_sideways_scroll(page)
    assert_scrolling_code_is_focusable(page)
    assert axe_violations(page) == []
    to_dark(page)
    assert axe_violations(page, color_only=True) == []
    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []


@pytest.mark.parametrize("path", fewest_pages_with_every_code_kind(pages()))
def test_code_blocks_pass_axe_in_both_schemes(visit, path):
    """The other browser tests leave code blocks out of axe-core: a token is colored by its class,
    the same way on every page. Here axe checks them, code included, on the fewest pages that
    together hold every token class of every kind of code block the site has, in both schemes."""
    page = visit(path, viewport=PHONE).page
    assert axe_violations(page, code=True) == []
    to_dark(page)
    assert axe_violations(page, color_only=True, code=True) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tokens_without_a_span_are_drawn_in_their_own_color(visit, scheme):
    """hooks/code_tokens.py gives names, spaces, punctuation and operators in Python listings no
    span: the code around them is drawn in the color each such token's span would have, in either
    scheme."""
    page = visit("optimizers/adam/", color_scheme=scheme).page
    spans, code, colors = page.evaluate(
        """classes => { const code = document.querySelector('article .highlight code');
            const spans = document.querySelectorAll(classes.map(c => `.highlight code span.${c}`).join(', ')).length;
            const colors = classes.map(className => {
                const span = Object.assign(document.createElement('span'), {className, textContent: 'x'});
                code.append(span);
                return getComputedStyle(span).color; });
            return [spans, getComputedStyle(code).color, colors]; }""",
        code_tokens.CLASSES,
    )
    assert spans == 0
    assert colors == [code] * len(code_tokens.CLASSES)


def test_notebook_page_shows_outputs_offers_downloads_and_links_back(visit, site):
    page = visit("notebooks/learning_rate/gradient_descent/", viewport=PHONE).page
    assert page.locator("article img[src$='.svg']").count() >= 4
    for name in ["gradient_descent.py", "gradient_descent.ipynb"]:
        link = page.locator(f'a[href$="{name}"]')
        assert link.count() == 1 and link.get_attribute("download") is not None
        body = page.request.get(link.evaluate("a => a.href")).body()
        assert body == (site / "notebooks" / "learning_rate" / "gradient_descent" / name).read_bytes()
    assert page.request.get(page.locator("a[href$='gradient_descent.py']").evaluate("a => a.href")).body() == (
        SITE.parent / "snippets" / "learning_rate" / "gradient_descent.py"
    ).read_bytes()
    back = page.locator("article a[href$='learning-rate/']")
    assert back.count() >= 1


@pytest.mark.parametrize("scheme, palette", [("light", "default"), ("dark", "slate")])
def test_a_first_visit_is_in_the_readers_scheme_before_material_runs(visit, scheme, palette):
    """With no palette chosen yet, a page shows the reader's color scheme from its first paint, not
    only once Material's deferred bundle has run (here it never runs)."""
    page = visit("momentum/", color_scheme=scheme, rewrite={'src="../assets/javascripts/bundle.': 'data-not-run="'}).page
    assert page.evaluate("document.body.dataset.mdColorScheme") == palette


def test_the_language_switcher_lands_on_the_same_page(visit, base_url):
    page = visit("momentum/").page
    assert page.locator("a.md-select__link[hreflang='zh']").evaluate("a => a.href") == base_url + "zh/momentum/"
    page = visit("zh/optimizers/adam/").page
    assert page.locator("a.md-select__link[hreflang='en']").evaluate("a => a.href") == base_url + "optimizers/adam/"


@pytest.mark.parametrize("address, language, title", [("no-such-page/", "en", "Page not found"), ("zh/no-such-page/", "zh", "页面不存在")])
def test_the_404_page_speaks_the_language_of_the_address(visit, address, language, title):
    page = visit(address).page
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("[data-not-found] section:not([hidden]) h1").inner_text() == title


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
    ("", "dampening", "sgd/"),
    ("", "foreach", "sgd/"),
]


def search(visit, edition, term):
    page = visit(f"{edition}?q={term}").page
    page.wait_for_selector(".md-search-result__link", timeout=10000)
    return page, page.locator(".md-search-result__link").evaluate_all("a => a.map(x => x.href)")


@pytest.mark.parametrize("edition, term, expected", SEARCHES)
def test_search_finds_the_page_for_each_term_in_its_own_language_only(visit, base_url, edition, term, expected):
    page, found = search(visit, edition, term)
    assert base_url + expected in [link.split("#")[0] for link in found]
    other = [link for link in found if link.startswith(base_url + "zh/") != (edition == "zh/")]
    assert other == []
    previews = page.locator(".md-search-result article").all_inner_texts()
    for text in previews:
        assert "\\(" not in text and "\\frac" not in text and "handbookvalue" not in text
    titles = page.locator(".md-search-result__article h1").all_inner_texts()
    assert titles and not any("\u200b" in title for title in titles)
