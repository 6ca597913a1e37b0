"""The build draws each formula's glyphs as one SVG path (hooks/typeset.js): it must look as MathJax draws it.

MathJax's own SVG (a <g> per MathML node, a <path> per glyph, a <rect> per rule) is typeset for the
same TeX straight from the pinned npm package, and both are rendered side by side in Chromium.
The formulas cover every kind of construct the chapters use.
"""

import io
import json
import subprocess

import pytest
from PIL import Image, ImageChops
from checks.site import ROOT

import mathjax

pytestmark = pytest.mark.browser

FORMULAS = [
    ("x_{t+1} = x_t - \\eta\\, \\nabla f(x_t), \\quad \\eta \\in (0, 0.25)", False),  # sub- and superscripts
    ("\\hat m_t = \\frac{m_t}{1 - \\beta_1^t}, \\quad \\theta_t = \\theta_{t-1} - \\frac{\\eta\\, \\hat m_t}{\\sqrt{\\hat v_t} + \\epsilon}", True),
    ("\\bar x \\approx \\tilde y \\odot \\lVert g \\rVert_2^2, \\quad \\operatorname{clip}(\\rho) \\le \\max(\\alpha, \\mu)", False),
    ("\\sum_{i=1}^{n} \\prod_{k=0}^{t} \\Big( 1 - \\dfrac{\\lambda}{\\sqrt{k + 1}} \\Big) \\qquad \\lfloor t / T \\rfloor", True),
    ("\\begin{aligned} v_t &= \\mu\\, v_{t-1} + g_t \\\\ \\theta_t &= \\theta_{t-1} - \\gamma\\, v_t \\end{aligned}", True),
    # a stretched brace is cut from a glyph by a nested <svg>: such a formula keeps MathJax's tree
    ("\\eta_t = \\begin{cases} \\tfrac{1}{2} \\left( 1 - \\cos\\left(\\pi \\min(t/A,\\, 1)\\right) \\right) & \\texttt{cos} \\\\ \\eta_0 & t \\ge T \\\\ 0 & \\text{else} \\end{cases}", True),
]

# MathJax itself, as the site would use it without hooks/typeset.js's rewriting of the tree.
REFERENCE = """
require("mathjax").init({
  loader: { load: ["input/tex", "output/svg"] }, svg: { fontCache: "none" }, startup: { typeset: false },
}).then(async (MathJax) => {
  const html = [];
  for (const [tex, display] of JSON.parse(process.argv[1])) {
    html.push(MathJax.startup.adaptor.outerHTML(await MathJax.tex2svgPromise(tex, { display })));
  }
  console.log(JSON.stringify(html));
});
"""


@pytest.fixture(scope="module")
def drawn():
    """(ours, MathJax's, MathJax's stylesheet): the SVG markup of each formula."""
    typesetter = mathjax.Typesetter()
    try:
        ours = typesetter.typeset(FORMULAS)["html"]
        stylesheet = typesetter.stylesheet
    finally:
        typesetter.close()
    reference = subprocess.run(
        ["node", "-e", REFERENCE, json.dumps(FORMULAS)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return ours, json.loads(reference.stdout), stylesheet


def test_each_formula_is_one_path_for_glyphs_and_one_for_rules_unless_a_nested_svg_clips_a_glyph(drawn):
    ours, theirs, _ = drawn
    assert any(reference.count("<svg") > 1 for reference in theirs)  # the list holds such a formula
    for (tex, _), markup, reference in zip(FORMULAS, ours, theirs, strict=True):
        svg = markup[markup.index("<svg") : markup.index("</svg>")]
        if reference.count("<svg") > 1:
            assert "<g" in svg, tex
        else:
            assert "<g" not in svg and "<rect" not in svg and svg.count("<path") <= 2, tex


def test_a_formula_drawn_from_one_path_looks_as_mathjax_draws_it(browser, drawn):
    ours, theirs, stylesheet = drawn
    page = browser.new_page(device_scale_factor=2)
    try:
        shots = []
        for markups in (ours, theirs):
            page.set_content(
                f"<style>{stylesheet} body {{ font-size: 24px; background: #fff; color: #000 }}</style>"
                + "".join(f"<p>{markup}</p>" for markup in markups)
            )
            shots.append([Image.open(io.BytesIO(svg.screenshot())).convert("L") for svg in page.locator("mjx-container > svg").all()])
    finally:
        page.close()
    for (tex, _), mine, reference in zip(FORMULAS, *shots, strict=True):
        assert mine.size == reference.size, tex
        # anti-aliasing may differ by a shade at an edge; a glyph moved, missing or flipped differs fully
        histogram = ImageChops.difference(mine, reference).histogram()
        assert sum(histogram[64:]) == 0, tex


@pytest.mark.browser
@pytest.mark.parametrize("path", ["momentum/", "zh/optimizers/adam/"])
def test_typeset_formulas_pass_axe_in_both_schemes(visit, path):
    """The other browser tests leave the formulas out of axe-core (they are all made the same way);
    here they are checked, on math-heavy pages, at phone width, in both schemes."""
    from checks.browser import axe_violations, to_dark

    page = visit(path, viewport={"width": 390, "height": 844}).page
    assert axe_violations(page, math=True) == []
    to_dark(page)
    assert axe_violations(page, color_only=True, math=True) == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 768])
@pytest.mark.parametrize("path", ["momentum/", "zh/momentum/", "optimizers/adam/", "schedulers/"])
def test_every_formula_has_a_visible_box_at_the_narrowest_and_a_tablet_width(visit, path, width):
    """The browser suite checks every page at 390 px and 1280 px; the math-heavy pages here at 320 px
    and 768 px too (Material's narrow-screen rule collapsed display formulas below 720 px)."""
    page = visit(path, viewport={"width": width, "height": 900}).page
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('article .arithmatex svg')]
            .filter(svg => !svg.closest('details:not([open])'))
            .filter(svg => { const box = svg.getBoundingClientRect(); return box.width < 2 || box.height < 2; }).length"""
    )
    assert hidden == 0
    width_now, viewport = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width_now <= viewport
