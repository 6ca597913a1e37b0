"""The claims of docs/momentum.md, checked by running its snippets."""

import math

import numpy as np
import pytest
import torch


@pytest.fixture(scope="module")
def weights(snippet):
    return snippet("momentum/ema_weights")


@pytest.fixture(scope="module")
def formula(snippet):
    return snippet("momentum/pytorch_momentum")


@pytest.fixture(scope="module")
def note(snippet):
    return snippet("momentum/note_experiment")


@pytest.fixture(scope="module")
def theory(snippet):
    return snippet("momentum/rate_theory")


@pytest.fixture(scope="module")
def valley(snippet):
    return snippet("momentum/ill_conditioned")


# Exponentially weighted averages


@pytest.mark.claim("mom-weights-sum")
def test_100_most_recent_weights_sum_to_1_minus_beta_100_that_is_0_867_0_994_0_99997_and_1_minus_2e_10(weights):
    held = weights.namespace["held"]
    expected = {0.98: 0.867, 0.95: 0.994, 0.9: 0.99997}
    for beta in weights.namespace["BETAS"]:
        assert held(beta, 100) == pytest.approx(1 - beta**100, abs=1e-12)
    for beta, value in expected.items():
        assert held(beta, 100) == pytest.approx(value, abs=5e-6 if beta == 0.9 else 5e-4)
    assert 1 - held(0.8, 100) == pytest.approx(2.0e-10, rel=0.02)
    assert "beta = 0.98: 0.867380" in weights.output


@pytest.mark.claim("mom-ten-steps")
def test_beta_0_9_ten_values_hold_65_percent_22_hold_90_and_44_hold_99_mean_age_9(weights):
    ns = weights.namespace
    cumulative = np.cumsum(ns["weights"](0.9, 200))
    assert cumulative[9] == pytest.approx(0.651, abs=5e-4)
    assert int(np.argmax(cumulative >= 0.9)) + 1 == 22 == ns["terms_for"](0.9, 0.9)
    assert int(np.argmax(cumulative >= 0.99)) + 1 == 44 == ns["terms_for"](0.9, 0.99)
    assert 0.9**10 == pytest.approx(0.349, abs=5e-4)
    assert ns["mean_age"](0.9) == pytest.approx(9.0, abs=1e-9)
    assert "the 10 most recent values hold 65.1% of the weight" in weights.output


@pytest.mark.claim("mom-zero-start-bias")
def test_average_of_constant_1_from_zero_is_1_minus_beta_t_0_02_0_183_0_867_and_correction_gives_1(weights):
    ema = weights.namespace["ema"]
    raw = ema([1.0] * 200, 0.98)
    corrected = ema([1.0] * 200, 0.98, correct=True)
    for t, value in enumerate(raw, start=1):
        assert value == pytest.approx(1 - 0.98**t, rel=1e-12)
    assert [round(raw[t - 1], 3) for t in (1, 10, 100)] == [0.02, 0.183, 0.867]
    assert corrected == pytest.approx([1.0] * 200, rel=1e-12)


# PyTorch's momentum


@pytest.mark.claim("mom-formula-matches-sgd")
@pytest.mark.parametrize("lr", [0.001, 0.01, 0.03, 0.1])
@pytest.mark.parametrize("m", [0.5, 0.63, 0.9, 0.99])
def test_v_equals_m_v_plus_g_from_v1_equals_g1_matches_torch_sgd_for_100_steps(formula, lr, m):
    ns = formula.namespace
    hand_x, hand_v = ns["heavy_ball"](lr, m)
    torch_x, torch_v = ns["torch_sgd"](lr, momentum=m)
    assert len(hand_v) == len(torch_v) == 100
    assert hand_v[0] == torch_v[0] == 16.0  # v_1 = g_1 = f'(2)
    scale = max(abs(v) for v in hand_v)
    # Different rounding only: within 1e-14 of the largest buffer, at every step.
    assert max(abs(a - b) for a, b in zip(hand_v, torch_v)) <= 1e-14 * scale
    assert max(abs(a - b) for a, b in zip(hand_x, torch_x)) <= 1e-14 * scale


