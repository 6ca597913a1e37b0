"""The SGD playground in a real browser, checked against PyTorch.

The playground is a preset of the optimizer race (docs/javascripts/race.js, its arithmetic in
race-engine.js, here in float64): <div data-playground="learning-rate"> or "momentum". Serves the
built site/ (run `make site` first) and drives Debian's chromium with Playwright, like
tests/test_site_browser.py. The widget's table (full precision in each row's data-x and data-loss)
is compared with `sgd_path` of snippets/momentum/sgd_path.py, which runs torch.optim.SGD.

The momentum variant and the Chinese labels are checked on the learning-rate page served with its
HTML rewritten (data-playground="momentum", lang="zh"), so that they are tested whether or not the
momentum chapter and the Chinese twin are in the build; the real momentum page is checked when built.
"""

import functools
import math

import pytest
import snippet_runner
from checks.browser import Visit, build_widgets
from checks.site import SITE

# The numbers the pages state about the playground, as snippets/momentum/sgd_path.py records them.
STATED = snippet_runner.cached_run("momentum/sgd_path").values
TOLERANCE = STATED["PLAYGROUND_TOLERANCE"]
MAX_STEPS, MAX_START = STATED["PLAYGROUND_MAX_STEPS"], STATED["PLAYGROUND_MAX_START"]

PAGE = "learning-rate/"
WIDGET = "[data-playground]"
GOOD = {"lr": "0.2", "momentum": "0", "nesterov": False, "steps": "20", "x0": "2"}
MOMENTUM_WIDGET = {'data-playground="learning-rate"': 'data-playground="momentum"'}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reference(snippet):
    return snippet("momentum/sgd_path").namespace


class WidgetVisit(Visit):
    """A visit that waits for the widget's first table, and reads the widget through its contract."""

    def __init__(self, browser, url, **options):
        super().__init__(browser, url, **options)
        if self.page.locator(WIDGET).count():
            build_widgets(self.page)
            self.page.wait_for_selector(f"{WIDGET} table[data-role='iterates'] tbody tr", state="attached")

    # The widget, through its contract: named inputs, the iterates table, the alert.
    def set(self, **values):
        for name, value in values.items():
            if name == "nesterov":
                self.page.locator(f"{WIDGET} input[name='nesterov']").set_checked(value)
            else:
                self.page.locator(f"{WIDGET} input[name='{name}']").fill(str(value))

    def rows(self):
        """[(step, x, loss)] read from the table's data attributes (full precision)."""
        rows = self.page.eval_on_selector_all(
            f"{WIDGET} table[data-role='iterates'] tbody tr",
            "rows => rows.map(row => [row.cells[0].textContent, row.dataset.x, row.dataset.loss])",
        )
        return [(int(step), float(x), float(loss)) for step, x, loss in rows]

    def alert(self):
        return self.page.locator(f"{WIDGET} [role='alert']")

    def invalid(self):
        return self.page.eval_on_selector_all(
            f"{WIDGET} input[aria-invalid='true']", "inputs => inputs.map(input => input.name)"
        )

    def pictures(self):
        return self.page.eval_on_selector(f"{WIDGET} .race__charts", "charts => charts.innerHTML")

    def status(self):
        return self.page.inner_text(f"{WIDGET} [role='status']")


@pytest.fixture
def visit(visit):
    """The shared visit fixture (conftest.py), opening pages as WidgetVisit."""
    return functools.partial(visit, kind=WidgetVisit)


@pytest.fixture(scope="module")
def widget(browser, base_url):
    """One visit to the learning-rate page, shared by the tests that only set inputs and read the table."""
    visited = WidgetVisit(browser, base_url + PAGE)
    yield visited
    visited.context.close()


@pytest.fixture(scope="module")
def momentum_widget(browser, base_url):
    """The learning-rate page served with its widget switched to the momentum variant."""
    visited = WidgetVisit(browser, base_url + PAGE, rewrite=MOMENTUM_WIDGET)
    yield visited
    visited.context.close()


def assert_same_path(seen, expected):
    """Widget rows equal PyTorch rows: same steps, x and loss to TOLERANCE relative, exactly 0 where PyTorch has 0."""
    assert [row[0] for row in seen] == [row[0] for row in expected]
    for (step, x, loss), (_, torch_x, torch_loss) in zip(seen, expected):
        for value, torch_value in [(x, torch_x), (loss, torch_loss)]:
            if torch_value == 0:
                assert value == 0, f"step {step}: {value} where PyTorch has exactly 0"
            else:
                assert value == pytest.approx(torch_value, rel=TOLERANCE, abs=0), f"step {step}"


