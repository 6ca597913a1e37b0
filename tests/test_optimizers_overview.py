"""The claims of docs/optimizers/index.md, checked by running its snippets."""

import math

import numpy as np
import pytest
import torch

NOTE_TEN = {"SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "Adamax", "SparseAdam", "ASGD", "Rprop", "LBFGS"}
ALL = [
    "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam",
    "RAdam", "SparseAdam", "ASGD", "Rprop", "LBFGS", "Adafactor", "Muon",
]  # fmt: skip


@pytest.fixture(scope="module")
def table(snippet):
    return snippet("optimizers/overview_table")


@pytest.fixture(scope="module")
def adam_step(snippet):
    return snippet("optimizers/overview_adam_step")


@pytest.fixture(scope="module")
def trajectories(snippet):
    return snippet("optimizers/overview_trajectories")


@pytest.fixture(scope="module")
def digits(snippet):
    return snippet("optimizers/overview_digits")


@pytest.fixture(scope="module")
def note(snippet):
    return snippet("optimizers/overview_note")


# ---------------------------------------------------------------- the table


@pytest.mark.claim("optim-fifteen-classes")
def test_torch_optim_has_15_optimizer_classes_the_note_lists_10_and_misses_5(table):
    classes = table.namespace["optimizer_classes"]()
    assert sorted(classes) == sorted(ALL) and len(classes) == 15
    assert NOTE_TEN <= set(classes)
    assert set(classes) - NOTE_TEN == {"AdamW", "NAdam", "RAdam", "Adafactor", "Muon"}
    assert "torch 2.13.0" in table.output and "15 optimizer classes in torch.optim" in table.output


@pytest.mark.claim("optim-state-bytes")
def test_state_bytes_per_element_after_one_step_on_a_float32_64x32_parameter(table):
    rows = table.namespace["ROWS"]
    bytes_per_element = {name: row["bytes"] for name, row in rows.items()}
    eight = {"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "Adadelta", "Rprop"}
    four = {"Adagrad", "RMSprop", "ASGD", "Muon"}
    assert {name for name, size in bytes_per_element.items() if size == 8} == eight
    assert {name for name, size in bytes_per_element.items() if size == 4} == four
    assert bytes_per_element["SGD"] == 0
    assert table.namespace["state_size"]("SGD", momentum=0.9)[0] == 4
    assert bytes_per_element["Adafactor"] == (64 + 32) * 4 / (64 * 32) == 0.1875
    # LBFGS's size depends on how many iterations its one step() ran (next claim).
    assert bytes_per_element["LBFGS"] == 24
    p, optimizer = table.namespace["one_step"]("LBFGS")
    assert optimizer.state[p]["n_iter"] == 3  # 8 + 2 pairs * 8 bytes = 24
    assert "SGD with momentum=0.9 keeps 4 B/elem" in table.output


@pytest.mark.claim("optim-step-scalars")
def test_step_is_a_4_byte_0d_float32_tensor_except_in_sparseadam_sgd_muon_and_lbfgs(table):
    rows = table.namespace["ROWS"]
    with_tensor_step = {name for name, row in rows.items() if row["scalars"].get("step") == "0-d float32"}
    assert with_tensor_step == set(ALL) - {"SGD", "Muon", "SparseAdam", "LBFGS"}
    assert len(with_tensor_step) == 11
    assert rows["SparseAdam"]["scalars"]["step"] == "int"
    assert rows["SGD"]["scalars"] == {} and rows["Muon"]["scalars"] == {}
    assert set(rows["NAdam"]["scalars"]) == {"step", "mu_product"}
    assert set(rows["ASGD"]["scalars"]) == {"step", "eta", "mu"}
    p, optimizer = table.namespace["one_step"]("Adam")
    assert optimizer.state[p]["step"].nbytes == 4  # whatever the size of the parameter


@pytest.mark.claim("optim-lbfgs-history")
def test_lbfgs_state_grows_8_bytes_per_element_per_iteration_up_to_808(table):
    memory = table.namespace["lbfgs_memory"]
    assert memory(1) == (1, 0, 8.0)
    assert memory(5) == (5, 4, 40.0)
    assert memory(20) == (20, 19, 160.0)
    assert memory(120) == (120, 100, 808.0)  # history_size = 100 pairs, then the oldest is dropped
    assert "LBFGS after 120 iterations: 100 stored pairs, 808 B/elem" in table.output


@pytest.mark.claim("optim-fused-cpu")
def test_fused_runs_on_cpu_for_sgd_adagrad_adam_adamw_only_and_matches_the_for_loop(table):
    rows = table.namespace["ROWS"]
    fused = {name for name, row in rows.items() if row["fused"] == "yes"}
    assert fused == {"SGD", "Adagrad", "Adam", "AdamW"}
    assert all(row["fused"] == "TypeError" for name, row in rows.items() if name not in fused)
    one_step = table.namespace["one_step"]
    for name in fused:
        kwargs = {"momentum": 0.9} if name == "SGD" else {}
        with_fused, _ = one_step(name, fused=True, **kwargs)
        for_loop, _ = one_step(name, fused=False, foreach=False, **kwargs)
        if name in ("SGD", "Adagrad"):
            assert torch.equal(with_fused, for_loop)
        else:
            torch.testing.assert_close(with_fused, for_loop, rtol=1e-7, atol=0)
            assert not torch.equal(with_fused, for_loop)


@pytest.mark.claim("optim-foreach")
def test_foreach_true_runs_on_cpu_for_all_but_sparseadam_lbfgs_and_muon(table):
    rows = table.namespace["ROWS"]
    refused = {name for name, row in rows.items() if row["foreach"] != "yes"}
    assert refused == {"SparseAdam", "LBFGS", "Muon"}
    assert all(rows[name]["foreach"] == "TypeError" for name in refused)
    assert len(rows) - len(refused) == 12


@pytest.mark.claim("optim-sparse")
def test_sparse_gradients_accepted_by_sgd_adagrad_sparseadam_lbfgs_only(table):
    rows = table.namespace["ROWS"]
    accepted = {name for name, row in rows.items() if row["sparse"] == "yes"}
    assert accepted == {"SGD", "Adagrad", "SparseAdam", "LBFGS"}
    assert all(row["sparse"] == "RuntimeError" for name, row in rows.items() if name not in accepted)
    try_step = table.namespace["try_step"]
    one_step = table.namespace["one_step"]
    # Not with weight decay, and not with fused=True.
    for name in ("SGD", "Adagrad"):
        assert try_step(name, sparse=True, weight_decay=0.1) == "RuntimeError"
        assert try_step(name, sparse=True, fused=True) == "RuntimeError"
    # Where accepted (SparseAdam apart), the sparse step is the dense step up to float32 rounding.
    for name in ("SGD", "Adagrad", "LBFGS"):
        sparse, _ = one_step(name, sparse=True)
        dense, _ = one_step(name)
        torch.testing.assert_close(sparse, dense, rtol=0, atol=1e-7)
    assert torch.equal(one_step("LBFGS", sparse=True)[0], one_step("LBFGS")[0])  # it densifies first


@pytest.mark.claim("optim-defaults")
def test_defaults_sgd_lr_1e_3_adadelta_lr_1_adamw_decay_0_01_muon_decay_0_1(table):
    defaults = table.namespace["key_defaults"]
    assert defaults("SGD")["lr"] == 1e-3  # the note's signature shows lr=required
    assert defaults("Adadelta")["lr"] == 1.0 and defaults("LBFGS")["lr"] == 1
    assert defaults("Adam")["weight_decay"] == 0 and defaults("AdamW")["weight_decay"] == 0.01
    assert defaults("Muon")["weight_decay"] == 0.1
    assert defaults("Muon")["momentum"] == 0.95 and defaults("Muon")["nesterov"] is True
    assert defaults("Muon")["ns_steps"] == 5
    assert defaults("ASGD")["t0"] == 1e6
    assert "SGD        lr=0.001, momentum=0" in table.output


# ---------------------------------------------------------------- Adam's step


@pytest.mark.claim("optim-adam-first-step")
@pytest.mark.parametrize("scale", [1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3])
def test_adam_first_step_is_lr_g_over_g_plus_eps_within_1e_4_of_lr(adam_step, scale):
    lr, eps = 1e-3, 1e-8
    grad = adam_step.namespace["gradient"](scale)
    assert grad.abs().min() >= 0.1 * scale * (1 - 1e-6) and grad.abs().max() <= 10 * scale * (1 + 1e-6)
    step = adam_step.namespace["first_step"]("Adam", grad, lr=lr)
    expected = -lr * grad.double() / (grad.double().abs() + eps)
    torch.testing.assert_close(step.double(), expected, rtol=1e-6, atol=0)
    ratio = (step.abs() / lr).double()
    assert ratio.max() <= 1 + 1e-6
    assert ratio.min() >= 1 - 1e-4  # eps / |g| <= 1e-8 / 1e-4 for every entry


@pytest.mark.claim("optim-adam-first-step-eps")
def test_adam_first_step_is_half_lr_when_the_gradient_equals_eps(adam_step):
    step = adam_step.namespace["first_step"]("Adam", torch.full((10,), 1e-8), lr=1e-3)
    assert step.abs().double() / 1e-3 == pytest.approx(np.full(10, 0.5), rel=1e-6)
    small = adam_step.namespace["first_step"]("Adam", torch.full((10,), 1e-10), lr=1e-3)
    assert small.abs().max().item() / 1e-3 == pytest.approx(1e-10 / (1e-10 + 1e-8), rel=1e-5)  # about lr / 100


@pytest.mark.claim("optim-rmsprop-first-step")
def test_rmsprop_first_step_is_10_lr_and_31_6_lr_with_adams_betas(adam_step):
    first_step = adam_step.namespace["first_step"]
    lr, eps = 1e-3, 1e-8
    for scale in (1e-2, 1.0, 1e3):  # entries from 1e-3 to 1e4
        grad = adam_step.namespace["gradient"](scale)
        g = grad.double().abs()
        for alpha, kwargs, size in ((0.99, {}, 10.0), (0.999, {"momentum": 0.9}, 31.6)):
            ratio = first_step("RMSprop", grad, lr=lr, alpha=alpha, **kwargs).abs().double() / lr
            torch.testing.assert_close(ratio, g / (math.sqrt(1 - alpha) * g + eps), rtol=1e-6, atol=0)
            assert ratio.min() == pytest.approx(size, rel=1e-3) and ratio.max() == pytest.approx(size, rel=1e-3)
        assert (first_step("Adam", grad, lr=lr).abs().double() / lr).max() <= 1 + 1e-6


@pytest.mark.claim("optim-adam-l2-vs-adamw")
def test_with_zero_loss_gradient_adam_decay_moves_lr_per_step_adamw_lr_times_decay(adam_step):
    decay_only = adam_step.namespace["decay_only"]
    adam, adamw = decay_only("Adam"), decay_only("AdamW")
    assert adam[1] == pytest.approx(1 - 1e-3, abs=1e-6)  # lr, not lr * weight_decay
    assert adamw[1] == pytest.approx(1 - 1e-3 * 1e-2, abs=1e-7)  # (1 - lr * weight_decay)
    assert adam[1000] == pytest.approx(0.258, abs=5e-4)
    # (1 - lr * weight_decay)^1000, up to float32 rounding at each of the 1000 multiplications
    assert adamw[1000] == pytest.approx((1 - 1e-5) ** 1000, rel=1e-4) and adamw[1000] == pytest.approx(0.990, abs=5e-4)
    # The size of the L2 step does not depend on how large w is (as long as weight_decay * |w| >> eps).
    for w0 in (0.01, 1.0, 100.0):
        ulp = float(np.spacing(np.float32(w0)))  # w is float32: the change is known to about one ulp of w0
        decay = 0.01 * w0  # the L2 term is the whole gradient; Adam's first step is lr * decay / (decay + eps)
        assert w0 - decay_only("Adam", w0=w0, steps=1)[1] == pytest.approx(1e-3 * decay / (decay + 1e-8), abs=2 * ulp)
        assert w0 - decay_only("AdamW", w0=w0, steps=1)[1] == pytest.approx(1e-5 * w0, abs=2 * ulp)
    assert "Adam(weight_decay=0.01)   |w|: 1 -> 0.999000 after 1 step, 0.2577 after 1000" in adam_step.output


@pytest.mark.claim("optim-adamw-is-decoupled-adam")
def test_adamw_equals_adam_with_decoupled_weight_decay_bit_for_bit_and_differs_from_adam_l2():
    def run(cls, steps=100, **kwargs):
        generator = torch.Generator().manual_seed(0)
        target = torch.randn(50, generator=generator)
        scales = torch.logspace(-2, 2, 50)  # gradients of very different sizes per coordinate
        w = torch.nn.Parameter(torch.randn(50, generator=generator))
        optimizer = cls([w], lr=1e-2, **kwargs)
        for _ in range(steps):
            optimizer.zero_grad()
            (scales * (w - target) ** 2).sum().backward()
            optimizer.step()
        return w.detach()

    adamw = run(torch.optim.AdamW, weight_decay=0.1)
    assert torch.equal(adamw, run(torch.optim.Adam, weight_decay=0.1, decoupled_weight_decay=True))
    assert torch.equal(run(torch.optim.AdamW, weight_decay=0), run(torch.optim.Adam))
    adam_l2 = run(torch.optim.Adam, weight_decay=0.1)
    assert (adam_l2 - adamw).abs().max() > 1e-2


# ---------------------------------------------------------------- trajectories


@pytest.mark.claim("optim-ranking-depends-on-lr")
def test_on_the_quadratic_sgd_beats_adam_at_lr_0_03_and_0_05_but_diverges_at_0_1(trajectories):
    ns = trajectories.namespace
    start, steps = ns["QUADRATIC"]["start"], ns["QUADRATIC"]["steps"]

    def final(name, lr):
        return ns["descend"](name, ns["quadratic"], start, steps, lr=lr)[1][-1].item()

    assert final("SGD", 0.03) == pytest.approx(1.8e-2, rel=0.03)
    assert final("Adam", 0.03) == pytest.approx(1.09, rel=0.01)
    assert final("SGD", 0.05) == pytest.approx(2.8e-4, rel=0.02)
    assert final("Adam", 0.05) == pytest.approx(0.113, rel=0.01)
    assert final("Adam", 0.1) == pytest.approx(7.7e-4, rel=0.01)
    assert final("SGD", 0.1) > 1e30  # past 2 / 25 = 0.08, gradient descent diverges on this quadratic
    assert ns["CONDITION"] == 25 and steps == 100


@pytest.mark.claim("optim-rotation")
def test_turning_the_quadratic_45_degrees_leaves_sgd_unchanged_and_costs_adam_900x(trajectories):
    ns = trajectories.namespace
    start, steps = ns["QUADRATIC"]["start"], ns["QUADRATIC"]["steps"]

    def losses(name, angle):
        function = lambda p: ns["quadratic"](p, angle=angle)  # noqa: E731
        return ns["descend"](name, function, ns["turned"](start, angle), steps, lr=ns["learning_rate"](name, ns["quadratic"]))[1]

    plain, turned = losses("SGD", 0.0), losses("SGD", 45.0)
    torch.testing.assert_close(turned, plain, rtol=1e-9, atol=1e-15)
    adam_plain, adam_turned = losses("Adam", 0.0)[-1].item(), losses("Adam", 45.0)[-1].item()
    assert adam_plain == pytest.approx(7.7e-4, rel=0.01) and adam_turned == pytest.approx(0.69, rel=0.01)
    assert 800 < adam_turned / adam_plain < 1000
    rprop_plain, rprop_turned = losses("Rprop", 0.0)[-1].item(), losses("Rprop", 45.0)[-1].item()
    assert rprop_plain < 1e-11 and rprop_turned == pytest.approx(7.4e-4, rel=0.01)
    assert "Adam   axis-aligned 7.74e-04   turned 6.87e-01" in trajectories.output


@pytest.mark.claim("optim-radam-first-steps")
def test_radam_first_step_on_rosenbrock_is_minus_lr_times_gradient_then_it_diverges(trajectories):
    ns = trajectories.namespace
    start = ns["ROSENBROCK"]["start"]
    path, losses, _ = ns["descend"]("RAdam", ns["rosenbrock"], start, 1, lr=0.1)
    # gradient at (-1.5, 2): (-155, -50); plain momentum-SGD step for the first five steps (rho_t <= 5)
    assert path[1].tolist() == pytest.approx([-1.5 + 15.5, 2.0 + 5.0], abs=1e-12)
    path, losses, _ = ns["descend"]("Adam", ns["rosenbrock"], start, 1, lr=0.1)
    assert path[1].tolist() == pytest.approx([-1.5 + 0.1, 2.0 + 0.1], abs=1e-9)
    path, losses, _ = ns["rosenbrock_runs"]["RAdam"]
    assert not math.isfinite(losses[-1].item()) and len(path) <= 10


@pytest.mark.claim("optim-lbfgs-max-eval-trap")
def test_lbfgs_with_max_iter_1_and_strong_wolfe_never_moves_unless_max_eval_is_raised(trajectories, note):
    calls, iterations, moved = note.namespace["lbfgs_one_step"](max_iter=1, line_search_fn="strong_wolfe")
    assert moved == 0 and iterations == 1
    assert torch.optim.LBFGS([torch.nn.Parameter(torch.zeros(1))], max_iter=1).defaults["max_eval"] == 1  # 1 * 5 // 4
    calls, iterations, moved = note.namespace["lbfgs_one_step"](max_iter=1, max_eval=10, line_search_fn="strong_wolfe")
    assert moved > 0.05
    ns = trajectories.namespace
    assert ns["LBFGS"] == {"max_iter": 1, "max_eval": 10, "line_search_fn": "strong_wolfe"}


@pytest.mark.claim("optim-muon-one-by-two")
@pytest.mark.parametrize("gradient", [(1e-3, 2e-3), (1.0, -5.0), (300.0, 1.0)])
def test_muon_on_a_1x2_matrix_steps_0_69_lr_along_minus_the_unit_gradient(gradient):
    w = torch.nn.Parameter(torch.zeros(1, 2, dtype=torch.float64))
    optimizer = torch.optim.Muon([w], lr=0.1, weight_decay=0)
    w.grad = torch.tensor([gradient], dtype=torch.float64)
    optimizer.step()
    step = w.detach()[0]
    unit = torch.tensor(gradient, dtype=torch.float64) / torch.linalg.vector_norm(torch.tensor(gradient, dtype=torch.float64))
    assert torch.linalg.vector_norm(step).item() / 0.1 == pytest.approx(0.69, abs=0.01)
    torch.testing.assert_close(step / torch.linalg.vector_norm(step), -unit, rtol=0, atol=1e-2)  # bfloat16 inside


@pytest.mark.claim("optim-sparseadam-equals-adam-dense")
def test_sparseadam_with_every_entry_present_follows_adams_path_to_1e_7(trajectories):
    ns = trajectories.namespace
    for runs in (ns["quadratic_runs"], ns["rosenbrock_runs"]):
        difference = (runs["SparseAdam"][0] - runs["Adam"][0]).abs().max().item()
        assert 0 < difference < 1e-7  # same update, operations in another order: float64 rounding differs


@pytest.mark.claim("optim-rosenbrock-lbfgs")
def test_on_rosenbrock_only_lbfgs_gets_below_1e_6_in_200_steps_all_others_stay_above_1_3(trajectories):
    runs = trajectories.namespace["rosenbrock_runs"]
    finals = {name: losses[-1].item() for name, (_, losses, _) in runs.items()}
    below = {name for name, value in finals.items() if value < 1e-6}
    assert below == {"LBFGS"}
    assert finals["LBFGS"] == pytest.approx(1.9e-10, rel=0.05)
    assert runs["LBFGS"][2] == 250  # closure evaluations: the line search costs extra
    assert trajectories.namespace["ROSENBROCK"]["steps"] == 200
    others = [value for name, value in finals.items() if name != "LBFGS" and math.isfinite(value)]
    assert min(others) == pytest.approx(1.38, abs=0.005) and min(others) > 1.3
    assert not math.isfinite(finals["RAdam"])


@pytest.mark.claim("optim-adadelta-slow-start")
def test_adadelta_at_lr_1_moves_little_in_100_steps_on_the_quadratic(trajectories, note):
    runs = trajectories.namespace["quadratic_runs"]
    assert runs["Adadelta"][1][0].item() == pytest.approx(36.1, abs=0.05)
    assert runs["Adadelta"][1][-1].item() == pytest.approx(22.6, abs=0.05)
    lengths = note.namespace["LENGTHS"]["Adadelta"]  # constant gradient 0.1, lr = 1
    assert lengths[0] == pytest.approx(0.1 * math.sqrt(1e-6) / math.sqrt(0.1 * 0.1**2 + 1e-6), rel=1e-6)
    assert lengths[0] == pytest.approx(0.0032, abs=5e-5) and lengths[999] == pytest.approx(0.0105, abs=5e-4)


# ---------------------------------------------------------------- digits


def _final(digits, label):
    losses, accuracies = digits.namespace["RESULTS"][label]
    return losses[:, -1], 100 * accuracies[:, -1]


@pytest.mark.claim("optim-digits-momentum")
def test_digits_momentum_takes_sgd_from_loss_0_79_and_86_6_percent_to_0_078_and_96_1(digits):
    assert digits.namespace["SEEDS"] == (0, 1, 2) and digits.namespace["STEPS"] == 150
    loss, accuracy = _final(digits, "SGD")
    assert loss.mean() == pytest.approx(0.79, abs=0.005) and accuracy.mean() == pytest.approx(86.6, abs=0.05)
    loss, accuracy = _final(digits, "SGD + momentum")
    assert loss.mean() == pytest.approx(0.078, abs=0.0005) and accuracy.mean() == pytest.approx(96.1, abs=0.05)
    assert (_final(digits, "SGD + momentum")[1] > _final(digits, "SGD")[1].max()).all()  # every seed


@pytest.mark.claim("optim-digits-train-vs-test")
def test_digits_rprop_and_lbfgs_fit_the_training_set_but_score_below_the_adaptive_three(digits):
    for label, expected in (("Rprop", 95.4), ("LBFGS", 96.1)):
        loss, accuracy = _final(digits, label)
        assert loss.max() < 1e-4  # every seed
        assert accuracy.mean() == pytest.approx(expected, abs=0.05)
    for label, expected in (("Adagrad", 97.2), ("RMSprop", 97.9), ("Adam", 97.4)):
        loss, accuracy = _final(digits, label)
        assert loss.min() > 1e-2  # every seed
        assert accuracy.mean() == pytest.approx(expected, abs=0.05)
    assert "Adam            Adam(lr=0.01)" in digits.output
    assert ["Adam", "2.92e-02", "±", "2.9e-03", "97.4", "%", "±", "0.3"] in [line.split() for line in digits.output.splitlines()]


def test_digits_split_is_1437_training_and_360_held_out_images(digits):
    x_train, y_train, x_test, y_test = digits.namespace["DATA"]
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert float(x_train.max()) == 1.0 and float(x_train.min()) == 0.0


# ---------------------------------------------------------------- the note's ten lines


@pytest.mark.claim("optim-note-constant-gradient")
def test_constant_gradient_step_lengths_adagrad_shrinks_rmsprop_settles_adam_stays_rprop_grows(note):
    lengths = note.namespace["LENGTHS"]
    k = np.arange(1, 1001)
    np.testing.assert_allclose(lengths["Adagrad"], 1 / np.sqrt(k), rtol=1e-6)
    np.testing.assert_allclose(lengths["RMSprop"], 1 / np.sqrt(1 - 0.99**k), rtol=1e-5)
    assert lengths["RMSprop"][0] == pytest.approx(10, rel=1e-5) and lengths["RMSprop"][-1] == pytest.approx(1, rel=1e-4)
    np.testing.assert_allclose(lengths["Adam"], 1, rtol=1e-6)
    np.testing.assert_allclose(lengths["Adamax"], 1, rtol=1e-6)
    np.testing.assert_allclose(lengths["SGD"], 0.1, rtol=1e-9)
    np.testing.assert_allclose(lengths["Rprop"], np.minimum(1.2 ** (k - 1), 50 / 0.01), rtol=1e-9)
    assert lengths["Rprop"][47] == pytest.approx(5000, rel=1e-9) and lengths["Rprop"][46] < 4400  # capped from step 48 on


@pytest.mark.claim("optim-note-sparseadam-lazy")
def test_sparseadam_moves_only_rows_in_the_gradient_adam_moves_all_and_dense_is_refused(note):
    assert note.namespace["sparse_rows_moved"]("Adam") == [0, 1, 2, 3]
    assert note.namespace["sparse_rows_moved"]("SparseAdam") == [0]
    assert "does not support dense gradients" in note.namespace["sparseadam_refuses_dense"]()


@pytest.mark.claim("optim-note-asgd-average")
def test_asgd_ax_is_a_copy_of_the_weight_until_step_t0_1e6(note):
    gap = note.namespace["asgd_average_gap"]
    assert gap() == 0.0
    assert gap(t0=100) == pytest.approx(0.215, abs=5e-4)
    assert "    0 with the default t0 = 1e6, 0.215 with t0 = 100" in note.output


@pytest.mark.claim("optim-note-adamax-max")
def test_adamax_exp_inf_is_max_of_0_999_times_previous_and_abs_g_plus_eps(note):
    values = note.namespace["adamax_exp_inf"]([3.0, -1.0, 0.5, 5.0, 0.0])
    expected, previous = [], 0.0
    for g in (3.0, -1.0, 0.5, 5.0, 0.0):
        previous = max(0.999 * previous, abs(g) + 1e-8)
        expected.append(previous)
    assert values == pytest.approx(expected, rel=1e-12)
    assert [round(v, 3) for v in values] == [3.0, 2.997, 2.994, 5.0, 4.995]


@pytest.mark.claim("optim-note-lbfgs-evaluations")
def test_one_lbfgs_step_runs_20_iterations_and_up_to_25_closure_calls(note):
    one_step = note.namespace["lbfgs_one_step"]
    calls, iterations, _ = one_step()
    assert (calls, iterations) == (20, 20)
    calls, iterations, _ = one_step(line_search_fn="strong_wolfe")
    assert (calls, iterations) == (25, 19)
    assert "one step() = 20 iterations, 20 closure calls" in note.output