@pytest.mark.claim("mom-average-rescaled")
@pytest.mark.parametrize("m", [0.5, 0.63, 0.9, 0.99])
def test_sgd_with_lr_equals_descent_on_zero_started_average_with_lr_over_1_minus_m(formula, m):
    ns = formula.namespace
    torch_x, torch_v = ns["torch_sgd"](0.01, momentum=m)
    ema_x, ema_u = ns["ema_descent"](0.01 / (1 - m), beta=m)
    assert max(abs(a - b) for a, b in zip(torch_x, ema_x)) <= 1e-14
    # The buffer is the average divided by (1 - m): lr v = (lr / (1 - m)) u.
    assert ema_u == pytest.approx([(1 - m) * v for v in torch_v], rel=1e-12, abs=1e-14)


@pytest.mark.claim("mom-dampening-first-step")
def test_dampening_m_with_lr_0_1_steps_10x_further_first_x1_0_4_not_1_84_and_swings_to_minus_4_03(formula):
    ns = formula.namespace
    damped_x, damped_v = ns["torch_sgd"](0.1, momentum=0.9, dampening=0.9)
    plain_x, _ = ns["torch_sgd"](0.01, momentum=0.9)
    assert damped_v[0] == 16.0  # the first buffer is g_1, not (1 - 0.9) g_1
    assert damped_x[1] == pytest.approx(0.4, abs=1e-12)
    assert plain_x[1] == pytest.approx(1.84, abs=1e-12)
    assert (2 - damped_x[1]) / (2 - plain_x[1]) == pytest.approx(10, rel=1e-9)
    assert min(damped_x) == pytest.approx(-4.03, abs=5e-3)
    assert min(plain_x) == pytest.approx(-1.12, abs=5e-3)


# The source note's experiment


def _table(note):
    ns = note.namespace
    rows = {}
    for lr, m in ns["RUNS"]:
        xs = ns["run"](lr, m)
        loss = ns["losses"](xs)
        rows[(lr, m)] = {
            "xs": xs,
            "loss": loss,
            "first": ns["first_below"](loss),
            "stays": ns["stays_below"](loss),
            "signs": ns["sign_changes"](xs),
        }
    return rows


@pytest.mark.claim("mom-note-runs")
def test_note_runs_end_at_9_2e_7_2_3e_23_3_8e_4_8_5e_20_reach_1e_3_at_59_18_60_21_and_cross_0_0_9_7_times(note):
    rows = _table(note)
    expected = {
        (0.01, 0.0): (9.2e-7, 59, 0),
        (0.03, 0.0): (2.3e-23, 18, 0),
        (0.01, 0.9): (3.8e-4, 60, 9),
        (0.01, 0.63): (8.5e-20, 21, 7),
    }
    for key, (final, first, signs) in expected.items():
        row = rows[key]
        assert len(row["loss"]) == 101
        assert row["loss"][100] == pytest.approx(final, rel=0.03)
        assert row["first"] == first
        assert len(row["signs"]) == signs


@pytest.mark.claim("mom-note-larger-lr")
def test_without_momentum_lr_0_03_is_below_lr_0_01_at_every_iteration(note):
    rows = _table(note)
    small, large = rows[(0.01, 0.0)]["loss"], rows[(0.03, 0.0)]["loss"]
    assert all(b < a for a, b in zip(small[1:], large[1:]))
    assert 0.03 < 0.125  # both below 1/8, where the learning-rate chapter shows larger is faster


@pytest.mark.claim("mom-note-point-nine")
def test_m_0_9_crosses_zero_at_step_6_yet_stays_below_1e_3_only_from_90_and_ends_400x_above_no_momentum(note):
    rows = _table(note)
    heavy, plain = rows[(0.01, 0.9)], rows[(0.01, 0.0)]
    assert heavy["signs"][0] == 6 and heavy["xs"][5] > 0 > heavy["xs"][6]
    assert plain["signs"] == []
    assert heavy["first"] == 60 and plain["first"] == 59
    assert heavy["stays"] == 90 and plain["stays"] == 59
    ratio = heavy["loss"][100] / plain["loss"][100]
    assert 380 < ratio < 430