def _id(run):
    nesterov = "-nesterov" if run["nesterov"] else ""
    return f"lr-{run['lr']:g}-m-{run['momentum']:g}{nesterov}" + (f"-{run['steps']}-steps-from-{run['x0']:g}" if "steps" in run else "")


SETTINGS = {  # id: (lr, momentum, nesterov, steps, x0), the runs the learning-rate page lists
    _id(run): (run["lr"], run["momentum"], run["nesterov"], run["steps"], run["x0"]) for run in STATED["PLAYGROUND_CHECKS"]
}


@pytest.mark.claim("play-matches-pytorch")
@pytest.mark.parametrize("setting", SETTINGS.values(), ids=SETTINGS.keys())
def test_playground_table_equals_torch_optim_sgd(widget, reference, setting):
    """Over 20 steps for η = 0.125, 1 and 0.25, over 300 steps for η = 0.01 with momentum 0.9, with
    momentum 0.63 and with Nesterov momentum 0.9, and over 1000 steps for η = 0.2 from x₀ = −3, its
    table agrees at every step with the one PyTorch computes in the snippet below, to within 10⁻⁶
    relative, and is exactly zero wherever PyTorch's is."""
    lr, momentum, nesterov, steps, x0 = setting
    widget.set(lr=lr, momentum=momentum, nesterov=nesterov, steps=steps, x0=x0)
    assert widget.invalid() == [] and widget.alert().inner_text() == ""
    expected = reference["sgd_path"](lr, momentum, nesterov, steps=steps, x0=x0)
    assert reference["first_non_finite_step"](expected) is None
    assert_same_path(widget.rows(), expected)
    if lr == 0.125:  # PyTorch lands on exactly 0 after one step; so must the widget, and say so
        assert [row[1] for row in expected[1:]] == [0.0] * steps
        cells = widget.page.eval_on_selector_all(
            f"{WIDGET} table[data-role='iterates'] tbody tr", "rows => rows.map(row => row.cells[1].textContent)"
        )
        assert cells[1:] == ["0"] * steps


BAD = {  # id: (input name, bad value); the others keep GOOD values
    "lr-empty": ("lr", ""),
    "lr-not-a-number": ("lr", "abc"),
    "lr-negative": ("lr", "-0.1"),
    "lr-two-points": ("lr", "0.1.2"),
    "momentum-empty": ("momentum", ""),
    "momentum-not-a-number": ("momentum", "0.9x"),
    "momentum-negative": ("momentum", "-0.1"),
    "momentum-one": ("momentum", "1"),
    "momentum-above-one": ("momentum", "1.5"),
    "steps-empty": ("steps", " "),
    "steps-not-a-number": ("steps", "ten"),
    "steps-negative": ("steps", "-1"),
    "steps-not-whole": ("steps", "2.5"),
    "steps-above-the-limit": ("steps", f"{MAX_STEPS + 1}"),
    "x0-empty": ("x0", ""),
    "x0-not-a-number": ("x0", "Infinity"),
    "x0-above-the-limit": ("x0", f"{MAX_START + 0.5:g}"),
    "x0-below-minus-the-limit": ("x0", f"{-2 * MAX_START:g}"),
    "x0-overflows": ("x0", "1e999"),
    "nesterov-without-momentum": ("nesterov", True),
}


@pytest.mark.claim("play-rejects-bad-input")
@pytest.mark.parametrize("name, value", BAD.values(), ids=BAD.keys())
def test_playground_refuses_bad_input_with_an_alert_and_keeps_the_last_pictures_and_table(widget, name, value):
    """Input it cannot run is refused with a message: an empty field, text that is not a number, a
    negative learning rate, a momentum outside 0 ≤ m < 1, a number of steps that is negative, not
    whole or above 1000, a start beyond ±1000, or Nesterov momentum with m = 0. The field is marked
    invalid, and the pictures and the table keep the last valid run."""
    widget.set(**GOOD)
    good_rows, good_pictures = widget.rows(), widget.pictures()
    assert len(good_rows) == 21 and widget.alert().inner_text() == "" and widget.invalid() == []

    widget.set(**{name: value})
    alert = widget.alert()
    assert alert.is_visible() and len(alert.inner_text()) > 10
    assert widget.invalid() == [name]
    assert widget.page.locator(f"{WIDGET} input[name='{name}']").get_attribute("aria-invalid") == "true"
    assert widget.rows() == good_rows
    assert widget.pictures() == good_pictures
    assert widget.page.locator(f"{WIDGET} svg").count() == 2

    widget.set(**{name: GOOD[name]})  # fixing the input clears the alert and redraws
    assert widget.alert().inner_text() == "" and widget.invalid() == []
    assert widget.rows() == good_rows


