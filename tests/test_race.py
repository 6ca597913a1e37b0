"""The optimizer race against PyTorch: its engine in Node, its copied code in Python, its page in a browser.

docs/javascripts/race-engine.js does all of the race's arithmetic; the page loads it, and so does
Node here, from the same file.

(a) Node runs the engine on the grid of snippets/race/trajectories.py, whose iterates PyTorch
    computed, in the rounding of the CPU kernels PyTorch ran on, and every iterate is compared bit
    for bit: for every race with torch's square root replaced by the correctly rounded one, and for
    the optimizers that take no square root with torch as it is.
(b) "Copy as PyTorch": the code the widget shows, run with this Python, prints the widget's iterates.
(c) The widget in Debian's chromium, as tests/test_site_browser.py drives it: inputs, replay,
    dragging, the address, keyboard, lanes, fair comparison, bad input, language, phone width.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gzip
import inspect
import json
import math
import random
import struct
import subprocess
import sys
from fractions import Fraction
from urllib.parse import quote

import numpy as np
import pytest
import torch
from checks.browser import Visit, axe_violations, build_widgets
from checks.site import ROOT, SITE
from conftest import snippet_fixture

ENGINE = ROOT / "docs" / "javascripts" / "race-engine.js"
WIDGET_SCRIPT = ROOT / "docs" / "javascripts" / "race.js"
PAGE = "race/"
RACE = "[data-race]"
SQUARE_ROOT_FREE = ["sgd", "adamax", "asgd", "rprop", "adafactor", "lion"]  # as the page names them
LEFT_OUT = ["LBFGS", "Muon", "SparseAdam"]  # torch.optim's classes the race does not offer
SIZE_BUDGET = 40 * 1024  # bytes, the engine and the widget gzipped together


def rounding_of(capability: str) -> str:
    """The race's rounding that matches torch's kernels: default kernels round each step apart."""
    return "separate" if capability == "DEFAULT" else "fused"


# ---------------------------------------------------------------- the engine in Node

NODE = r"""
const engine = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { command, races } = JSON.parse(input);
  const answer = {
    run: () => races.map((race) => engine.run(race).lanes.map((lane) => lane.iterates)),
    python: () => races.map((race) => engine.python(race)),
    state: () => races.map((race) => engine.run(race).race),
    describe: () => ({
      optimizers: Object.fromEntries(Object.entries(engine.OPTIMIZERS).map(([name, o]) => [name, o.params])),
      surfaces: Object.fromEntries(Object.entries(engine.SURFACES).map(([name, s]) => [name, s.python])),
      noise: engine.NOISE_PYTHON,
      lrs: engine.STOPS.lr,
      roots: Object.keys(engine.OPTIMIZERS).filter((name) => engine.OPTIMIZERS[name].roots),
    }),
    fma: () => races.map(([a, b, c]) => engine.fma32(a, b, c)),
  }[command]();
  process.stdout.write(JSON.stringify(answer, (key, value) => (Object.is(value, -0) ? "-0" : value)));
});
"""


def node(command: str, races=None):
    """The engine's answer to `command` on `races`, with -0 kept (JSON has no -0)."""
    done = subprocess.run(
        ["node", "-e", NODE, str(ENGINE)], input=json.dumps({"command": command, "races": races}),
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def floats(iterates) -> list[float]:
    return [-0.0 if value == "-0" else float(value) for point in iterates for value in point]


def bits(iterates) -> bytes:
    """The float32 bit patterns of a list of iterates (so that 0 and -0 differ, as they do in torch)."""
    values = floats(iterates)
    return struct.pack(f"<{len(values)}f", *values)


def lane(race, rounding):
    """A grid race of the snippet as the engine's race object."""
    return {key: race[key] for key in ("surface", "start", "steps", "seed")} | {
        "rounding": rounding, "optimizers": [{"name": race["name"], "settings": race["settings"]}],
    }


grid = snippet_fixture("race/trajectories")


@pytest.fixture(scope="module")
def engine_iterates(grid):
    values = grid.values
    mode = rounding_of(values["capability"])
    return [lanes[0] for lanes in node("run", [lane(race, mode) for race in grid.namespace["races"]])]


@contextlib.contextmanager
def correctly_rounded_sqrt():
    """torch's Tensor.sqrt and sqrt_ (which torch.optim's for-loop code calls) rounded correctly."""
    def root(tensor):
        return torch.from_numpy(np.sqrt(tensor.detach().numpy().reshape(-1)).reshape(tensor.shape))

    saved = torch.Tensor.sqrt, torch.Tensor.sqrt_
    torch.Tensor.sqrt = lambda self: root(self)
    torch.Tensor.sqrt_ = lambda self: self.copy_(root(self))
    try:
        yield
    finally:
        torch.Tensor.sqrt, torch.Tensor.sqrt_ = saved


def optimizers_taking_roots(namespace) -> set[str]:
    """The optimizers whose step calls Tensor.sqrt or sqrt_ (one step each, on the saddle)."""
    calls = []
    saved = torch.Tensor.sqrt, torch.Tensor.sqrt_
    torch.Tensor.sqrt = lambda self: calls.append(1) or saved[0](self)
    torch.Tensor.sqrt_ = lambda self: calls.append(1) or saved[1](self)
    taking = set()
    try:
        for name in namespace["CLASSES"]:
            calls.clear()
            namespace["trajectory"]("saddle", [1.0, 1.0], name, {}, steps=10)  # RAdam's first: step 6
            if calls:
                taking.add(name)
    finally:
        torch.Tensor.sqrt, torch.Tensor.sqrt_ = saved
    return taking


def describe(race) -> str:
    return f"{race['name']} {race['settings']} on {race['surface']}"


@pytest.mark.claim("race-matches-torch")
def test_engine_reproduces_torch_iterates_bit_for_bit(grid, engine_iterates):
    """The race reproduces PyTorch's iterates: with PyTorch's square root replaced by the correctly
    rounded one, every iterate of every race is equal to PyTorch's, bit for bit, on AVX-512, AVX2
    and default kernels alike; SGD, Adamax, ASGD, Rprop, Adafactor and Lion take no square root, and
    for them the race equals PyTorch as it is."""
    races = grid.namespace["races"]
    namespace = grid.namespace
    taking = optimizers_taking_roots(namespace)
    assert set(namespace["CLASSES"]) - taking == set(SQUARE_ROOT_FREE)
    assert set(node("describe")["roots"]) == taking  # copy-as-PyTorch fixes the root for these
    for race, ours in zip(races, engine_iterates):
        if race["name"] in SQUARE_ROOT_FREE:
            assert bits(ours) == bits(race["iterates"]), describe(race)
    with correctly_rounded_sqrt():
        for race, ours in zip(races, engine_iterates):
            theirs = namespace["trajectory"](race["surface"], race["start"], race["name"], race["settings"])
            assert bits(ours) == bits(theirs), describe(race)


def test_grid_runs_every_optimizer_on_every_surface_and_changes_every_option_the_race_offers(grid):
    """The grid covers what the race offers: each optimizer on each surface, each option changed."""
    values = grid.values
    offered = node("describe")["optimizers"]
    races = grid.namespace["races"]
    assert {race["name"] for race in races} == set(offered)
    assert {(race["name"], race["surface"]) for race in races} == {(n, s) for n in offered for s in grid.namespace["SURFACES"]}
    assert min(len(race["iterates"]) for race in races if len(race["iterates"]) > values["STEPS"]) == values["STEPS"] + 1
    for name, params in offered.items():
        changed = {key for race in races if race["name"] == name for key, v in race["settings"].items()}
        assert changed == {param["key"] for param in params}, name


def test_race_defaults_are_torchs(grid):
    """Every option starts at the default of torch's signature (lion-pytorch's for Lion)."""
    import lion_pytorch  # a test dependency (requirements.txt), not the snippet's

    offered = node("describe")["optimizers"]
    defaults = grid.values["defaults"]
    for name, params in offered.items():
        ours = {param["key"]: param["default"] for param in params}
        assert ours == {key: defaults[name][key] for key in ours}, name
        # Adam's decoupled_weight_decay=True is AdamW, a lane of its own
        assert set(defaults[name]) - set(ours) == ({"decoupled_weight_decay"} if name == "adam" else set()), name
    lion = {k: p.default for k, p in inspect.signature(lion_pytorch.Lion).parameters.items()}
    assert (lion["lr"], lion["betas"], lion["weight_decay"]) == (defaults["lion"]["lr"], (defaults["lion"]["beta1"], defaults["lion"]["beta2"]), defaults["lion"]["weight_decay"])


def test_snippet_lion_is_lion_pytorch_bit_for_bit(grid):
    """The snippet's Lion (a snippet imports only torch) steps exactly as lion_pytorch.Lion does."""
    import lion_pytorch

    namespace = grid.namespace
    for settings in [{}, {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1}]:
        paths = []
        for make in (namespace["Lion"], lion_pytorch.Lion):
            p = torch.tensor([-1.5, 2.5])
            optimizer = make([p], **settings)
            for _ in range(50):
                p.grad = namespace["rosenbrock"](p)
                optimizer.step()
            paths.append(p.tolist())
        assert paths[0] == paths[1]


def function_body(function) -> list[str]:
    """A function's lines after its def and docstring, dedented."""
    lines = inspect.getsource(function).splitlines()[1:]
    body = [line[4:] for line in lines if line.strip()]
    return body[1:] if body[0].startswith('"""') else body


def test_copied_gradients_and_noise_are_the_snippets_code(grid):
    """The gradient formulas and the noise generator that "copy as PyTorch" prints are the snippet's, line for line."""
    described = node("describe")
    namespace = grid.namespace
    for name, function in namespace["SURFACES"].items():
        assert described["surfaces"][name] == function_body(function), name
    source = (ROOT / "snippets" / "race" / "trajectories.py").read_text(encoding="utf-8")
    [noise] = [node for node in ast.parse(source).body if isinstance(node, ast.ClassDef) and node.name == "Noise"]
    assert described["noise"] == ast.get_source_segment(source, noise).split("\n")


def test_noise_is_the_snippets_sequence(grid):
    """The engine's generator draws the snippet's numbers, each exact in float32."""
    script = "const E = require(process.argv[1]); const n = E.Noise(7); console.log(JSON.stringify(Array.from({length: 1000}, () => n.uniform())))"
    ours = json.loads(subprocess.run(["node", "-e", script, str(ENGINE)], capture_output=True, text=True, check=True).stdout)
    noise = grid.namespace["Noise"](7)
    theirs = [noise.uniform() for _ in range(1000)]
    assert ours == theirs
    assert all(float(np.float32(value)) == value and -1 <= value < 1 for value in theirs)


def float32_round(exact: Fraction) -> float:
    """The float32 nearest to an exact rational (ties to even), by exact comparison of neighbours."""
    guess = np.float32(float(exact))
    candidates = [guess, np.nextafter(guess, np.float32(np.inf)), np.nextafter(guess, np.float32(-np.inf))]
    finite = [c for c in candidates if np.isfinite(c)]
    return float(min(finite, key=lambda c: (abs(Fraction(float(c)) - exact), int(np.array(c).view(np.uint32)) & 1)))


def test_fused_multiply_add_rounds_once():
    """The engine's float32 fma equals a·b + c rounded once, on random and on halfway cases."""
    rng = random.Random(0)
    f32 = lambda v: float(np.float32(v))  # noqa: E731
    cases = []
    for _ in range(3000):
        scale = 2.0 ** rng.randint(-140, 60)
        cases.append([f32(rng.uniform(-2, 2) * scale), f32(rng.uniform(-2, 2)), f32(rng.uniform(-2, 2) * scale)])
    for _ in range(1000):  # a + b·c exactly halfway between two float32s, nudged by the product's last bits
        a = f32(rng.uniform(1, 2))
        b = f32(1 + rng.randint(1, 2**10) * 2.0**-23)
        c = f32(2.0**-24 * (1 + rng.randint(0, 3) * 2.0**-23))
        cases.append([b, c, a])
    ours = node("fma", cases)
    for (a, b, c), got in zip(cases, ours):
        assert float(got) == float32_round(Fraction(a) * Fraction(b) + Fraction(c)), (a, b, c)


@pytest.mark.claim("race-sqrt-within-one-ulp")
def test_torch_sqrt_is_within_one_ulp_of_the_correctly_rounded_root(grid):
    """In this build, a share of float32 square roots spread over the whole range differ from the
    correctly rounded root, none by more than one unit in the last place."""
    values = grid.values
    assert values["sqrt_max_ulps"] <= 1
    assert 0 <= values["sqrt_off_share"] < 1


@pytest.mark.claim("race-covers-torch-optim")
def test_race_offers_every_torch_optimizer_but_three():
    """Of torch.optim's classes, only three are left out: LBFGS, which searches along a line, Muon,
    which works on matrices, and SparseAdam, which takes sparse gradients only."""
    classes = {name.lower(): name for name, value in vars(torch.optim).items()
               if isinstance(value, type) and issubclass(value, torch.optim.Optimizer) and value is not torch.optim.Optimizer}
    offered = set(node("describe")["optimizers"]) - {"lion"}
    assert offered <= set(classes)
    assert sorted(classes[name] for name in set(classes) - offered) == LEFT_OUT
    assert "line_search_fn" in inspect.signature(torch.optim.LBFGS).parameters
    vector = torch.zeros(2, requires_grad=True)
    vector.grad = torch.ones(2)
    with pytest.raises(ValueError, match="2D"):
        torch.optim.Muon([vector])
    with pytest.raises(RuntimeError, match="dense gradients"):
        torch.optim.SparseAdam([vector]).step()


def test_a_float32_root_taken_in_float64_is_correctly_rounded():
    """What copy-as-PyTorch's two lines rely on, on numbers spread over all of float32, subnormals included."""
    generator = torch.Generator().manual_seed(1)
    mantissas = 1 + torch.rand(200_000, generator=generator, dtype=torch.float64)
    samples = (mantissas * 2.0 ** torch.randint(-149, 127, (200_000,), generator=generator).double()).float()
    samples = samples[samples > 0]
    exact = torch.from_numpy(np.sqrt(samples.numpy()))
    assert torch.equal(torch.sqrt(samples.double()).float(), exact)


def test_engine_and_widget_fit_the_size_budget():
    """race-engine.js and race.js weigh at most 40 KB gzipped together."""
    size = sum(len(gzip.compress(path.read_bytes(), 9)) for path in (ENGINE, WIDGET_SCRIPT))
    assert size <= SIZE_BUDGET, size


# ---------------------------------------------------------------- copy as PyTorch

def run_python(code: str) -> dict[int, list[list[float]]]:
    """What the code prints, as {optimizer index: [[x, y], ...]} in step order."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    printed: dict[int, list[list[float]]] = {}
    for line in done.stdout.splitlines():
        index, step, *point = line.split()
        assert int(step) == len(printed.setdefault(int(index), []))
        printed[int(index)].append([float(value) for value in point])
    return printed


def test_copied_code_of_every_grid_race_prints_the_engines_iterates(grid, engine_iterates):
    """The code "copy as PyTorch" gives for the grid's races (four optimizers a race) prints the
    engine's iterates: one process runs them all, each in a fresh namespace."""
    values = grid.values
    mode = rounding_of(values["capability"])
    by_surface = {}
    for race, ours in zip(grid.namespace["races"], engine_iterates):
        by_surface.setdefault(race["surface"], []).append((race, ours))
    races, expected = [], []
    for surface, items in by_surface.items():
        for i in range(0, len(items), 4):
            chunk = items[i : i + 4]
            first = chunk[0][0]
            races.append({"surface": surface, "start": first["start"], "steps": first["steps"], "seed": first["seed"],
                          "rounding": mode, "optimizers": [{"name": r["name"], "settings": r["settings"]} for r, _ in chunk]})
            expected.append([[[float(v) for v in point] for point in ours] for _, ours in chunk])
    codes = node("python", races)
    runner = "import io, contextlib, json, sys\nout = []\nfor code in json.load(sys.stdin):\n    buffer = io.StringIO()\n    with contextlib.redirect_stdout(buffer):\n        exec(compile(code, 'race', 'exec'), {'__name__': '__main__'})\n    out.append(buffer.getvalue())\nprint(json.dumps(out))"
    done = subprocess.run([sys.executable, "-c", runner], input=json.dumps(codes), capture_output=True, text=True, check=True)
    for printed, lanes, race in zip(json.loads(done.stdout), expected, races):
        got = {}
        for line in printed.splitlines():
            index, step, *point = line.split()
            got.setdefault(int(index), []).append([float(value) for value in point])
        assert [got.get(i) for i in range(len(lanes))] == lanes, race


# ---------------------------------------------------------------- the page in a browser

def faded(page) -> bool:
    """The drawing of the last valid race is dimmed (its text keeps its contrast)."""
    return page.eval_on_selector(f"{RACE} .race__charts .race-data", "g => Number(getComputedStyle(g).opacity)") < 1


class RaceVisit(Visit):
    """A visit that waits for the race's first run, and reads it through its contract."""

    def __init__(self, browser, url, **options):
        super().__init__(browser, url, **options)
        if self.page.locator(RACE).count():
            build_widgets(self.page)
            self.page.wait_for_selector(f"{RACE}[data-iterates]", state="attached")

    def state(self):
        return json.loads(self.page.get_attribute(RACE, "data-state"))

    def iterates(self):
        return json.loads(self.page.get_attribute(RACE, "data-iterates"))

    def lane(self, index):
        return self.page.locator(f"{RACE} .race__lane[data-lane='{index}']")

    def field(self, name, lane=None):
        scope = f"{RACE} .race__lane[data-lane='{lane}']" if lane is not None else f"{RACE} .race__course"
        return self.page.locator(f"{scope} [name='{name}']")

    def set(self, name, value, lane=None):
        field = self.field(name, lane)
        if lane is not None:
            self.page.evaluate("root => root.querySelectorAll('details').forEach(d => d.open = true)", self.page.query_selector(RACE))
        tag = field.evaluate("element => element.tagName + ':' + element.type")
        if tag == "SELECT:select-one":
            field.select_option(value)
        elif tag == "INPUT:checkbox":
            field.set_checked(value)
        else:
            field.fill(str(value))

    def alert(self):
        return self.page.inner_text(f"{RACE} [role='alert']")

    def invalid(self):
        return self.page.eval_on_selector_all(f"{RACE} [aria-invalid='true']", "fields => fields.map(f => f.name)")


@pytest.fixture
def race_page(visit):
    """Opens the race page (with a ?race= address, a rewrite of its HTML, ...) as a RaceVisit."""
    return functools.partial(visit, kind=RaceVisit)


def address(race) -> str:
    return f"{PAGE}?race={quote(json.dumps(race))}"


COPY_RACES = [  # every optimizer once, four to a race
    {"surface": "rosenbrock", "steps": 200, "optimizers": [
        {"name": "sgd", "settings": {"lr": 1e-3, "momentum": 0.9, "nesterov": True}},
        {"name": "adagrad", "settings": {"lr": 0.5, "lr_decay": 0.01}},
        {"name": "rmsprop", "settings": {"lr": 0.01, "centered": True, "momentum": 0.5}},
        {"name": "adadelta", "settings": {"lr": 1}}]},
    {"surface": "noisy", "steps": 250, "seed": 3, "optimizers": [
        {"name": "adam", "settings": {"lr": 0.05, "amsgrad": True}},
        {"name": "adamw", "settings": {"lr": 0.05, "weight_decay": 0.1}},
        {"name": "adamax", "settings": {"lr": 0.1, "beta1": 0.3}}]},
    {"surface": "beale", "steps": 200, "fair": True, "optimizers": [
        {"name": "nadam", "settings": {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.01}},
        {"name": "radam", "settings": {"lr": 0.05, "maximize": False}},
        {"name": "asgd", "settings": {"lr": 0.01, "t0": 20}}]},
    {"surface": "saddle", "steps": 200, "optimizers": [
        {"name": "rprop", "settings": {"lr": 0.01, "etaminus": 0.3}},
        {"name": "adafactor", "settings": {"lr": 0.1, "d": 2}},
        {"name": "lion", "settings": {"lr": 0.01, "beta1": 0.5}}]},
]


@pytest.mark.browser
@pytest.mark.claim("race-copy-matches")
@pytest.mark.parametrize("race", COPY_RACES, ids=["rosenbrock", "noisy", "beale-fair", "saddle"])
def test_copy_as_pytorch_prints_the_races_iterates(race_page, race):
    """"Copy as PyTorch" prints the same numbers: run with this handbook's Python, the code it gives
    prints every optimizer's iterates, and they are the race's, bit for bit. When an optimizer of the
    race takes a square root, the code begins with two lines, which say why, that make torch's float32
    square root the correctly rounded one (a root taken in float64 and rounded to float32 is)."""
    race = race | {"rounding": rounding_of(torch.backends.cpu.get_cpu_capability())}
    visited = race_page(address(race))
    page = visited.page
    page.click(f"{RACE} [data-race-copy]")
    page.wait_for_selector(f"{RACE} pre[data-race-code]:not([hidden])")
    code = page.inner_text(f"{RACE} pre[data-race-code]")
    shown = visited.iterates()
    assert len(shown) == len(race["optimizers"])
    takes_root = {"adagrad", "rmsprop", "adadelta", "adam", "adamw", "nadam", "radam"} & {lane["name"] for lane in race["optimizers"]}
    assert ("torch.Tensor.sqrt = " in code) == bool(takes_root)
    printed = run_python(code)
    assert [printed[i] for i in range(len(shown))] == [[[float(v) for v in point] for point in lane] for lane in shown]
    assert visited.state()["rounding"] == race["rounding"]
    assert visited.errors == []


@pytest.mark.browser
@pytest.mark.claim("race-address-reproduces")
def test_the_address_holds_the_whole_race(race_page):
    """Any change writes the whole race into the page's address, so a link to it reproduces the race."""
    visited = race_page(PAGE)
    assert "race=" not in visited.page.url  # an untouched race leaves the address alone
    visited.set("surface", "himmelblau")
    visited.set("x0", "-1")
    visited.set("optimizer", "nadam", lane=1)
    visited.set("momentum_decay", "0.01", lane=1)
    visited.set("rounding", "separate")
    state, iterates = visited.state(), visited.iterates()
    url = visited.page.url
    assert "race=" in url
    again = race_page(url.split("/", 3)[3])
    assert again.state() == state
    assert again.iterates() == iterates
    assert again.field("x0").input_value() == "-1"
    assert again.field("momentum_decay", lane=1).input_value() == "0.01"


@pytest.mark.browser
def test_a_link_with_a_broken_race_falls_back_to_the_preset(race_page):
    visited = race_page(PAGE + "?race=%7Bnot-json")
    assert visited.state()["surface"] == "rosenbrock" and visited.errors == []


@pytest.mark.browser
@pytest.mark.claim("race-fair-comparison")
def test_fair_comparison_tunes_every_lr_on_the_same_grid_and_says_so(race_page):
    """Fair comparison tunes each optimizer's learning rate over the same grid of values and the same
    number of steps, takes for each the one that ends with the lowest loss, and says so under the race."""
    visited = race_page(PAGE)
    visited.set("fair", True)
    state = visited.state()
    assert state["fair"] is True
    grid_lrs = node("describe")["lrs"]
    note = visited.page.inner_text(f"{RACE} .race__note")
    assert str(len(grid_lrs)) in note and str(state["steps"]) in note
    for index, lane_state in enumerate(state["optimizers"]):
        assert lane_state["settings"]["lr"] in grid_lrs
        assert visited.field("lr", lane=index).is_disabled()
        # every other lr of the grid ends no lower after the same steps
        trials = [state | {"fair": False, "optimizers": [lane_state | {"settings": lane_state["settings"] | {"lr": lr}}]} for lr in grid_lrs]
        finals = node("run", trials)
        losses = [loss_of(state["surface"], lanes[0][-1]) if len(lanes[0]) == state["steps"] + 1 else math.inf for lanes in finals]
        assert loss_of(state["surface"], visited.iterates()[index][-1]) == min(losses)
    visited.set("fair", False)
    assert visited.state()["fair"] is False and not visited.field("lr", lane=0).is_disabled()


def loss_of(surface, point):
    x, y = (float(v) for v in point)
    return {
        "rosenbrock": (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        "quadratic": 4 * x * x + 0.04 * y * y,
        "himmelblau": (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    }[surface]


BAD = {  # id: (field, lane or None, value, what the message must name)
    "lr-empty": ("lr", 0, "", None),
    "lr-letters": ("lr", 0, "fast", "fast"),
    "lr-negative": ("lr", 0, "-0.1", None),
    "lr-above-the-range": ("lr", 0, "11", None),
    "lr-nan": ("lr", 0, "NaN", "NaN"),
    "lr-infinity": ("lr", 0, "Infinity", "Infinity"),
    "lr-overflows-float32": ("lr", 0, "1e39", "float32"),
    "lr-underflows-float32": ("lr", 0, "1e-40", "float32"),
    "beta-one": ("beta1", 1, "1", None),
    "start-underflows": ("x0", None, "1e-300", "float32"),
    "start-overflows": ("y0", None, "1e999", "float32"),
    "start-out-of-reach": ("x0", None, "5000", None),
    "steps-not-whole": ("steps", None, "2.5", None),
    "steps-too-many": ("steps", None, "1001", None),
    "nesterov-without-momentum": ("nesterov", 0, True, "Nesterov"),
}


@pytest.fixture(scope="module")
def shared_race(browser, base_url):
    """One visit to the race page, for the tests that only set inputs and read the race."""
    visited = RaceVisit(browser, base_url + PAGE)
    yield visited
    visited.context.close()


@pytest.mark.browser
@pytest.mark.claim("race-rejects-bad-input")
@pytest.mark.parametrize("name, lane_index, value, named", BAD.values(), ids=BAD.keys())
def test_bad_input_is_refused_and_the_last_race_stays_dimmed(shared_race, name, lane_index, value, named):
    """Input it cannot run is refused with a message in the field's words: an empty field, text that is
    not a number, a value outside the range PyTorch or the race accepts, and a number that float32
    cannot hold (a start so small that its square underflows, say). The last valid race stays on
    screen, dimmed."""
    visited = shared_race
    if name == "nesterov":
        visited.set("optimizer", "sgd", lane=0)
        visited.set("momentum", "0", lane=0)
    good_field = visited.field(name, lane_index)
    good = good_field.is_checked() if value is True else good_field.input_value()
    state, iterates = visited.state(), visited.iterates()
    pictures = visited.page.inner_html(f"{RACE} .race__charts")
    visited.set(name, value, lane_index)
    alert = visited.alert()
    assert len(alert) > 20 and (named is None or named in alert)
    assert visited.invalid() == [name]
    assert visited.page.get_attribute(RACE, "data-stale") == "true"
    assert faded(visited.page)
    assert visited.state() == state and visited.iterates() == iterates
    assert visited.page.inner_html(f"{RACE} .race__charts") == pictures
    visited.set(name, good, lane_index)
    assert visited.alert() == "" and visited.invalid() == []
    assert visited.page.get_attribute(RACE, "data-stale") is None


@pytest.mark.browser
def test_each_number_has_a_typed_field_and_a_slider_that_agree(shared_race):
    visited = shared_race
    page = visited.page
    visited.set("optimizer", "adam", lane=0)
    visited.set("lr", "0.1", lane=0)
    slider = visited.lane(0).locator("[data-slider='lr']")
    assert slider.get_attribute("aria-valuetext") == "0.1"
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert visited.field("lr", lane=0).input_value() == "0.2"
    assert visited.state()["optimizers"][0]["settings"]["lr"] == 0.2
    for lane_box in page.query_selector_all(f"{RACE} .race__lane"):
        for field in lane_box.query_selector_all("input[type='text']"):
            name = field.get_attribute("name")
            assert lane_box.query_selector(f"[data-slider='{name}']"), name
            assert field.evaluate("f => f.labels.length") == 1


@pytest.mark.browser
def test_play_pause_step_and_reset_replay_the_race(race_page):
    visited = race_page(PAGE)
    page = visited.page
    steps = visited.state()["steps"]
    cursor = lambda: page.inner_text(f"{RACE} [data-role='cursor']")  # noqa: E731
    points = lambda: len(page.get_attribute(f"{RACE} [data-role='path-2d'] polyline", "points").split())  # noqa: E731
    assert points() == steps + 1
    page.click(f"{RACE} [data-action='reset']")
    assert points() == 1 and cursor().startswith("Step 0 ")
    page.click(f"{RACE} [data-action='step']")
    page.click(f"{RACE} [data-action='step']")
    assert points() == 3
    page.click(f"{RACE} [data-action='play']")
    page.wait_for_timeout(300)
    page.click(f"{RACE} [data-action='pause']")
    paused = points()
    assert 3 < paused <= steps + 1
    page.wait_for_timeout(300)
    assert points() == paused
    page.click(f"{RACE} [data-action='play']")
    page.wait_for_function(f"() => document.querySelector(\"{RACE} [data-role='cursor']\").textContent.startsWith('Step {steps} ')", timeout=15000)
    assert points() == steps + 1 and page.inner_text(f"{RACE} [data-action='play']") == "Play"
    assert visited.errors == []


@pytest.mark.browser
def test_dragging_the_start_or_moving_it_with_the_keyboard_reruns_the_race(race_page):
    visited = race_page(PAGE)
    page = visited.page
    plot = page.locator(f"{RACE} .race__plot svg").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.up()
    start = visited.state()["start"]
    assert start[0] > 0 and start == [float(visited.field("x0").input_value()), float(visited.field("y0").input_value())]
    assert visited.iterates()[0][0] == [float(np.float32(v)) for v in start]
    page.focus(f"{RACE} .race__plot")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    moved = visited.state()["start"]
    assert moved[0] < start[0] and moved[1] > start[1]


@pytest.mark.browser
def test_up_to_four_optimizers_race_side_by_side(race_page):
    visited = race_page(PAGE)
    page = visited.page
    assert page.locator(f"{RACE} .race__lane").count() == 4
    assert page.is_disabled(f"{RACE} [data-action='add']")
    page.click(f"{RACE} .race__lane[data-lane='1'] .race__remove")
    assert page.locator(f"{RACE} .race__lane").count() == 3 and len(visited.iterates()) == 3
    page.click(f"{RACE} [data-action='add']")
    assert len(visited.state()["optimizers"]) == 4
    assert page.evaluate("document.activeElement.name") == "optimizer"
    assert page.locator(f"{RACE} [data-role='path-2d']").count() == 4
    assert page.locator(f"{RACE} .race__results tbody tr").count() == 4


@pytest.mark.browser
def test_the_race_works_from_the_keyboard(race_page):
    visited = race_page(PAGE)
    page = visited.page
    page.focus(f"{RACE} [name='surface']")
    seen = []
    for _ in range(200):
        page.keyboard.press("Tab")
        here = page.evaluate("() => { const e = document.activeElement; return e.closest('[data-race]') ? (e.name || e.dataset.action || e.dataset.slider && 'slider' || e.getAttribute('role') || e.tagName) : null; }")
        if here is None:
            break
        seen.append(here)
    for expected in ["x0", "y0", "steps", "slider", "rounding", "fair", "optimizer", "remove", "lr", "SUMMARY", "play", "step", "reset", "group", "region"]:
        assert expected in seen, expected
    page.evaluate("window.notReloaded = true")
    page.focus(f"{RACE} [name='x0']")
    page.keyboard.press("Control+A")
    page.keyboard.type("-1.2")
    page.keyboard.press("Enter")
    assert page.evaluate("window.notReloaded === true") and visited.state()["start"][0] == -1.2
    page.focus(f"{RACE} [data-action='step']")
    page.keyboard.press("Enter")
    assert page.inner_text(f"{RACE} [data-role='cursor']").startswith("Step 0 ")
    page.focus(f"{RACE} [data-race-copy]")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{RACE} pre[data-race-code]:not([hidden])")
    assert axe_violations(page) == []


@pytest.mark.browser
def test_an_optimizer_page_embed_is_one_line(race_page):
    """<div data-race="adam"></div> puts the race preset to Adam on a page (here, the race page's HTML rewritten)."""
    visited = race_page(PAGE, rewrite={'<div data-race="race">': '<div data-race="adam">'})
    state = visited.state()
    assert [lane["name"] for lane in state["optimizers"]][0] == "adam"
    assert visited.errors == []


@pytest.mark.browser
def test_the_race_speaks_chinese_on_the_chinese_page(race_page):
    if not (SITE / "zh" / PAGE / "index.html").is_file():
        pytest.skip("the Chinese site is not in this build")
    visited = race_page("zh/" + PAGE)
    page = visited.page
    assert "学习率" in page.eval_on_selector(f"{RACE} .race__lane [name='lr']", "input => input.labels[0].textContent")
    visited.set("lr", "abc", lane=0)
    assert "不是数" in visited.alert()
    visited.set("x0", "1e-300")
    assert "下溢" in visited.alert()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_race_fits_a_phone_and_stays_axe_clean_with_its_messages_and_code_open(race_page, base_url, scheme):
    visited = race_page(PAGE, viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = visited.page
    page.evaluate("document.querySelectorAll('[data-race] details').forEach(d => d.open = true)")
    page.click(f"{RACE} [data-race-copy]")
    visited.set("lr", "x", lane=0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(RACE).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert axe_violations(page) == []
    assert visited.foreign_requests(base_url) == []
    assert visited.errors == []


@pytest.mark.browser
def test_only_pages_with_a_race_or_a_playground_load_it(site):
    for path in ["race/index.html", "learning-rate/index.html", "momentum/index.html"]:
        assert "javascripts/race.js" in (site / path).read_text(encoding="utf-8"), path
    for path in ["index.html", "schedulers/index.html", "glossary/index.html"]:
        text = (site / path).read_text(encoding="utf-8")
        assert "race.js" not in text and "race.css" not in text, path


@pytest.mark.browser
def test_a_race_is_built_when_the_reader_nears_it_and_at_once_when_in_view(visit):
    """On a phone, the race far down /optimizers/adam/ is not built at load (building it was the
    page's longest task); it is built when scrolled within a screen of it. The race page's own
    race, in view at load, is built at once; its charts, drawn a task later, arrive in the space
    held for them, so nothing on the page moves."""
    phone = {"width": 390, "height": 844}
    page = visit("optimizers/adam/", viewport=phone).page
    page.wait_for_timeout(300)
    assert page.get_attribute(RACE, "data-race-built") is None and page.locator(f"{RACE} form").count() == 0
    page.locator(RACE).scroll_into_view_if_needed()
    page.wait_for_selector(f"{RACE}[data-race-ready]", state="attached")
    visited = visit(PAGE, viewport=phone)
    page = visited.page
    assert page.get_attribute(RACE, "data-race-built") == "true" and page.locator(f"{RACE} form").count() == 1
    page.wait_for_selector(f"{RACE}[data-race-ready]", state="attached")
    assert page.locator(f"{RACE} .race__plot svg").count() == 2
    assert visited.layout_shift() == 0  # without the held space: 0.0008, the text below the charts moving