@pytest.mark.claim("mom-note-point-six-three")
def test_m_0_63_reaches_1e_3_at_21_not_59_but_lr_0_03_gets_there_at_18_and_ends_3600x_lower(note):
    rows = _table(note)
    tuned, plain, large = rows[(0.01, 0.63)], rows[(0.01, 0.0)], rows[(0.03, 0.0)]
    assert (tuned["first"], plain["first"], large["first"]) == (21, 59, 18)
    assert tuned["stays"] == 21
    ratio = tuned["loss"][100] / large["loss"][100]
    assert 3400 < ratio < 3800


# The theory


@pytest.mark.claim("mom-critical-damping")
def test_critical_momentum_0_514_gives_rate_0_717_and_m_0_51_ends_at_1_9e_23_level_with_lr_0_03(theory):
    ns = theory.namespace
    m_star = ns["critical_momentum"]()
    assert m_star == pytest.approx(0.5143, abs=5e-5)
    assert math.sqrt(m_star) == pytest.approx(0.7172, abs=5e-5)
    assert ns["predicted_rate"](m_star) == pytest.approx(math.sqrt(m_star), abs=1e-6)
    # The smallest predicted rate over a fine sweep sits at m*.
    fine = np.linspace(0, 0.98, 4901)
    best = fine[np.argmin([ns["predicted_rate"](m) for m in fine])]
    assert best == pytest.approx(m_star, abs=2e-4)
    assert ns["predicted_rate"](0.0) == pytest.approx(0.92, abs=1e-12)
    assert abs(1 - 0.03 * 8) == pytest.approx(0.76)
    assert ns["sgd_loss"](0.01, 0.51) == pytest.approx(1.9e-23, rel=0.03)
    assert ns["sgd_loss"](0.03, 0.0) == pytest.approx(2.3e-23, rel=0.03)


@pytest.mark.claim("mom-rate-measured")
def test_measured_rate_matches_larger_root_within_half_a_percent_for_50_momenta(theory):
    ns = theory.namespace
    sweep = ns["SWEEP"]
    assert len(sweep) == 50 and sweep[0] == 0 and sweep[-1] == 0.98
    gaps = [abs(ns["measured_rate"](m) / ns["predicted_rate"](m) - 1) for m in sweep]
    assert max(gaps) < 5e-3
    assert ns["predicted_rate"](0.63) == pytest.approx(0.794, abs=5e-4)
    assert ns["predicted_rate"](0.9) == pytest.approx(0.949, abs=5e-4)
    # The hand recurrence is torch.optim.SGD's.
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=0.01, momentum=0.9)
    seen = [x.item()]
    for _ in range(200):
        optimizer.zero_grad()
        (4 * x**2).backward()
        optimizer.step()
        seen.append(x.item())
    assert seen == pytest.approx(ns["iterates"](0.9, steps=200), abs=1e-13)


@pytest.mark.claim("mom-half-period")
def test_x_changes_sign_every_11_0_steps_for_m_0_9_and_14_4_for_m_0_63(theory):
    ns = theory.namespace
    for m, period in ((0.9, 11.0), (0.63, 14.4)):
        assert ns["half_period"](m) == pytest.approx(period, abs=0.05)
        xs = ns["iterates"](m, steps=1000)
        crossings = [t for t in range(1, len(xs)) if xs[t - 1] * xs[t] < 0]
        spacing = (crossings[-1] - crossings[0]) / (len(crossings) - 1)
        assert spacing == pytest.approx(period, abs=0.1)


# The ill-conditioned quadratic


@pytest.fixture(scope="module")
def tuned(valley):
    return valley.namespace["tuned"]  # the snippet's grid search, as the page shows it


def _sgd_iterations(valley, method):
    """Iterations to stay below the tolerance in the snippet's torch.optim.SGD run of `method`."""
    ns = valley.namespace
    _, loss = ns["runs"][method]
    return int(ns["iterations_to"](loss[:, None])[0])


@pytest.mark.claim("mom-valley-gradient-descent")
def test_tuned_gradient_descent_lr_0_245_needs_420_iterations_to_stay_below_1e_6(valley, tuned):
    assert tuned["gradient descent"] == (0.245, 0.0, 420)
    assert _sgd_iterations(valley, "gradient descent") == 420
    assert valley.namespace["f"](torch.tensor(valley.namespace["START"])).item() == 32