def test_playground_refuses_a_start_whose_square_underflows_and_dims_the_status(widget):
    """Issue 12: a tiny start (1e-300) made the old widget draw outside its frame; now it is refused."""
    widget.set(**GOOD)
    status = widget.status()
    widget.set(x0="1e-300")
    assert widget.invalid() == ["x0"] and "float64" in widget.alert().inner_text()
    assert widget.status() == status
    faded = widget.page.eval_on_selector(f"{WIDGET} .race__charts .race-data", "g => Number(getComputedStyle(g).opacity)")
    assert faded < 1 and widget.page.get_attribute(WIDGET, "data-stale") == "true"
    widget.set(x0=GOOD["x0"])
    assert widget.invalid() == []


def test_nesterov_without_momentum_is_refused_by_pytorch_too(reference):
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum"):
        reference["sgd_path"](0.1, momentum=0.0, nesterov=True)


def test_playground_accepts_the_limits_themselves(widget, reference):
    for setting in [("0", "0.999", True, f"{MAX_STEPS}", f"{-MAX_START:g}"), ("0.001", "0", False, "0", f"{MAX_START:g}")]:
        lr, momentum, nesterov, steps, x0 = setting
        widget.set(lr=lr, momentum=momentum, nesterov=nesterov, steps=steps, x0=x0)
        assert widget.invalid() == [] and widget.alert().inner_text() == ""
        expected = reference["sgd_path"](float(lr), float(momentum), nesterov, steps=int(steps), x0=float(x0))
        assert_same_path(widget.rows(), expected)


DIVERGING = {_id(run): (run["lr"], run["momentum"], run["nesterov"]) for run in STATED["PLAYGROUND_DIVERGING"]}


@pytest.mark.claim("play-reports-divergence")
@pytest.mark.parametrize("setting", DIVERGING.values(), ids=DIVERGING.keys())
def test_playground_says_diverged_at_the_step_where_pytorch_overflows_and_draws_no_inf_or_nan(
    widget, reference, setting
):
    """A run that leaves the range of double precision is cut short rather than drawn: with η = 1 and
    1000 steps, PyTorch's loss overflows to inf at step 182, and the playground reports that the run
    diverged at step 182."""
    lr, momentum, nesterov = setting
    x0 = STATED["X0"]
    widget.set(lr=lr, momentum=momentum, nesterov=nesterov, steps=MAX_STEPS, x0=f"{x0:g}")
    expected = reference["sgd_path"](lr, momentum, nesterov, steps=MAX_STEPS, x0=x0)
    overflow = reference["first_non_finite_step"](expected)
    assert overflow == STATED["overflow_steps"][list(DIVERGING.values()).index(setting)]
    if setting == list(DIVERGING.values())[0]:  # the run the page names
        assert overflow == STATED["overflow_step"]
        assert math.isinf(expected[overflow][2]) and math.isfinite(expected[overflow - 1][2])
    assert overflow is not None
    assert widget.alert().inner_text() == "" and widget.invalid() == []
    assert f"Diverged at step {overflow}" in widget.status()
    assert widget.page.get_attribute(WIDGET, "data-diverged") == str(overflow)
    assert_same_path(widget.rows(), expected[:overflow])  # the table stops before the overflow
    markup = widget.page.eval_on_selector(WIDGET, "root => root.innerHTML")
    for word in ["Infinity", "NaN", "inf", "e308"]:
        assert word not in markup
    assert widget.page.locator(f"{WIDGET} svg polyline.race-path").count() == 2


# ---------------------------------------------------------------- the momentum variant

@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_playground_draws_the_2d_path_from_x0_10x0_as_pytorch_computes_it(
    momentum_widget, reference, nesterov
):
    visited = momentum_widget
    page = visited.page
    assert page.locator(f"{WIDGET} figure").count() == 3
    assert page.locator(f"{WIDGET} .race-contour path").count() >= 3
    visited.set(lr="0.01", momentum="0.9", nesterov=nesterov, steps="150", x0="-1.5")
    expected = reference["sgd_plane_path"](0.01, 0.9, nesterov, steps=150, x0=-1.5)
    markers = page.eval_on_selector_all(
        f"{WIDGET} svg circle[data-step]",
        "circles => circles.map(c => [Number(c.dataset.step), Number(c.dataset.x), Number(c.dataset.y)])",
    )
    markers.sort()
    assert markers[0] == [0, -1.5, -15.0]
    step, x, y = markers[-1]
    assert step == 150
    assert x == pytest.approx(expected[150][1], rel=1e-6, abs=0)
    assert y == pytest.approx(expected[150][2], rel=1e-6, abs=0)
    points = page.get_attribute(f"{WIDGET} [data-role='path-2d'] polyline", "points").split()
    assert len(points) == 151
    # The table is the 1-D run on f(x) = 4x², as on the learning-rate page.
    assert_same_path(visited.rows(), reference["sgd_path"](0.01, 0.9, nesterov, steps=150, x0=-1.5))


