"""The claims of docs/optimizers/index.md, checked by running its snippets.

Every number the page shows is the snippet's own (interpolated at build time); these tests check
that the sentences around those numbers hold for the run, under any CPU's kernels (AVX-512, AVX2
or none): where a result moves with the kernels, they check the property or the bound the page
states, not one machine's digits.
"""

import inspect
import math
import re

import numpy as np
import pytest
import snippet_runner
import torch
from conftest import snippet_fixture

NOTE_TEN = {"SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "SparseAdam", "ASGD", "Rprop", "LBFGS"}
SNIPPETS = ["overview_table", "overview_adam_step", "overview_trajectories", "overview_digits", "overview_note"]


table = snippet_fixture("optimizers/overview_table")
adam_step = snippet_fixture("optimizers/overview_adam_step")
trajectories = snippet_fixture("optimizers/overview_trajectories")
digits = snippet_fixture("optimizers/overview_digits")
note = snippet_fixture("optimizers/overview_note")


# ---------------------------------------------------------------- the tables


@pytest.mark.claim("optim-fifteen-classes")
def test_fifteen_classes_five_missing_from_the_note(table):
    """torch.optim has 15 optimizer classes; the note this handbook grew from lists ten of them and
    misses AdamW, NAdam, RAdam, Adafactor and Muon."""
    classes = table.namespace["optimizer_classes"]()
    assert table.values["class_count"] == len(classes) == 15
    assert set(classes) == set(table.values["NAMES"])
    assert NOTE_TEN <= set(classes)
    assert set(classes) - NOTE_TEN == {"AdamW", "NAdam", "RAdam", "Adafactor", "Muon"}


@pytest.mark.claim("optim-state-bytes")
def test_state_bytes_per_element(table):
    """Adam, AdamW, Adamax, NAdam, RAdam, SparseAdam, Adadelta and Rprop keep two float32 tensors the
    size of the parameter, 8 bytes per element; Adagrad, RMSprop, ASGD and Muon keep one, 4 bytes;
    SGD keeps nothing at its default momentum=0 and 4 bytes with momentum; Adafactor keeps a 64 × 1
    row average and a 1 × 32 column average, (64 + 32) · 4 / 2048 = 0.1875 bytes per element."""
    measured, values = table.values["MEASURED"], table.values
    float32 = torch.finfo(torch.float32).bits // 8
    by_size = {name: row["bytes"] for name, row in measured.items()}
    two = {"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "Adadelta", "Rprop"}
    one = {"Adagrad", "RMSprop", "ASGD", "Muon"}
    assert {name for name, size in by_size.items() if size == 2 * float32} == two
    assert {name for name, size in by_size.items() if size == float32} == one
    assert by_size["SGD"] == 0 and values["momentum_bytes"] == float32
    rows, columns = values["SHAPE"]
    assert values["elements"] == rows * columns
    assert values["adafactor_shapes"] == {"row_var": [rows, 1], "col_var": [1, columns]}
    assert by_size["Adafactor"] == (rows + columns) * float32 / (rows * columns)
    assert [row["bytes"] for row in values["state_table"]] == list(by_size.values())


@pytest.mark.claim("optim-step-scalars")
def test_step_counter_is_a_small_tensor(table):
    """In eleven of the fifteen, state["step"] is a 0-d float32 tensor: 4 bytes per parameter tensor,
    whatever its size. SparseAdam counts with a Python int, SGD and Muon keep no counter, NAdam adds
    mu_product and ASGD adds eta and mu."""
    measured = table.values["MEASURED"]
    with_tensor_step = {name for name, row in measured.items() if row["scalars"].get("step") == "0-d float32"}
    assert len(with_tensor_step) == 11
    assert with_tensor_step == set(measured) - {"SGD", "Muon", "SparseAdam", "LBFGS"}
    assert measured["SparseAdam"]["scalars"]["step"] == "int"
    assert measured["SGD"]["scalars"] == {} and measured["Muon"]["scalars"] == {}
    assert set(measured["NAdam"]["scalars"]) == {"step", "mu_product"}
    assert set(measured["ASGD"]["scalars"]) == {"step", "eta", "mu"}
    assert table.values["step_bytes"] == 4
    for shape in ((3,), (1000, 100)):  # whatever the size of the parameter
        p, optimizer = table.namespace["one_step"]("Adam", shape=shape)
        assert optimizer.state[p]["step"].nbytes == table.values["step_bytes"]


@pytest.mark.claim("optim-lbfgs-history")
def test_lbfgs_history_grows_by_a_pair_per_iteration(table):
    """LBFGS keeps the current direction and the previous gradient (8 bytes per element) plus one
    pair of vectors per iteration, 8 more bytes per element each, until history_size = 100 pairs
    fill it at 808 bytes per element, 101 times Adam's."""
    values = table.values
    history = values["defaults"]["LBFGS"]["history_size"]
    assert history == inspect.signature(torch.optim.LBFGS).parameters["history_size"].default
    base, pair = values["lbfgs_growth"][0]["bytes"], values["lbfgs_pair_bytes"]
    assert base == pair == 2 * 4  # two float32 vectors the size of the parameter
    for row in values["lbfgs_growth"]:
        assert row["pairs"] == min(row["iterations"] - 1, history)
        assert row["bytes"] == base + row["pairs"] * pair
    assert values["lbfgs_growth"][-1]["pairs"] == history
    assert values["lbfgs_full_bytes"] == base + history * pair
    assert values["lbfgs_over_adam"] == values["lbfgs_full_bytes"] / values["MEASURED"]["Adam"]["bytes"]
    # the table's LBFGS entry: what its one step() left on the table's loss
    assert values["MEASURED"]["LBFGS"]["bytes"] == base + values["lbfgs_first"]["pairs"] * pair


@pytest.mark.claim("optim-foreach")
def test_foreach_runs_for_all_but_three(table):
    """Twelve accept foreach=True and run on the CPU; SparseAdam, LBFGS and Muon have no such
    argument (TypeError)."""
    measured = table.values["MEASURED"]
    refused = {name for name, row in measured.items() if row["foreach"] != "yes"}
    assert refused == {"SparseAdam", "LBFGS", "Muon"} and len(measured) - len(refused) == 12
    assert [row["foreach"] for row in table.values["fast_table"]] == [row["foreach"] for row in measured.values()]
    for name in refused:
        assert measured[name]["foreach"] == "TypeError"
        assert "foreach" not in inspect.signature(getattr(torch.optim, name)).parameters


@pytest.mark.claim("optim-fused-cpu")
def test_fused_agrees_with_the_for_loop(table):
    """On the CPU, fused=True runs for exactly four: SGD, Adagrad, Adam and AdamW; the other eleven
    have no fused argument. After 10 steps the fused parameters of all four agree with those of the
    plain for-loop (foreach=False) to within 1e-6 relative, element by element. Whether they are
    also bit for bit the same depends on the CPU's vector width (how many elements differ is this
    build's number, and may be zero)."""
    values = table.values
    measured = values["MEASURED"]
    fused = {name for name, row in measured.items() if row["fused"] == "yes"}
    assert fused == {"SGD", "Adagrad", "Adam", "AdamW"} == set(values["fused_gap"])
    assert [row["fused"] for row in values["fast_table"]] == [row["fused"] for row in measured.values()]
    for name in set(measured) - fused:
        assert measured[name]["fused"] == "TypeError"
        assert "fused" not in inspect.signature(getattr(torch.optim, name)).parameters
    for name, gap in values["fused_gap"].items():
        assert gap["relative"] <= values["FUSED_RTOL"], name
        assert 0 <= gap["differ"] <= values["elements"]
    assert values["fused_gap_max"] == max(gap["relative"] for gap in values["fused_gap"].values())
    assert values["cpu_kernels"] == torch.backends.cpu.get_cpu_capability()


@pytest.mark.claim("optim-sparse")
def test_sparse_gradients_accepted_by_four(table):
    """At their defaults, SGD, Adagrad, SparseAdam and LBFGS accept a sparse gradient and the other
    eleven raise RuntimeError. SGD and Adagrad refuse it again as soon as weight_decay is set or
    fused=True. LBFGS simply makes the gradient dense (its step is identical), and the sparse steps
    of SGD and Adagrad match their dense steps to within 1e-7."""
    values = table.values
    measured = values["MEASURED"]
    accepted = {name for name, row in measured.items() if row["sparse"] == "yes"}
    assert accepted == {"SGD", "Adagrad", "SparseAdam", "LBFGS"}
    assert [row["sparse"] for row in values["sparse_table"]] == [row["sparse"] for row in measured.values()]
    assert all(row["sparse"] == "RuntimeError" for name, row in measured.items() if name not in accepted)
    assert values["sparse_refused"] == {name: {"weight_decay": "RuntimeError", "fused": "RuntimeError"} for name in ("SGD", "Adagrad")}
    assert values["sparse_gap"]["LBFGS"] == 0
    assert values["sparse_gap"]["SGD"] <= values["SPARSE_ATOL"] and values["sparse_gap"]["Adagrad"] <= values["SPARSE_ATOL"]


@pytest.mark.claim("optim-defaults")
def test_defaults_moved_since_the_note(table):
    """SGD now has a default learning rate of 1e-3 (the note shows lr=required), Adadelta and LBFGS
    default to lr = 1, AdamW to weight_decay = 0.01 where Adam has 0, and Muon to weight_decay =
    0.1, momentum = 0.95 and nesterov=True."""
    defaults = table.values["defaults"]
    for name, settings in defaults.items():  # what the page quotes is what torch sets
        fresh = table.namespace["key_defaults"](name)
        assert settings == snippet_runner.recorded_values({"fresh": fresh})["fresh"], name
    sgd_lr = inspect.signature(torch.optim.SGD).parameters["lr"].default
    assert isinstance(sgd_lr, float) and defaults["SGD"]["lr"] == sgd_lr  # a number, not `required`
    assert defaults["Adadelta"]["lr"] == defaults["LBFGS"]["lr"]
    assert defaults["Adam"]["weight_decay"] == 0 < defaults["AdamW"]["weight_decay"]
    assert defaults["Muon"]["nesterov"] is True and defaults["Muon"]["weight_decay"] > 0


# ---------------------------------------------------------------- Adam's first step


@pytest.mark.claim("optim-adam-first-step")
def test_adam_first_step_is_lr_short_by_eps(adam_step):
    """For gradients with entries from 1e-4 to 1e4 (gradient scales 1e-3 to 1e3, each entry between
    10 times smaller and 10 times larger than its scale), every coordinate's first step matches
    -lr g / (|g| + eps) to within 1e-6 relative, and none falls short of lr by more than this build's
    largest shortfall, which is eps (1e-8) over the smallest entry."""
    ns, values = adam_step.namespace, adam_step.values
    lr, eps, low, high = values["LR"], values["adam_eps"], *values["ADAM_SCALES"]
    smallest, shortfall = math.inf, 0.0
    for scale in [s for s in values["SCALES"] if low <= s <= high]:
        grad = ns["gradient"](scale)
        assert grad.abs().min() >= scale / values["SPREAD"] * (1 - 1e-6) and grad.abs().max() <= scale * values["SPREAD"] * (1 + 1e-6)
        step = ns["first_step"]("Adam", grad).double()
        predicted = -lr * grad.double() / (grad.double().abs() + eps)
        torch.testing.assert_close(step, predicted, rtol=values["FORMULA_RTOL"], atol=0)
        smallest = min(smallest, grad.abs().min().item())
        shortfall = max(shortfall, 1 - (step.abs() / lr).min().item())
    assert values["adam_entries"] == pytest.approx([low / values["SPREAD"], high * values["SPREAD"]])
    assert values["adam_shortfall"] == shortfall
    assert shortfall == pytest.approx(eps / smallest, rel=1e-2)  # float32 rounding of a ratio near 1


@pytest.mark.claim("optim-adam-first-step-eps")
def test_adam_first_step_at_eps_is_half(adam_step):
    """eps matters only when the gradient gets near it: at |g| = eps the step is 0.5 lr, half of it,
    and at |g| = 1e-10 it is 0.0099 lr, about a hundredth."""
    values, ratio = adam_step.values, adam_step.namespace["first_step_ratio"]
    eps, tiny = values["adam_eps"], values["TINY_GRADIENT"]
    assert ratio("Adam", torch.full((10,), eps)).max().item() == values["half_at_eps"] == pytest.approx(0.5, rel=1e-6)
    assert values["at_tiny"] == pytest.approx(tiny / (tiny + eps), rel=1e-5)
    assert values["at_tiny"] == pytest.approx(0.01, rel=0.05)


@pytest.mark.claim("optim-rmsprop-first-step")
def test_rmsprop_first_step_is_lr_over_root_one_minus_alpha(adam_step):
    """RMSprop's first step is lr |g| / (sqrt(1 - alpha) |g| + eps): 10 lr with the default alpha =
    0.99, and lr / sqrt(1 - beta2), 31.6 lr, with Adam's alpha = beta2 = 0.999 and momentum 0.9, for
    gradient entries from 1e-3 to 1e4 (to within 0.1 %)."""
    ns, values = adam_step.namespace, adam_step.values
    eps, rtol = torch.optim.RMSprop([torch.zeros(1)]).defaults["eps"], values["RMSPROP_RTOL"]
    assert values["rmsprop_alpha"] == torch.optim.RMSprop([torch.zeros(1)]).defaults["alpha"]
    for alpha, extra in ((values["rmsprop_alpha"], {}), (values["adam_beta2"], {"momentum": values["RMSPROP_MOMENTUM"]})):
        for scale in values["RMSPROP_SCALES"]:
            grad = ns["gradient"](scale)
            ratio = ns["first_step_ratio"]("RMSprop", grad, alpha=alpha, **extra)
            g = grad.double().abs()
            torch.testing.assert_close(ratio, g / (math.sqrt(1 - alpha) * g + eps), rtol=values["FORMULA_RTOL"], atol=0)
        low, high = values["rmsprop_first"][f"{alpha:g}"]
        assert low == pytest.approx(1 / math.sqrt(1 - alpha), rel=rtol) and high == pytest.approx(1 / math.sqrt(1 - alpha), rel=rtol)
    assert values["rmsprop_default_first"] == pytest.approx(10, rel=rtol)
    assert values["rmsprop_entries"] == pytest.approx([values["RMSPROP_SCALES"][0] / values["SPREAD"], values["RMSPROP_SCALES"][-1] * values["SPREAD"]])


@pytest.mark.claim("optim-uncorrected-first-step")
def test_uncorrected_adam_first_step(adam_step):
    """Adam's own two averages, left uncorrected, would make its first step (1 - beta1) / sqrt(1 -
    beta2) times lr, that is 3.16 lr; RMSprop with momentum takes 10 times that, because its
    momentum sums the normalised steps where Adam averages the gradients with weight 1 - beta1.
    The bias correction brings Adam's first step to lr."""
    ns, values = adam_step.namespace, adam_step.values
    beta1, beta2 = values["adam_beta1"], values["adam_beta2"]
    assert (beta1, beta2) == torch.optim.Adam([torch.zeros(1)]).defaults["betas"]
    assert values["uncorrected_first"] == pytest.approx((1 - beta1) / math.sqrt(1 - beta2), rel=values["FORMULA_RTOL"])
    assert values["momentum_sum_factor"] == pytest.approx(1 / (1 - beta1), rel=values["RMSPROP_RTOL"])
    # torch's corrected step times the two correction factors is the uncorrected step
    grad = ns["gradient"](1.0)
    corrected = ns["first_step"]("Adam", grad).double()
    uncorrected = ns["uncorrected_adam_first_step"](grad.double(), eps=0)  # eps moves the uncorrected step more
    torch.testing.assert_close(corrected * (1 - beta1) / math.sqrt(1 - beta2), uncorrected, rtol=values["FORMULA_RTOL"], atol=0)
    assert (corrected.abs() / values["LR"]).max().item() == pytest.approx(1, rel=values["FORMULA_RTOL"])


@pytest.mark.claim("optim-adam-l2-vs-adamw")
def test_weight_decay_without_a_gradient(adam_step):
    """When the loss does not depend on w, Adam's first step has length lr lambda|w| / (lambda|w| +
    eps), about lr, whatever lambda and |w|. With lr = 1e-3 and lambda = 0.01 one step takes w = 1 to
    0.999 in Adam and to 0.99999 in AdamW; after 1000 steps Adam is at 0.258 and AdamW at 0.990,
    which is w0 (1 - lr lambda)^k at k = 1000 to within 1e-4 relative."""
    ns, values = adam_step.namespace, adam_step.values
    lr, decay, eps, w0 = values["LR"], values["WEIGHT_DECAY"], values["adam_eps"], values["W0"]
    for weight in (0.01, w0, 100.0):
        for weight_decay in (decay, 0.5):
            ulp = float(np.spacing(np.float32(weight)))  # w is float32: a step is known to about one ulp of w
            term = weight_decay * weight
            adam = ns["decay_only"]("Adam", w0=weight, weight_decay=weight_decay, steps=1)[1]
            assert weight - adam == pytest.approx(lr * term / (term + eps), abs=2 * ulp)
            assert weight - adam == pytest.approx(lr, rel=1e-3, abs=2 * ulp)
            adamw = ns["decay_only"]("AdamW", w0=weight, weight_decay=weight_decay, steps=1)[1]
            assert adamw == pytest.approx(weight * (1 - lr * weight_decay), abs=2 * ulp)
    shown = values["SHOWN_STEP"]
    assert values["decay"]["Adam"]["shown"] == values["adam_l2"][shown] < values["decay"]["AdamW"]["shown"] == values["adamw"][shown]
    assert values["adamw_formula_gap"] == pytest.approx(abs(values["adamw"][shown] / (w0 * (1 - lr * decay) ** shown) - 1))
    assert values["adamw_formula_gap"] <= values["DECAY_RTOL"]


@pytest.mark.claim("optim-adamw-is-decoupled-adam")
def test_adamw_is_decoupled_adam(adam_step):
    """AdamW(weight_decay=λ) is Adam(weight_decay=λ, decoupled_weight_decay=True): on a quadratic whose
    gradients range over four orders of magnitude, the two give bit-identical iterates for 100
    steps, while Adam(weight_decay=λ) ends more than 0.01 away from them. With weight_decay=0 AdamW
    and Adam are identical."""
    ns, values = adam_step.namespace, adam_step.values
    assert values["decoupled_equal"] is True and values["no_decay_equal"] is True
    assert values["l2_gap"] > values["L2_GAP"]
    adamw = ns["decoupled_run"]("AdamW", **values["DECOUPLED"])
    assert torch.equal(adamw, ns["decoupled_run"]("Adam", decoupled_weight_decay=True, **values["DECOUPLED"]))
    assert values["DECADES"] == 4


# ---------------------------------------------------------------- paths


@pytest.mark.claim("optim-ranking-depends-on-lr")
def test_ranking_depends_on_lr(trajectories):
    """On the quadratic, at lr = 0.03 and at 0.05 SGD ends below Adam; at 0.1 Adam reaches 7.7e-4
    while SGD diverges, since 0.1 is above 2/25 = 0.08."""
    ns, values = trajectories.namespace, trajectories.values
    slow, middle, fast = values["RANKING_LRS"]
    ranking = values["ranking"]
    assert ranking[f"{slow:g}"]["SGD"] < ranking[f"{slow:g}"]["Adam"]
    assert ranking[f"{middle:g}"]["SGD"] < ranking[f"{middle:g}"]["Adam"]
    assert values["sgd_limit"] == 2 / values["CONDITION"] and middle < values["sgd_limit"] < fast
    start = ns["quadratic"](torch.tensor([values["QUADRATIC"]["start"]], dtype=torch.float64)).item()
    _, losses, _ = ns["descend"]("SGD", ns["quadratic"], values["QUADRATIC"]["start"], values["QUADRATIC"]["steps"], lr=fast)
    assert ranking[f"{fast:g}"]["SGD"] == losses[-1].item() and losses[-1].item() > start
    assert ranking[f"{fast:g}"]["Adam"] < start


@pytest.mark.claim("optim-rotation")
def test_rotation_costs_the_coordinatewise_methods(trajectories):
    """Turn the quadratic and the start together by 45 degrees: SGD's losses do not change (to within
    1e-9 relative), but Adam's final f rises (the page gives both values and their ratio), and so
    does Rprop's."""
    values = trajectories.values
    rotation = values["rotation"]
    assert rotation["SGD"]["largest relative gap"] <= values["ROTATION_RTOL"]
    for name in ("Adam", "Rprop"):
        assert rotation[name]["turned"] > rotation[name]["aligned"]
    assert values["adam_rotation_cost"] == rotation["Adam"]["turned"] / rotation["Adam"]["aligned"]
    assert rotation["Adam"]["aligned"] == values["quadratic_final"]["Adam"]


@pytest.mark.claim("optim-radam-first-steps")
def test_radam_first_step_is_a_gradient_step(trajectories):
    """RAdam's first step on Rosenbrock is a plain gradient step, -lr grad f(-1.5, 2) = (15.5, 5), to
    (14, 7), and it diverges from there: its loss is no longer finite after 6 steps. Adam's first
    step at the same lr is (0.1, 0.1)."""
    ns, values = trajectories.namespace, trajectories.values
    lr, (x, y), b = values["COMMON_LR"], values["ROSENBROCK"]["start"], values["ROSENBROCK_B"]
    gradient = [-2 * (1 - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)]
    assert values["rosenbrock_start_gradient"] == pytest.approx(gradient, rel=1e-12)
    assert values["radam_first_step"] == pytest.approx([-lr * g for g in gradient], rel=1e-12)
    assert values["radam_first_point"] == pytest.approx([x - lr * gradient[0], y - lr * gradient[1]], rel=1e-12)
    assert values["adam_first_step"] == pytest.approx([-lr * math.copysign(1, g) for g in gradient], rel=1e-6)
    path, losses, _ = ns["rosenbrock_runs"]["RAdam"]
    assert not math.isfinite(losses[-1].item()) and len(path) - 1 == values["radam_steps_taken"] < values["ROSENBROCK"]["steps"]


@pytest.mark.claim("optim-adadelta-slow-start")
def test_adadelta_starts_slowly(trajectories, note):
    """Adadelta at its default lr = 1 only gets from f = 36.1 to 22.6 in 100 steps on the quadratic:
    under a constant gradient of 0.1 its first step is 0.0032 long, because the root of its running
    average of past updates starts at sqrt(eps) = 1e-3."""
    values = trajectories.values
    assert values["LR"]["Adadelta"][0] == inspect.signature(torch.optim.Adadelta).parameters["lr"].default
    first, final = values["quadratic_first"]["Adadelta"], values["quadratic_final"]["Adadelta"]
    start = trajectories.namespace["quadratic"](torch.tensor([values["QUADRATIC"]["start"]], dtype=torch.float64)).item()
    assert first == start and first / 2 < final < first
    rho, eps = (torch.optim.Adadelta([torch.zeros(1)]).defaults[key] for key in ("rho", "eps"))
    g = note.values["CONSTANT_GRADIENT"]
    assert note.values["adadelta_start"] == math.sqrt(eps) == math.sqrt(note.values["adadelta_eps"])
    assert note.values["LENGTHS"]["Adadelta"][0] == pytest.approx(g * math.sqrt(eps) / math.sqrt((1 - rho) * g**2 + eps), rel=1e-6)


@pytest.mark.claim("optim-muon-one-by-two")
def test_muon_steps_have_one_length(trajectories):
    """Muon on a 1 x 2 matrix: whatever the gradient's size, each step goes along minus the unit
    vector of the gradient, with a length between 0.65 lr and 0.75 lr (the page gives the range the
    run measured over random gradients of sizes 1e-3 to 1e3: the bfloat16 rounding inside Muon
    moves it)."""
    ns, values = trajectories.namespace, trajectories.values
    low, high = values["MUON_BAND"]
    sizes = [math.hypot(*gradient) for gradient in values["muon_gradients"]]
    assert max(sizes) / min(sizes) > 1e4  # gradients of very different sizes
    lengths = [length for length, _ in values["muon_steps"]]
    assert values["muon_length_range"] == [min(lengths), max(lengths)]
    assert low <= min(lengths) and max(lengths) <= high
    assert all(cosine == pytest.approx(1, abs=1e-4) for _, cosine in values["muon_steps"])
    for gradient in ns["muon_gradients_of"]((1e-2, 1e2), count=20, seed=1):  # gradients the run did not see
        length, cosine = ns["muon_step"](gradient)
        assert low <= length <= high and cosine == pytest.approx(1, abs=1e-4)


@pytest.mark.claim("optim-sparseadam-equals-adam-dense")
def test_sparseadam_follows_adam(trajectories):
    """SparseAdam, given every entry, is Adam: their paths differ by less than 1e-7, float64 rounding
    from doing the same arithmetic in a different order."""
    values = trajectories.values
    for label, runs in (("quadratic", "quadratic_runs"), ("rosenbrock", "rosenbrock_runs")):
        runs = trajectories.namespace[runs]
        gap = (runs["SparseAdam"][0] - runs["Adam"][0]).abs().max().item()
        assert gap == values["sparseadam_gap"][label] < values["SPARSEADAM_ATOL"]
    assert values["sparseadam_gap_max"] == max(values["sparseadam_gap"].values())


@pytest.mark.claim("optim-rosenbrock-lbfgs")
def test_only_lbfgs_reaches_the_minimum(trajectories):
    """On Rosenbrock, in 200 steps, only LBFGS gets below f = 1e-6 (using 250 function evaluations);
    RAdam diverges, and every other optimizer is still at 1.38 or above."""
    values = trajectories.values
    final = values["rosenbrock_final"]
    assert values["converged"] == ["LBFGS"] and final["LBFGS"] < values["CONVERGED"]
    assert values["diverged"] == ["RAdam"]
    others = [f for name, f in final.items() if name not in ("LBFGS", "RAdam")]
    assert values["lowest_other"] == min(others) and values["lowest_other"] > values["CONVERGED"]
    assert values["rosenbrock_evaluations"]["LBFGS"] == trajectories.namespace["rosenbrock_runs"]["LBFGS"][2]


@pytest.mark.claim("optim-lbfgs-max-eval-trap")
def test_lbfgs_needs_max_eval(trajectories, note):
    """With max_iter=1, LBFGS's default max_eval is max_iter * 5 // 4 = 1: the closure's first call
    uses it up, which leaves the strong-Wolfe line search no evaluation to refine its first trial
    step, and LBFGS does not move at all."""
    assert note.values["lbfgs_one_iteration_max_eval"] == 1 * 5 // 4
    trapped = note.values["lbfgs_steps"]["one_iteration"]
    assert trapped["moved"] == 0 and trapped["iterations"] == 1
    assert trapped["calls"] == 2  # the first call, then the line search's one trial step, and no budget left
    freed = note.values["lbfgs_steps"]["one_iteration_max_eval"]
    assert freed["moved"] > 0
    assert note.values["LBFGS_SETTINGS"]["one_iteration_max_eval"] == {**note.values["LBFGS_SETTINGS"]["one_iteration"], "max_eval": 10}
    assert trajectories.values["LBFGS"] == {"max_iter": 1, "max_eval": 10, "line_search_fn": "strong_wolfe"}


# ---------------------------------------------------------------- digits


@pytest.mark.claim("optim-digits-momentum")
def test_momentum_beats_plain_sgd_on_every_seed(digits):
    """Plain SGD at lr = 0.1 ends at some training loss and held-out accuracy (mean of the three
    seeds, this build's numbers), and momentum 0.9 at the same lr brings both to better values,
    better on every seed."""
    values = digits.values
    assert values["SETTINGS"]["SGD+momentum"][1] == {**values["SETTINGS"]["SGD"][1], "momentum": 0.9}
    plain, momentum = values["final"]["SGD"], values["final"]["SGD+momentum"]
    for seed in range(len(values["SEEDS"])):
        assert momentum["loss"][seed] < plain["loss"][seed]
        assert momentum["accuracy"][seed] > plain["accuracy"][seed]
    for result in (plain, momentum):
        assert result["mean_loss"] == pytest.approx(np.mean(result["loss"]))
        assert result["mean_accuracy"] == pytest.approx(np.mean(result["accuracy"]))


@pytest.mark.claim("optim-digits-train-vs-test")
def test_lowest_training_loss_is_not_best_held_out(digits):
    """Rprop and LBFGS drive the training loss below 1e-3 on every seed but reach a lower mean
    held-out accuracy than each of Adagrad, RMSprop and Adam (this build's numbers), which keep the
    training loss above 0.01 on every seed."""
    values = digits.values
    final = values["final"]
    for label in values["FULL_BATCH"]:
        assert max(final[label]["loss"]) < values["FIT_LOSS"], label
    for label in values["ADAPTIVE"]:
        assert min(final[label]["loss"]) > values["ADAPTIVE_LOSS"], label
    best_full_batch = max(final[label]["mean_accuracy"] for label in values["FULL_BATCH"])
    assert best_full_batch < min(final[label]["mean_accuracy"] for label in values["ADAPTIVE"])


def test_digits_split_and_network(digits):
    """The page's description of the data and the network: 1797 images of 8 x 8 pixels, 360 held
    out, the other 1437 for training, pixels scaled to [0, 1]; 64 inputs, 32 hidden units, 10 classes."""
    values = digits.values
    x_train, _, x_test, _ = digits.namespace["DATA"]
    assert values["images"] == 1797 and values["image_side"] ** 2 == values["pixels"] == x_train.shape[1]
    assert len(x_test) == values["HELD_OUT"] and len(x_train) == values["training_images"] == values["images"] - values["HELD_OUT"]
    assert float(x_train.max()) == 1.0 and float(x_train.min()) == 0.0
    layers = digits.namespace["network"](0)
    assert (layers[0].in_features, layers[0].out_features, layers[2].out_features) == (values["pixels"], values["HIDDEN"], values["classes"])


# ---------------------------------------------------------------- the note's ten lines


@pytest.mark.claim("optim-note-constant-gradient")
def test_steps_under_a_constant_gradient(note):
    """Under a constant gradient, Adagrad's step is lr / sqrt(k) at step k, so it never stops
    shrinking, while RMSprop's is lr / sqrt(1 - alpha^k) with alpha = 0.99: 10 times lr at first,
    then lr (both to within 1e-6 relative). Adam's is lr at every step, and Rprop's grows by a factor
    of 1.2 per step until it hits the cap step_sizes[1] = 50, 5000 times its lr, at step 48."""
    values = note.values
    lengths = {name: np.array(steps) for name, steps in values["LENGTHS"].items()}
    rtol, alpha = values["FORMULA_RTOL"], values["rmsprop_alpha"]
    k = np.arange(1, values["STEPS"] + 1)
    np.testing.assert_allclose(lengths["Adagrad"], 1 / np.sqrt(k), rtol=rtol)
    np.testing.assert_allclose(lengths["RMSprop"], 1 / np.sqrt(1 - alpha**k), rtol=rtol)
    assert lengths["RMSprop"][0] == pytest.approx(1 / math.sqrt(1 - alpha), rel=rtol) and lengths["RMSprop"][-1] == pytest.approx(1, rel=1e-4)
    np.testing.assert_allclose(lengths["Adam"], 1, rtol=rtol)
    growth, cap = values["rprop_growth"], values["rprop_cap"]
    assert (growth, values["rprop_max_step"]) == (torch.optim.Rprop([torch.zeros(1)]).defaults["etas"][1], torch.optim.Rprop([torch.zeros(1)]).defaults["step_sizes"][1])
    np.testing.assert_allclose(lengths["Rprop"], np.minimum(growth ** (k - 1), cap), rtol=1e-9)
    first_capped = values["rprop_capped_from"]
    assert lengths["Rprop"][first_capped - 1] == pytest.approx(cap, rel=1e-9) and lengths["Rprop"][first_capped - 2] < cap


@pytest.mark.claim("optim-note-sparseadam-lazy")
def test_sparseadam_is_lazy(note):
    """When a step's gradient covers only row 0 of a 4 x 3 weight, SparseAdam moves only that row
    while Adam moves all 4 rows (their momentum keeps going). It refuses dense gradients outright."""
    values = note.values
    assert values["rows_moved"]["Adam"] == list(range(values["WEIGHT_SHAPE"][0]))
    assert values["rows_moved"]["SparseAdam"] == [values["SPARSE_ROW"]]
    assert "does not support dense gradients" in values["dense_refusal"]


@pytest.mark.claim("optim-note-asgd-average")
def test_asgd_average_starts_at_t0(note):
    """With the default t0 = 1e6, ASGD's average does not even start before step t0 (its weight mu
    does not fall below one until then): over 1000 noisy steps state["ax"] equals the weight
    exactly, and only with t0 = 100 does it differ (by up to 0.215)."""
    values = note.values
    assert values["asgd_t0"] == torch.optim.ASGD([torch.zeros(1)]).defaults["t0"] > values["STEPS"]
    assert values["asgd_gap"]["default"] == 0 < values["asgd_gap"]["early"]
    assert values["ASGD_T0"] < values["STEPS"]
    w = torch.nn.Parameter(torch.zeros(3))
    optimizer = torch.optim.ASGD([w])
    for _ in range(values["STEPS"]):
        w.grad = torch.ones(3)
        optimizer.step()
        assert optimizer.state[w]["mu"].item() == 1


@pytest.mark.claim("optim-note-adamax-max")
def test_adamax_keeps_a_decaying_maximum(note):
    """Adamax replaces sqrt(v_hat) by u_k = max(beta2 u_(k-1), |g_k| + eps), a running maximum of |g|
    that decays by beta2 = 0.999 per step: for gradients 3, -1, 0.5, 5, 0 it holds 3, 2.997, 2.994,
    5, 4.995."""
    values = note.values
    beta2, eps = values["adamax_beta2"], values["adamax_eps"]
    assert (beta2, eps) == (torch.optim.Adamax([torch.zeros(1)]).defaults["betas"][1], torch.optim.Adamax([torch.zeros(1)]).defaults["eps"])
    expected, previous = [], 0.0
    for g in values["ADAMAX_GRADIENTS"]:
        previous = max(beta2 * previous, abs(g) + eps)
        expected.append(previous)
    assert values["adamax_values"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.claim("optim-note-lbfgs-evaluations")
def test_one_lbfgs_step_is_a_whole_run(note):
    """One LBFGS step() is a whole optimization run: at the defaults it ran 20 iterations and called
    the closure 20 times on Rosenbrock, and with the strong-Wolfe line search it used all 25
    evaluations (max_eval = 25) in 19 iterations."""
    values = note.values
    defaults = torch.optim.LBFGS([torch.zeros(1)]).defaults
    assert values["lbfgs_defaults"] == {"max_iter": defaults["max_iter"], "max_eval": defaults["max_eval"]}
    plain, wolfe = values["lbfgs_steps"]["defaults"], values["lbfgs_steps"]["wolfe"]
    assert plain["iterations"] == plain["calls"] == defaults["max_iter"]
    assert wolfe["calls"] == defaults["max_eval"] and 1 < wolfe["iterations"] < defaults["max_iter"]


# ---------------------------------------------------------------- what a reader sees


@pytest.mark.parametrize("stem", SNIPPETS)
def test_printed_output_fits_eighty_columns(snippet, stem):
    """Printed output is for reading: at most 80 columns, no float reprs."""
    output = snippet(f"optimizers/{stem}").output
    assert max(len(line) for line in output.splitlines()) <= 80
    assert not any(len(digits) > 8 for digits in re.findall(r"\.(\d+)", output))


@pytest.mark.parametrize("stem", SNIPPETS)
def test_figures_read_on_a_phone(snippet, stem):
    """Every figure's smallest text is at least 9 CSS px on a 390 px phone (its phone layout, if any)."""
    for label, figure in snippet(f"optimizers/{stem}").figures.items():
        shown = figure.phone or figure.svg
        assert snippet_runner.text_px(shown, snippet_runner.PHONE_COLUMN_PX) >= snippet_runner.SMALLEST_TEXT_PX, label