@pytest.mark.claim("mom-valley-heavy-ball")
def test_tuned_heavy_ball_lr_0_38_m_0_69_needs_50_iterations_tied_by_two_other_grid_points(valley, tuned):
    ns = valley.namespace
    assert tuned["heavy ball"] == (0.38, 0.69, 50)
    assert _sgd_iterations(valley, "heavy ball") == 50
    lrs, momenta = (grid.ravel() for grid in np.meshgrid(ns["MOMENTUM_LRS"], ns["MOMENTA"]))
    counts = ns["iterations_to"](ns["grid_losses"](lrs, momenta))
    assert int(counts.min()) == 50 and int((counts == 50).sum()) == 3


@pytest.mark.claim("mom-valley-nesterov")
def test_tuned_nesterov_lr_0_14_m_0_82_needs_69_iterations(valley, tuned):
    assert tuned["Nesterov"] == (0.14, 0.82, 69)
    assert _sgd_iterations(valley, "Nesterov") == 69


@pytest.mark.claim("mom-valley-textbook")
def test_textbook_settings_need_433_66_101_iterations_at_rates_0_9802_0_8192_0_9011(valley):
    ns = valley.namespace
    expected = {  # lr, m, iterations, measured rate, theoretical rate
        "gradient descent": (0.2475, 0.0, 433, 0.9802, 99 / 101),
        "heavy ball": (0.4132, 0.6694, 66, 0.8192, 9 / 11),
        "Nesterov": (0.125, 0.8182, 101, 0.9011, 0.9),
    }
    for method, (lr, momentum, count, measured, theory) in expected.items():
        got_lr, got_m = ns["classical"](method)
        assert (got_lr, got_m) == pytest.approx((lr, momentum), abs=5e-5)
        losses = ns["grid_losses"]([got_lr], [got_m], nesterov=method == "Nesterov")  # = SGD: see below
        assert int(ns["iterations_to"](losses)[0]) == count
        rate = ns["rate"](losses[:, 0])
        assert rate == pytest.approx(measured, abs=5e-5)
        assert rate == pytest.approx(theory, abs=2e-3)


@pytest.mark.claim("mom-valley-large-lr")
def test_heavy_ball_lr_0_38_diverges_without_momentum_but_converges_with_m_0_69(valley):
    ns = valley.namespace
    assert 0.38 * 8 > 2 and 0.38 * 8 < 2 * (1 + 0.69)
    _, plain = ns["sgd_path"](0.38, 0.0, steps=100)
    _, heavy = ns["sgd_path"](0.38, 0.69, steps=100)
    assert plain[-1].item() > 1e6 * plain[0].item()
    assert heavy[-1].item() < 1e-10


def test_the_grid_recurrence_is_torch_sgd(valley):
    ns = valley.namespace
    for lr, momentum, nesterov in ((0.245, 0.0, False), (0.38, 0.69, False), (0.14, 0.82, True)):
        grid = ns["grid_losses"]([lr], [momentum], nesterov=nesterov, steps=300)[:, 0]
        _, loss = ns["sgd_path"](lr, momentum, nesterov=nesterov, steps=300)
        assert torch.allclose(grid, loss, rtol=1e-9, atol=1e-300)


@pytest.mark.claim("mom-adam-first-step")
@pytest.mark.parametrize("scale", [1e-3, 1.0, 250.0])
def test_adams_bias_correction_makes_its_first_step_lr_long_whatever_the_gradient_size(scale):
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=0.01)  # default betas (0.9, 0.999), eps 1e-8
    w.grad = scale * torch.tensor([1.0, -2.0, 5.0], dtype=torch.float64)
    optimizer.step()
    assert torch.allclose(w.detach(), torch.tensor([-0.01, 0.01, -0.01], dtype=torch.float64), rtol=1e-5)
    beta1, beta2 = optimizer.param_groups[0]["betas"]
    assert (1 - beta1) / math.sqrt(1 - beta2) == pytest.approx(3.16, abs=5e-3)