def test_learning_rate_playground_has_no_2d_figure(widget):
    assert widget.page.locator(f"{WIDGET} figure").count() == 2
    assert widget.page.locator(f"{WIDGET} [data-role='path-2d']").count() == 0


def test_momentum_page_holds_one_momentum_playground(visit):
    if not (SITE / "momentum" / "index.html").is_file():
        pytest.skip("the momentum chapter is not in this build")
    page = visit("momentum/").page
    assert page.locator("[data-playground]").count() == 1
    assert page.locator("[data-playground='momentum'] [data-role='path-2d']").count() == 1


# ---------------------------------------------------------------- language, accessibility, layout


def test_playground_labels_and_messages_are_chinese_when_the_page_is_chinese(visit):
    chinese = SITE / "zh" / PAGE / "index.html"
    if chinese.is_file() and "data-playground" in chinese.read_text(encoding="utf-8"):
        visited = visit("zh/" + PAGE)
    else:  # the Chinese twin has no playground yet: serve the English page as a Chinese one
        visited = visit(PAGE, rewrite={'<html lang="en"': '<html lang="zh"'})
    page = visited.page
    label = page.eval_on_selector(f"{WIDGET} input[name='lr']", "input => input.labels[0].textContent")
    assert "学习率" in label
    assert page.inner_text(f"{WIDGET} caption") == "迭代值"
    assert "步之后" in visited.status()
    visited.set(lr="abc")
    assert "不是数" in visited.alert().inner_text()


def test_every_input_is_labelled_and_the_widget_works_from_the_keyboard(widget):
    widget.set(**GOOD)
    page = widget.page
    names = page.eval_on_selector_all(
        f"{WIDGET} input[name]",
        "inputs => inputs.map(input => [input.name, input.labels.length, input.labels[0].textContent.trim()])",
    )
    assert [name for name, _, _ in names] == ["lr", "momentum", "steps", "x0", "nesterov"]
    assert all(count == 1 and len(text) >= 5 for _, count, text in names)
    sliders = page.eval_on_selector_all(f"{WIDGET} input[type='range']", "inputs => inputs.map(i => [i.dataset.slider, i.getAttribute('aria-label')])")
    assert [name for name, _ in sliders] == ["lr", "momentum", "steps"] and all(label for _, label in sliders)

    page.focus(f"{WIDGET} input[name='lr']")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.125")
    order = []
    for _ in range(7):  # each number's slider follows its field
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.name || 'slider:' + document.activeElement.dataset.slider"))
    assert order == ["slider:lr", "momentum", "slider:momentum", "steps", "slider:steps", "x0", "nesterov"]
    assert page.get_attribute(f"{WIDGET} tbody tr:nth-child(2)", "data-x") == "0"  # lr = 1/8: x1 = 0

    for _ in range(5):
        page.keyboard.press("Shift+Tab")  # back to momentum
    assert page.evaluate("document.activeElement.name") == "momentum"
    page.keyboard.press("Control+A")
    page.keyboard.type("0.5")
    for _ in range(5):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.is_checked(f"{WIDGET} input[name='nesterov']")
    # Nesterov, m = 0.5: x1 = 2 - 0.125 * (g + m * v) with g = v = 16, so -1.
    assert page.get_attribute(f"{WIDGET} tbody tr:nth-child(2)", "data-x") == "-1"
    for action in ["play", "step", "reset"]:  # the replay's buttons, then the table's scrolling region
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.action") == action
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"

    page.evaluate("window.notReloaded = true")
    page.focus(f"{WIDGET} input[name='x0']")
    page.keyboard.press("Enter")  # Enter in a field recomputes, it does not submit and reload the page
    page.wait_for_timeout(200)
    assert page.evaluate("window.notReloaded === true")
    assert page.locator(f"{WIDGET} [role='alert']").inner_text() == ""


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one, two):
    high, low = sorted([_luminance(one), _luminance(two)], reverse=True)
    return (high + 0.05) / (low + 0.05)


