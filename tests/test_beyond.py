"""The claims of docs/optimizers/beyond/*.md: four optimizers outside torch.optim, each written
from scratch in snippets/beyond/optimizers.py and checked against the package its page names.

The tests import the reference packages (requirements.txt pins them); the snippet does not.
"""

import ast
import inspect
import math
import re
import warnings

import adopt as adopt_package  # torch-adopt, by ADOPT's first author
import lion_pytorch
import pytest
import pytorch_optimizer
import schedulefree
import torch
from conftest import snippet_fixture

PRECISIONS = {"float64": torch.float64, "float32": torch.float32}


def reference(key, foreach=None):
    """The reference package's class for optimizer `key`, as a function of (params, **options)."""
    if key == "sf":

        def schedule_free(params, **options):
            optimizer = schedulefree.AdamWScheduleFree(
                params, **options, **({} if foreach is None else {"foreach": foreach})
            )
            optimizer.train()
            return optimizer

        return schedule_free
    return {"lion": lion_pytorch.Lion, "soap": pytorch_optimizer.SOAP, "adopt": adopt_package.ADOPT}[key]


beyond = snippet_fixture("beyond/optimizers")


@pytest.fixture(autouse=True)
def _quiet_references():
    with warnings.catch_warnings():  # torch-adopt calls torch._utils.is_compiling, deprecated in torch 2.13
        warnings.filterwarnings("ignore", message=".*is_compiling.*", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*graph_capture_health_check.*", category=DeprecationWarning)
        yield


def keyword_defaults(function):
    return {
        name: parameter.default
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


# ---------------------------------------------------------------- equal to the reference


MATCHES = [
    pytest.param("lion", marks=pytest.mark.claim("lion-matches-reference"), id="lion"),
    pytest.param("sf", marks=pytest.mark.claim("sf-matches-reference"), id="sf"),
    pytest.param("soap", marks=pytest.mark.claim("soap-matches-reference"), id="soap"),
    pytest.param("adopt", marks=pytest.mark.claim("adopt-matches-reference"), id="adopt"),
]


@pytest.mark.parametrize("key", MATCHES)
def test_matches_reference(beyond, key):
    """In every setting, over STEPS steps of least squares in mini-batches, the from-scratch iterates
    agree with the reference package's to within TOLERANCES[key], in float64 and in float32 (for
    Schedule-Free both y and the evaluated x, with the package's foreach and for-loop paths)."""
    ns = beyond.namespace
    settings, tolerances = ns["SETTINGS"][key], ns["TOLERANCES"][key]
    assert ns["STEPS"] >= 20 and len(settings) >= 4
    # The pages name each setting by its label: each "name=value" in it, and each bare option name
    # ("decouple"), is what runs.
    assert settings["defaults"] == {}
    for label, options in settings.items():
        for part in re.split(r",\s*(?=\w+(?:=|$))", label):
            if "=" in part:
                name, value = part.split("=", 1)
                assert options[name] == ast.literal_eval(value), label
            elif part in options:
                assert options[part] is True, label
    # The "defaults" setting means the same thing on both sides.
    scratch_defaults = keyword_defaults(ns["RULES"][key])
    package_class = {"sf": schedulefree.AdamWScheduleFree}.get(key, reference(key))
    package_defaults = keyword_defaults(package_class)
    for name, value in scratch_defaults.items():
        if callable(value):  # ADOPT's clip: t ** 0.25
            assert value(16.0) == package_defaults[name](16.0) == 2.0
        else:
            assert package_defaults[name] == value, name
    builds = [reference(key)] + ([reference(key, foreach=False)] if key == "sf" else [])
    for precision, dtype in PRECISIONS.items():
        runs = {}
        for setting, options in settings.items():
            scratch = ns["descend"](lambda ps: ns["make"](key, ps, **options), dtype=dtype)
            for build in builds:
                package = ns["descend"](lambda ps: build(ps, **options), dtype=dtype)
                if key == "sf":  # (y, x): where the gradient is taken, and what eval() evaluates
                    assert ns["max_difference"](scratch[0], package[0]) <= tolerances[precision], (precision, setting)
                    assert ns["max_difference"](scratch[1], package[1]) <= tolerances[precision], (precision, setting)
                else:
                    assert ns["max_difference"](scratch, package) <= tolerances[precision], (precision, setting)
            runs[setting] = package[1] if key == "sf" else package
        # every setting takes its own path: none is a duplicate of another
        names = list(runs)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                assert ns["max_difference"](runs[first], runs[second]) > 1e-4, (first, second)
    if key == "soap":  # until the first refresh of the eigenbases, float64 agrees to rounding
        frequency = keyword_defaults(ns["soap"])["precondition_frequency"]
        scratch = ns["descend"](lambda ps: ns["make"]("soap", ps), steps=frequency - 1)
        package = ns["descend"](lambda ps: pytorch_optimizer.SOAP(ps), steps=frequency - 1)
        assert ns["max_difference"](scratch, package) <= tolerances["float64_before_refresh"]


@pytest.mark.claim("soap-float32-qr")
def test_float32_qr_explains_soap_float64_tolerance(beyond):
    """pytorch-optimizer's SOAP computes its QR in float32: with the same cast, the from-scratch
    float64 iterates agree with it to within TOLERANCES[soap][float64_qr_in_float32], past every
    refresh (and without the cast they do not)."""
    ns = beyond.namespace
    original = ns["refreshed"]

    def refreshed_in_float32(factor, basis):
        order = torch.argsort(torch.diag(basis.T @ factor @ basis), descending=True)
        return torch.linalg.qr((factor @ basis[:, order]).float()).Q.to(factor.dtype), order

    options = ns["SETTINGS"]["soap"]["precondition_frequency=3"]
    package = ns["descend"](lambda ps: pytorch_optimizer.SOAP(ps, **options))
    try:
        ns["refreshed"] = refreshed_in_float32
        cast = ns["descend"](lambda ps: ns["make"]("soap", ps, **options))
    finally:
        ns["refreshed"] = original
    exact = ns["descend"](lambda ps: ns["make"]("soap", ps, **options))
    tolerance = ns["TOLERANCES"]["soap"]["float64_qr_in_float32"]
    assert ns["max_difference"](cast, package) <= tolerance < ns["max_difference"](exact, package)


# ---------------------------------------------------------------- state per parameter element


STATE = [
    pytest.param("lion", 4, marks=pytest.mark.claim("lion-state-bytes"), id="lion"),
    pytest.param("sf", 8, marks=pytest.mark.claim("sf-state-bytes"), id="sf"),
    pytest.param("soap", 28, marks=pytest.mark.claim("soap-state-bytes"), id="soap"),
    pytest.param("adopt", 8, marks=pytest.mark.claim("adopt-state-bytes"), id="adopt"),
]


@pytest.mark.parametrize("key, expected", STATE)
def test_state_bytes(beyond, key, expected):
    """On a float32 64 x 32 parameter the optimizer keeps `expected` bytes of state per element,
    from scratch and in its reference package alike; AdamW keeps 8."""
    ns = beyond.namespace
    recorded = beyond.values["bytes_per_element"]
    assert recorded[key] == expected == ns["state_bytes"](reference(key))
    assert recorded["adamw"] == 8
    if key == "soap":  # m and v (8) plus L, R, Q_L, Q_R: 2 (64^2 + 32^2) float32 numbers per 2048
        assert expected == 8 + 2 * (64**2 + 32**2) * 4 / (64 * 32)


# ---------------------------------------------------------------- Lion


@pytest.mark.claim("lion-lr-sweep")
def test_lion_best_lr_is_a_third_of_adamws(beyond):
    """In the digits sweep Lion's best lr is between 3 and 10 times smaller than AdamW's, and
    Lion at AdamW's best lr ends more than 100 times above its own best loss."""
    values = beyond.values
    best = values["best_lr"]
    assert (best["AdamW"], best["Lion"]) == (0.1, 0.03)
    assert 3 <= values["best_lr_ratio"] <= 10
    losses = values["sweep_loss"]["Lion"]
    assert losses[values["LION_SWEEP"].index(best["AdamW"])] > 100 * min(losses) and values["lion_penalty"] > 100


@pytest.mark.claim("lion-update-size")
def test_lion_moves_every_weight_by_exactly_lr(beyond):
    """A Lion step moves every coordinate with a non-zero direction by exactly lr: on digits its last
    update has an RMS between 0.95 lr and lr at every lr of the sweep, while AdamW's falls from
    about 0.8 lr to below 0.05 lr at its best lr."""
    ns = beyond.namespace
    generator = torch.Generator().manual_seed(1)
    theta, grad = (torch.randn(1000, generator=generator, dtype=torch.float64) for _ in range(2))
    for lr in (1e-4, 0.03, 0.5):  # float64: theta - lr rounds at 1e-16, far below lr
        step = ns["lion"](theta, grad, {}, lr=lr) - theta
        assert torch.allclose(step.abs(), torch.full_like(step, lr), rtol=1e-9, atol=0)
    rms = beyond.values["update_rms"]
    assert all(0.95 <= r <= 1.0 for r in rms["Lion"])
    assert 0.7 <= rms["AdamW"][0] <= 0.9
    assert rms["AdamW"][beyond.values["LION_SWEEP"].index(beyond.values["best_lr"]["AdamW"])] < 0.05


@pytest.mark.claim("lion-decay-scaling")
def test_lion_needs_weight_decay_times_the_lr_factor(beyond):
    """The weights of the blank pixels shrink by exactly (1 - lr weight_decay) per step: AdamW and Lion
    with lr / 3 and weight_decay x 3 shrink them alike, Lion with AdamW's weight_decay much less."""
    values = beyond.values
    decay, steps = values["DECAY"], values["DIGITS_STEPS"]
    shrink = values["decay_shrink"]
    adamw = (1 - decay["lr"] * decay["weight_decay"]) ** steps
    lion_same = (1 - decay["lr"] / decay["factor"] * decay["weight_decay"]) ** steps
    assert shrink["AdamW"] == pytest.approx(adamw, rel=1e-5)
    assert shrink["Lion, weight_decay x factor"] == pytest.approx(adamw, rel=1e-5)
    assert shrink["Lion, same weight_decay"] == pytest.approx(lion_same, rel=1e-5)
    assert shrink["Lion, same weight_decay"] > shrink["AdamW"] + 0.1
    assert beyond.namespace["blank"].sum() >= 1


# ---------------------------------------------------------------- Schedule-Free AdamW


@pytest.mark.claim("sf-needs-train")
def test_schedule_free_refuses_to_step_before_train(beyond):
    """schedulefree's AdamWScheduleFree starts in eval mode: step() raises until optimizer.train() is
    called, and so does the from-scratch one."""
    for build in (schedulefree.AdamWScheduleFree, beyond.namespace["ScheduleFree"]):
        p = torch.nn.Parameter(torch.ones(3))
        optimizer = build([p])
        p.grad = torch.ones(3)
        with pytest.raises(Exception, match="train"):
            optimizer.step()
        optimizer.train()
        optimizer.step()


@pytest.mark.claim("sf-eval-point")
def test_schedule_free_x_trails_y_on_a_short_run(beyond):
    """eval() moves the parameters from y to x; on the 150-step digits run x's held-out loss is above
    y's at every evaluation after the start (where the two points are the same)."""
    at_y, at_x = beyond.values["sf_at_y"], beyond.values["sf_at_x"]
    assert at_x[0] == at_y[0]
    assert all(x > y for y, x in zip(at_y[1:], at_x[1:]))


@pytest.mark.claim("sf-batchnorm")
def test_schedule_free_batchnorm_recalibration(beyond):
    """After eval(), BatchNorm's running mean (gathered at y) is more than 1 % off the mean at x; one
    pass in train mode with momentum=None makes it match to 1e-5, and on this network the held-out
    accuracy moves by at most one image in 360."""
    values = beyond.values
    assert values["mismatch_at_x"] > 0.01 and values["mismatch_at_y"] > 0.01
    assert values["mismatch_recalibrated"] < 1e-5
    scores = values["bn_scores"]
    stale, fresh = scores["at x, statistics of y"][2], scores["at x, recalibrated"][2]
    assert abs(stale - fresh) <= 1 / values["HELD_OUT"] + 1e-6


@pytest.mark.claim("sf-paper-class")
def test_schedulefree_paper_class_averages_differently(beyond):
    """schedulefree's AdamWScheduleFreePaper folds the bias correction into the weights of the
    average: with the defaults its x ends more than SF_PAPER_GAP away from AdamWScheduleFree's."""
    ns = beyond.namespace

    def paper(params):
        optimizer = schedulefree.AdamWScheduleFreePaper(params)
        optimizer.train()
        return optimizer

    main = ns["descend"](reference("sf"))
    assert ns["max_difference"](ns["descend"](paper)[1][-1:], main[1][-1:]) > ns["SF_PAPER_GAP"]
    scratch = ns["descend"](lambda ps: ns["make"]("sf", ps))
    assert ns["max_difference"](scratch[1], main[1]) <= ns["TOLERANCES"]["sf"]["float64"]


# ---------------------------------------------------------------- SOAP


FIRST_STEP = [
    pytest.param("soap", marks=pytest.mark.claim("soap-first-step"), id="soap"),
    pytest.param("adopt", marks=pytest.mark.claim("adopt-first-step"), id="adopt"),
]


@pytest.mark.parametrize("key", FIRST_STEP)
def test_first_step_leaves_parameters_alone(beyond, key):
    """The first step() only sets up the optimizer's statistics (SOAP: L, R and their eigenbases;
    ADOPT: v = g²): the parameters do not move, from scratch and in the reference package; the
    second step moves them."""
    ns = beyond.namespace
    for build in (lambda ps: ns["make"](key, ps), reference(key)):
        run = ns["descend"](build, steps=2)
        assert ns["max_difference"](run[:2], [run[0], run[0]]) == 0
        assert ns["max_difference"](run[1:], [run[1], run[1]]) > 0


@pytest.mark.claim("soap-turned")
def test_soap_does_not_care_how_the_quadratic_is_turned(beyond):
    """Turning the quadratic and its start by 45° leaves SOAP's final f unchanged (to 1e-6 relative)
    while Adam's rises more than 100 times."""
    values = beyond.values
    soap = values["soap_turned"]["SOAP"]
    assert soap["45.0"][-1] == pytest.approx(soap["0.0"][-1], rel=1e-6)
    assert values["turn_ratio"]["Adam"] > 100


@pytest.mark.claim("soap-rosenbrock")
def test_only_soap_gets_far_down_rosenbrock(beyond):
    """On Rosenbrock at lr = COMMON_LR, SOAP ends below f = 0.01 after 200 steps; Lion, Schedule-Free
    AdamW and ADOPT all stay above 1."""
    finals = {row["optimizer"]: row["rosenbrock"] for row in beyond.values["comparison"]}
    assert finals["SOAP"] < 0.01 and all(f > 1 for name, f in finals.items() if name != "SOAP")


# ---------------------------------------------------------------- ADOPT


@pytest.mark.claim("adopt-beta2")
def test_adopt_default_beta2_remembers_the_first_gradient(beyond):
    """On Rosenbrock, ADOPT with its default beta2 = 0.9999 is still above f = 5 after 200 steps, its
    sqrt(v) still at least 98 % of the first gradient's size, while beta2 = 0.9 gets below 0.05; Adam
    with beta2 = 0.999 or 0.9999 stays above f = 1 too."""
    values = beyond.values
    runs = values["adopt_beta2"]["ADOPT"]
    assert runs["0.9999"][-1] > 5 and runs["0.9"][-1] < 0.05
    assert min(values["adopt_memory"]) >= 0.98
    assert all(values["adopt_beta2"]["Adam"][beta2][-1] > 1 for beta2 in ("0.999", "0.9999"))
    assert keyword_defaults(adopt_package.ADOPT)["betas"][1] == 0.9999


@pytest.mark.claim("adopt-pytorch-optimizer-clip")
def test_pytorch_optimizer_adopt_clips_one_step_late(beyond):
    """pytorch-optimizer's ADOPT clips step t at (t + 1)^(1/4), not t^(1/4): with clipping off it
    agrees with torch-adopt to rounding (TOLERANCES[adopt][float64]), and so it does with the clip
    shifted by one step; with both packages' default clip they part by more than ADOPT_CLIP_GAP."""
    ns = beyond.namespace
    run, differ = ns["descend"], ns["max_difference"]
    tolerance = ns["TOLERANCES"]["adopt"]["float64"]
    assert differ(run(lambda ps: pytorch_optimizer.ADOPT(ps, lr=0.05, clip_lambda=None)),
                  run(lambda ps: adopt_package.ADOPT(ps, lr=0.05, clip_lambda=None))) <= tolerance
    shifted = run(lambda ps: adopt_package.ADOPT(ps, lr=0.05, clip_lambda=lambda t: (t + 1) ** 0.25))
    assert differ(run(lambda ps: pytorch_optimizer.ADOPT(ps, lr=0.05)), shifted) <= tolerance
    assert differ(run(lambda ps: pytorch_optimizer.ADOPT(ps, lr=0.05)), run(lambda ps: adopt_package.ADOPT(ps, lr=0.05))) > ns["ADOPT_CLIP_GAP"]


def test_comparison_rows_quote_the_runs(beyond):
    """The rows recorded for the overview's comparison are the numbers of the runs above."""
    values = beyond.values
    rows = {row["optimizer"]: row for row in values["comparison"]}
    for key, name in values["NAMES"].items():
        assert rows[name]["bytes_per_element"] == values["bytes_per_element"][key]
        assert rows[name]["quadratic"] == values["shared"][key]["quadratic"][-1]
        assert rows[name]["rosenbrock"] == values["shared"][key]["rosenbrock"][-1]
        assert 0.9 < rows[name]["digits_accuracy"] <= 1 and rows[name]["digits_loss"] < 0.1
    assert math.isclose(values["turn_ratio"]["SOAP"], 1, rel_tol=1e-6)