COLORS = """root => {
  const parse = text => { const [r, g, b, a] = text.match(/[\\d.]+/g).map(Number); return [r, g, b, a === undefined ? 1 : a]; };
  const get = (selector, property) => parse(getComputedStyle(root.querySelector(selector))[property]);
  let node = root, background = [0, 0, 0, 0];
  while (node && background[3] === 0) { background = parse(getComputedStyle(node).backgroundColor); node = node.parentElement; }
  return {
    scheme: document.body.getAttribute('data-md-color-scheme'),
    background,
    tick: get('.race-tick text', 'fill'),
    title: get('.race-axis-title text', 'fill'),
    label: get('label', 'color'),
    input: get('input[name=lr]', 'color'),
    path: get('.race-path', 'stroke'),
    curve: get('.race-curve', 'stroke'),
    alert: get('[role=alert]', 'color'),
    alertBackground: get('[role=alert]', 'backgroundColor'),
  };
}"""


@pytest.mark.parametrize("scheme, expected", [("light", "default"), ("dark", "slate")])
def test_playground_text_and_lines_contrast_with_the_background_in_both_schemes(visit, scheme, expected):
    visited = visit(PAGE, color_scheme=scheme)
    visited.set(lr="abc")  # the alert too
    colors = visited.page.eval_on_selector(WIDGET, COLORS)
    assert colors["scheme"] == expected
    background = colors["background"][:3]

    def over_background(color):  # alpha-blend a translucent color over the background
        *rgb, alpha = color
        return [alpha * c + (1 - alpha) * b for c, b in zip(rgb, background)]

    for name in ["tick", "title", "label", "input"]:
        assert _contrast(over_background(colors[name]), background) >= 4.5, name
    for name in ["path", "curve"]:
        assert _contrast(over_background(colors[name]), background) >= 3, name
    assert _contrast(over_background(colors["alert"]), over_background(colors["alertBackground"])) >= 4.5


def test_playground_fits_a_phone_width_viewport_without_horizontal_scrolling(visit):
    visited = visit(PAGE, viewport={"width": 360, "height": 740})
    page = visited.page
    page.locator(WIDGET).scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator(WIDGET).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    for index in range(2):
        svg = page.locator(f"{WIDGET} svg").nth(index).bounding_box()
        assert svg["x"] >= box["x"] and svg["x"] + svg["width"] <= box["x"] + box["width"] + 0.5
    # Tick labels stay legible: drawn at their CSS size, not scaled down with the picture.
    height = page.eval_on_selector(f"{WIDGET} .race-tick text", "text => text.getBoundingClientRect().height")
    assert height >= 10
    for name in ["lr", "momentum", "steps", "x0"]:
        field = page.locator(f"{WIDGET} input[name='{name}']").bounding_box()
        assert field["x"] >= 0 and field["x"] + field["width"] <= 360


def test_playground_mounts_once_after_following_navigation_links_and_going_back(visit):
    visited = visit("")
    page = visited.page
    page.click("nav.md-nav--primary a[href$='learning-rate/']")
    page.wait_for_url("**/learning-rate/")
    build_widgets(page)
    page.wait_for_selector(f"{WIDGET} table[data-role='iterates'] tbody tr", state="attached")
    page.click("nav.md-nav--primary a[href$='glossary/']")
    page.wait_for_url("**/glossary/")
    page.go_back()
    page.wait_for_url("**/learning-rate/")
    build_widgets(page)
    page.wait_for_selector(f"{WIDGET} table[data-role='iterates'] tbody tr", state="attached")
    assert page.locator(f"{WIDGET} form").count() == 1
    assert page.locator(f"{WIDGET} table").count() == 1
    visited.set(lr="0.125")
    assert page.get_attribute(f"{WIDGET} tbody tr:nth-child(2)", "data-x") == "0"
    assert visited.errors == []


@pytest.mark.parametrize("kind", ["learning-rate", "momentum"])
def test_playground_logs_no_console_error_and_requests_no_other_host(widget, momentum_widget, base_url, kind):
    """Runs last: the shared pages have by now been through every test above."""
    visited = widget if kind == "learning-rate" else momentum_widget
    for values in [{"lr": "0.01", "momentum": "0.9", "nesterov": True}, {"lr": "x"}, {"lr": "2", "steps": "1000"}]:
        visited.set(**values)
    visited.page.set_viewport_size({"width": 400, "height": 800})  # redraw at another width
    visited.page.wait_for_timeout(200)
    assert visited.page.locator(f"{WIDGET} svg").count() == (2 if kind == "learning-rate" else 3)
    assert visited.errors == []
    assert visited.foreign_requests(base_url) == []
