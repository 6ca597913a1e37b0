"""The claims of docs/momentum.md, checked against the runs of its snippets.

The page quotes the snippets' recorded values (`result.values`); each test checks that those values
are what the snippet's own functions (or torch) compute, and that they bear out the sentence.
"""

import math

import numpy as np
import pytest
import torch
from conftest import snippet_fixture


weights = snippet_fixture("momentum/ema_weights")
formula = snippet_fixture("momentum/pytorch_momentum")
note = snippet_fixture("momentum/note_experiment")
theory = snippet_fixture("momentum/rate_theory")
valley = snippet_fixture("momentum/ill_conditioned")


# Exponentially weighted averages


@pytest.mark.claim("mom-weights-sum")
def test_recent_weights_sum_to_one_minus_beta_to_the_n(weights):
    """For N = 100 the sum is 0.867 for β = 0.98, 0.994 for β = 0.95, 0.99997 for β = 0.9, and for
    β = 0.8 it is 1 − 2 × 10⁻¹⁰."""
    values, ns = weights.values, weights.namespace
    n = values["N"]
    for beta, share, rest in zip(values["BETAS"], values["held_by_n"], values["missing"]):
        assert share == ns["held"](beta, n) == pytest.approx(1 - beta**n, abs=1e-12)
        assert rest == beta**n
        assert share == pytest.approx(1 - rest, abs=1e-12)


@pytest.mark.claim("mom-ten-steps")
def test_the_last_ten_values_hold_two_thirds(weights):
    """As a scale it is right: the weight 10 steps back is 0.9¹⁰ = 0.349 of the newest
    (1/e ≈ 0.368), and the weighted mean age of the averaged values is β/(1 − β) = 9 steps. ...
    For β = 0.9 the 10 most recent values hold only 65.1 % of the weight; it takes 22 values to
    hold 90 % and 44 to hold 99 %."""
    values, ns = weights.values, weights.namespace
    beta, recent = values["BETA"], values["recent"]
    assert recent == round(1 / (1 - beta)) and values["memory"] == pytest.approx(1 / (1 - beta))
    w = ns["weights"](beta, 1000)
    assert values["weight_back"] == pytest.approx(w[recent] / w[0], rel=1e-12)
    assert values["weight_back"] == pytest.approx(beta**recent, rel=1e-12)
    assert values["inverse_e"] == math.exp(-1)
    assert values["average_age"] == pytest.approx(beta / (1 - beta), rel=1e-9)
    cumulative = np.cumsum(w)
    assert values["held_recent"] == pytest.approx(cumulative[recent - 1], rel=1e-12)
    for share, count in zip(values["SHARES"], values["terms"]):
        assert count == int(np.argmax(cumulative >= share)) + 1  # the fewest values holding `share`
    assert values["older_share"] == pytest.approx(beta**recent, rel=1e-12)  # "β^10 again"


@pytest.mark.claim("mom-zero-start-bias")
def test_zero_started_average_and_its_correction(weights):
    """With β = 0.98 and c = 1, v₁ = 0.020, v₁₀ = 0.183 and v₁₀₀ = 0.867; dividing by 1 − βᵗ gives
    back c at every step, to rounding error (within 10⁻¹⁴)."""
    values, ns = weights.values, weights.namespace
    beta, level = values["BIAS_BETA"], values["LEVEL"]
    raw = ns["ema"]([level] * values["BIAS_STEPS"], beta)
    corrected = ns["ema"]([level] * values["BIAS_STEPS"], beta, correct=True)
    for t, value in enumerate(raw, start=1):
        assert value == pytest.approx((1 - beta**t) * level, rel=1e-12)
    assert values["raw_at"] == [raw[t - 1] for t in values["SHOWN_STEPS"]]
    assert values["corrected_gap"] == max(abs(v - level) for v in corrected) <= values["ROUNDING"]


@pytest.mark.claim("mom-adam-first-step")
def test_adams_first_step_is_lr_long(weights):
    """Adam corrects both of its averages this way, which makes its very first step exactly η long
    in every coordinate (up to its ε) whatever the gradient's size; uncorrected averages would make
    it (1 − 0.9)/√(1 − 0.999) = 3.16 times as long with the default betas."""
    values, ns = weights.values, weights.namespace
    lr = values["ADAM_LR"]
    defaults = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    assert tuple(values["adam_betas"]) == defaults["betas"]
    eps = defaults["eps"]
    for scale, step in zip(values["ADAM_SCALES"], values["first_steps"]):
        gradient = [scale * g for g in values["ADAM_GRADIENT"]]
        assert step == ns["adam_first_step"](gradient)
        for s, g in zip(step, gradient):
            assert -s * math.copysign(1, g) == pytest.approx(lr * abs(g) / (abs(g) + eps), rel=1e-12)
            assert abs(s) == pytest.approx(lr, rel=eps / abs(g) + 1e-12)
    beta1, beta2 = defaults["betas"]
    g = torch.tensor(values["ADAM_GRADIENT"], dtype=torch.float64)
    uncorrected = ((1 - beta1) * g) / ((1 - beta2) * g**2).sqrt()  # one step without the correction, in lr
    assert torch.allclose(uncorrected.abs(), torch.full_like(g, values["uncorrected_first_step"]), rtol=1e-12)


# PyTorch's momentum


@pytest.mark.claim("mom-formula-matches-sgd")
@pytest.mark.parametrize("lr_index", range(4))
@pytest.mark.parametrize("m_index", range(4))
def test_hand_recurrence_matches_torch_sgd(formula, lr_index, m_index):
    """Both start with v₁ = g₁ = f'(2) = 16. For learning rates from 0.001 to 0.1 and momenta from
    0.5 to 0.99, the hand-written buffers and iterates agree with torch.optim.SGD at every one of
    100 steps to within 10⁻¹⁴ of the largest buffer."""
    values, ns = formula.values, formula.namespace
    lr, m = values["SWEEP_LRS"][lr_index], values["SWEEP_MOMENTA"][m_index]
    hand_x, hand_v = ns["heavy_ball"](lr, m)
    torch_x, torch_v = ns["torch_sgd"](lr, momentum=m)
    assert len(hand_v) == len(torch_v) == values["STEPS"]
    assert hand_v[0] == torch_v[0] == values["first_buffer"] == 8 * values["X0"]  # v_1 = g_1 = f'(x0)
    scale = max(abs(v) for v in hand_v)
    assert max(abs(a - b) for a, b in zip(hand_v, torch_v)) <= values["TOLERANCE"] * scale
    assert max(abs(a - b) for a, b in zip(hand_x, torch_x)) <= values["TOLERANCE"] * scale
    assert values["worst"] <= values["TOLERANCE"]


@pytest.mark.claim("mom-average-rescaled")
@pytest.mark.parametrize("m_index", range(4))
def test_momentum_is_descent_on_the_average_with_a_larger_lr(formula, m_index):
    """SGD with lr = 0.01 and momentum m, and descent with η = 0.01/(1 − m) on the zero-started
    average, give the same iterates to within 10⁻¹⁴ for m from 0.5 to 0.99."""
    values, ns = formula.values, formula.namespace
    lr, m = values["LR"], values["SWEEP_MOMENTA"][m_index]
    torch_x, torch_v = ns["torch_sgd"](lr, momentum=m)
    ema_x, ema_u = ns["ema_descent"](lr / (1 - m), beta=m)
    assert max(abs(a - b) for a, b in zip(torch_x, ema_x)) <= values["TOLERANCE"]
    # The buffer is the average divided by (1 - m): lr v = (lr / (1 - m)) u.
    assert ema_u == pytest.approx([(1 - m) * v for v in torch_v], rel=1e-12, abs=1e-14)
    assert values["rescaled"] <= values["TOLERANCE"]


@pytest.mark.claim("mom-dampening-first-step")
def test_dampening_starts_the_average_at_the_first_gradient(formula):
    """SGD with lr = 0.1, momentum = dampening = 0.9 moves x from 2 to 0.4 on the first step
    instead of to 1.84, 10 times as far. It then swings down to −4.03, where the undamped run
    turns back at −1.12."""
    values, ns = formula.values, formula.namespace
    lr, m = values["averaged_lr"], values["M"]
    assert lr == values["LR"] / (1 - m)
    damped_x, damped_v = ns["torch_sgd"](lr, momentum=m, dampening=m)
    plain_x, _ = ns["torch_sgd"](values["LR"], momentum=m)
    assert damped_x == values["damped_x"] and plain_x == values["torch_x"]
    assert damped_v[0] == 8 * values["X0"]  # the first buffer is g_1, not (1 - m) g_1
    assert values["first_step_ratio"] == pytest.approx(1 / (1 - m), rel=1e-12)
    assert values["first_step_ratio"] == (values["X0"] - damped_x[1]) / (values["X0"] - plain_x[1])
    shown = values["PLOTTED"] + 1
    assert values["damped_lowest"] == min(damped_x[:shown]) < values["plain_lowest"] == min(plain_x[:shown]) < 0
    turn = plain_x.index(values["plain_lowest"])
    assert plain_x[turn - 1] > plain_x[turn] < plain_x[turn + 1]  # where the undamped run turns back


# The source note's experiment


@pytest.fixture(scope="module")
def table(note):
    """The four runs as the snippet's functions measure them, beside its recorded table."""
    ns, values = note.namespace, note.values
    rows = []
    for (lr, m), recorded in zip(values["RUNS"], values["table"]):
        xs = ns["run"](lr, m)
        loss = ns["losses"](xs)
        rows.append({"xs": xs, "loss": loss, "recorded": recorded})
        assert (recorded["lr"], recorded["momentum"]) == (lr, m)
        assert recorded["final"] == loss[values["ITERATIONS"]]
        assert recorded["first_below"] == ns["first_below"](loss)
        assert recorded["stays_below"] == ns["stays_below"](loss)
        assert recorded["sign_changes"] == len(ns["sign_changes"](xs))
    return rows


@pytest.mark.claim("mom-note-runs")
def test_the_four_runs(note, table):
    """After 100 iterations the losses are 9.2 × 10⁻⁷, 2.3 × 10⁻²³, 3.8 × 10⁻⁴ and 8.5 × 10⁻²⁰. The
    loss first drops below 10⁻³ at iterations 59, 18, 60 and 21, and x changes sign 0, 0, 9 and 7
    times."""
    tolerance = note.values["TOLERANCE"]
    for row in table:
        loss, first = row["loss"], row["recorded"]["first_below"]
        assert len(loss) == note.values["ITERATIONS"] + 1
        assert loss[first] < tolerance and all(value >= tolerance for value in loss[:first])
        changes = sum(a * b < 0 for a, b in zip(row["xs"], row["xs"][1:]))
        assert changes == row["recorded"]["sign_changes"]


@pytest.mark.claim("mom-note-larger-lr")
def test_without_momentum_the_larger_rate_is_lower_throughout(note, table):
    """True here: lr 0.03 has the lower loss at every iteration after the start."""
    small, large = table[0]["loss"], table[1]["loss"]
    assert note.values["RUNS"][:2] == [[note.values["SMALL_LR"], 0.0], [note.values["LARGE_LR"], 0.0]]
    assert all(b < a for a, b in zip(small[1:], large[1:]))
    assert note.values["large_ahead"] == list(range(1, len(small)))
    assert note.values["LARGE_LR"] < 1 / 8  # "both rates are below 1/8"


@pytest.mark.claim("mom-note-point-nine")
def test_high_momentum_is_faster_only_at_first(note, table):
    """Only the first stretch is faster: the loss with momentum is below the loss without it at
    iterations 2 to 8, and after that only in the dips where x passes through the minimum, the last
    at iteration 71. x first passes through the minimum between iterations 5 and 6, while without
    momentum it never changes sign. The loss first drops below 10⁻³ at iteration 60, later than
    without momentum (59), and it stays below only from iteration 90. After 100 iterations it is 412
    times the loss without momentum."""
    values, ns = note.values, note.namespace
    plain, high = table[0], table[2]
    ahead = ns["lower"](high["loss"], plain["loss"])
    assert ahead == values["high_ahead"]
    start, end = values["high_ahead_first"]
    assert ahead[: end - start + 1] == list(range(start, end + 1)) and end + 1 not in ahead
    assert start == ahead[0]
    dips = ahead[end - start + 1 :]  # each later stretch holds a sign change of x
    crossings = ns["sign_changes"](high["xs"])
    for k in dips:
        assert any(abs(k - t) <= 2 for t in crossings), k
    assert values["high_ahead"][-1] == max(ahead)
    before, after = values["high_first_cross"]
    assert after == crossings[0] == before + 1 and high["xs"][before] > 0 > high["xs"][after]
    assert ns["sign_changes"](plain["xs"]) == []
    assert high["recorded"]["first_below"] > plain["recorded"]["first_below"]
    assert high["recorded"]["stays_below"] > high["recorded"]["first_below"]
    assert values["high_over_plain"] == high["loss"][-1] / plain["loss"][-1] > 1


@pytest.mark.claim("mom-note-point-six-three")
def test_low_momentum_is_still_behind_the_larger_rate(note, table):
    """Faster than without momentum at the same learning rate: the loss is below 10⁻³ from
    iteration 21 instead of 59. It is still not faster than simply taking the larger learning rate:
    lr 0.03 without momentum gets there at iteration 18, has the lower loss at all but 12 of the 100
    iterations (the momentum run dips below it only around its passes through the minimum, first at
    iterations 8 to 12), and ends 3635 times lower."""
    values, ns = note.values, note.namespace
    plain, large, low = table[0], table[1], table[3]
    assert low["recorded"]["stays_below"] < plain["recorded"]["stays_below"]
    assert large["recorded"]["first_below"] < low["recorded"]["first_below"]
    ahead = ns["lower"](low["loss"], large["loss"])
    assert ahead == values["low_ahead"] and len(ahead) == values["low_ahead_count"]
    assert values["low_ahead_count"] < values["ITERATIONS"] / 2
    start, end = values["low_ahead_first"]
    assert ahead[: end - start + 1] == list(range(start, end + 1))
    crossings = ns["sign_changes"](low["xs"])
    assert start <= crossings[0] <= end + 1  # around its first pass through the minimum
    assert values["low_over_large"] == low["loss"][-1] / large["loss"][-1] > 1


@pytest.mark.claim("mom-note-usual-setting")
def test_the_usual_momentum_ends_highest(note, table):
    """This experiment gives no support for it: of the four runs, momentum 0.9 ends highest."""
    finals = [row["loss"][-1] for row in table]
    assert finals.index(max(finals)) == 2
    assert note.values["RUNS"][2][1] == note.values["HIGH_MOMENTUM"]
    assert note.values["highest"] == table[2]["recorded"]


# The theory


@pytest.mark.claim("mom-critical-damping")
def test_critical_damping(theory, note):
    """For η = 0.01 and L = 8, m* = 0.514 with rate 0.717, against 0.92 without momentum and 0.76 for
    lr 0.03 without momentum. With m = 0.51, the small learning rate ends 100 iterations at
    1.9 × 10⁻²³, below lr 0.03's 2.3 × 10⁻²³."""
    values, ns = theory.values, theory.namespace
    lr, curvature = values["LR"], values["L"]
    m_star = values["m_star"]
    assert m_star == ns["critical_momentum"]() == pytest.approx((1 - math.sqrt(lr * curvature)) ** 2)
    roots = ns["roots"](m_star)
    assert abs(roots[0] - roots[1]) < 1e-6  # the double root: real on one side, complex on the other
    assert values["critical_rate"] == pytest.approx(ns["predicted_rate"](m_star), abs=1e-6)
    fine = np.linspace(0, 0.98, 4901)
    assert fine[np.argmin([ns["predicted_rate"](m) for m in fine])] == pytest.approx(m_star, abs=2e-4)
    assert values["plain_rate"] == pytest.approx(abs(1 - lr * curvature), rel=1e-12)
    assert values["compared_rate"] == pytest.approx(abs(1 - values["COMPARED_LR"] * curvature), rel=1e-12)
    assert values["COMPARED_LR"] == note.values["LARGE_LR"] and lr == note.values["SMALL_LR"]
    assert values["m_tuned"] == round(m_star, 2)
    assert values["tuned_loss"] == ns["sgd_loss"](lr, values["m_tuned"])
    assert values["compared_loss"] == ns["sgd_loss"](values["COMPARED_LR"], 0.0)
    assert values["tuned_loss"] < values["compared_loss"]
    assert values["compared_loss"] == pytest.approx(note.values["table"][1]["final"], rel=1e-9)


@pytest.mark.claim("mom-note-explained")
def test_the_rates_explain_the_note_runs(theory, note):
    """Momentum 0.63 is underdamped with rate √0.63 = 0.794, slower than lr 0.03's 0.76. Momentum 0.9
    is far underdamped with rate √0.9 = 0.949, slower even than no momentum at all (0.92)."""
    values, ns = theory.values, theory.namespace
    none, low, high = values["MARKED"]
    assert (low, high) == (note.values["LOW_MOMENTUM"], note.values["HIGH_MOMENTUM"]) and none == 0
    assert values["m_star"] < low < high
    assert values["marked_rates"][1] == pytest.approx(math.sqrt(low), rel=1e-12)
    assert values["marked_rates"][2] == pytest.approx(math.sqrt(high), rel=1e-12)
    assert values["marked_rates"][1] > values["compared_rate"]
    assert values["marked_rates"][2] > values["plain_rate"] == values["marked_rates"][0]
    for m, rate in zip(values["MARKED"], values["marked_rates"]):
        assert ns["measured_rate"](m) == pytest.approx(rate, rel=values["RATE_TOLERANCE"])


@pytest.mark.claim("mom-rate-measured")
def test_measured_rate_matches_the_larger_root(theory):
    """Measured over iterations 200 to 1200 as the average shrink per step of (x_t, x_{t−1}), the
    rate agrees with the size of the larger root to within 0.5 % for all 50 momenta from 0 to 0.98.
    The predicted rates are 0.794 for m = 0.63 and 0.949 for m = 0.9."""
    values, ns = theory.values, theory.namespace
    sweep = values["SWEEP"]
    assert len(sweep) == values["SWEEP_COUNT"] and (sweep[0], sweep[-1]) == (values["SWEEP_FROM"], values["SWEEP_TO"])
    gaps = [abs(ns["measured_rate"](m) / ns["predicted_rate"](m) - 1) for m in sweep]
    assert max(gaps) == pytest.approx(values["worst_gap"], rel=1e-9)
    assert max(gaps) <= values["RATE_TOLERANCE"]
    # The hand recurrence the rates are measured on is torch.optim.SGD's.
    x = torch.tensor(values["X0"], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=values["LR"], momentum=values["MARKED"][2])
    seen = [x.item()]
    for _ in range(values["WINDOW"][0]):
        optimizer.zero_grad()
        (values["L"] / 2 * x**2).backward()
        optimizer.step()
        seen.append(x.item())
    assert seen == pytest.approx(ns["iterates"](values["MARKED"][2], steps=values["WINDOW"][0]), abs=1e-13)


@pytest.mark.claim("mom-half-period")
def test_sign_changes_follow_the_half_period(theory, note):
    """x changes sign every 11.0 steps for m = 0.9 and every 14.4 steps for m = 0.63, as π/φ predicts
    (11.0 and 14.4), which is why the note's runs change sign 9 and 7 times in 100 iterations."""
    values, ns = theory.values, theory.namespace
    for index in (1, 2):
        m = values["MARKED"][index]
        period, spacing = values["half_periods"][index], values["spacings"][index]
        assert period == ns["half_period"](m) and spacing == ns["sign_spacing"](m)
        assert spacing == pytest.approx(period, abs=0.05)
    for index, run in ((2, 2), (1, 3)):  # MARKED index, note run
        count = note.values["table"][run]["sign_changes"]
        assert note.values["RUNS"][run][1] == values["MARKED"][index]
        assert abs(count - note.values["ITERATIONS"] / values["half_periods"][index]) < 1


# The ill-conditioned quadratic


@pytest.mark.claim("mom-valley-gradient-descent")
def test_tuned_gradient_descent(valley):
    """Tuned gradient descent, lr = 0.245, needs 420 iterations to bring the loss below 10⁻⁶ for good."""
    values, ns = valley.values, valley.namespace
    best = values["best"]["gd"]
    assert (best["lr"], best["momentum"], best["iterations"]) == ns["tune"](*ns["grids"]["gd"])
    assert best["sgd_iterations"] == best["iterations"]
    _, loss = ns["sgd_path"](best["lr"], 0.0)
    assert int(ns["iterations_to"](loss[:, None])[0]) == best["iterations"]
    assert values["start_loss"] == ns["f"](torch.tensor(values["START"], dtype=torch.float64)).item()


@pytest.mark.claim("mom-valley-heavy-ball")
def test_tuned_heavy_ball_and_its_ties(valley):
    """Heavy ball with lr = 0.38 and m = 0.69 needs 50; 2 other grid points, (0.40, 0.69) and
    (0.41, 0.68), tie with it."""
    values, ns = valley.values, valley.namespace
    best = values["best"]["heavy"]
    lrs, momenta, counts = ns["grids"]["heavy"]
    assert (best["lr"], best["momentum"], best["iterations"]) == ns["tune"](lrs, momenta, counts)
    assert best["sgd_iterations"] == best["iterations"] == min(counts)
    tied = sorted([lr, m] for lr, m, count in zip(lrs, momenta, counts) if count == best["iterations"])
    assert tied == sorted(values["heavy_ties"] + [[best["lr"], best["momentum"]]])
    assert values["heavy_tie_count"] == len(values["heavy_ties"]) == len(tied) - 1


@pytest.mark.claim("mom-valley-nesterov")
def test_tuned_nesterov(valley):
    """Nesterov momentum, tuned to lr = 0.14 and m = 0.82, needs 69."""
    ns = valley.namespace
    best = valley.values["best"]["nesterov"]
    assert (best["lr"], best["momentum"], best["iterations"]) == ns["tune"](*ns["grids"]["nesterov"])
    _, loss = ns["sgd_path"](best["lr"], best["momentum"], nesterov=True)
    assert int(ns["iterations_to"](loss[:, None])[0]) == best["sgd_iterations"] == best["iterations"]


@pytest.mark.claim("mom-valley-speedup")
def test_momentum_needs_fewer_iterations(valley):
    """Heavy ball needs 8.4 times fewer iterations than the best plain gradient descent, Nesterov
    6.1 times fewer."""
    values = valley.values
    best = values["best"]
    assert values["heavy_speedup"] == best["gd"]["iterations"] / best["heavy"]["iterations"] > 1
    assert values["nesterov_speedup"] == best["gd"]["iterations"] / best["nesterov"]["iterations"] > 1


@pytest.mark.claim("mom-valley-large-lr")
def test_heavy_balls_lr_diverges_without_its_momentum(valley):
    """lr 0.38 is above 2/L = 0.25, and without momentum it diverges along x, to a loss of
    1.3 × 10⁶³ after 100 iterations. With m = 0.69 it converges (to 1.9 × 10⁻¹⁴): the characteristic
    equation above has both roots inside the unit circle exactly when 0 ≤ m < 1 and
    0 < ηL < 2(1 + m), and 0.38 · 8 = 3.04 < 3.38."""
    values, ns = valley.values, valley.namespace
    lr, m = values["best"]["heavy"]["lr"], values["best"]["heavy"]["momentum"]
    curvature = values["CURVATURES"][0]
    assert values["gd_limit"] == 2 / curvature < lr
    assert values["heavy_eta_l"] == lr * curvature and values["heavy_bound"] == 2 * (1 + m)
    assert values["heavy_eta_l"] < values["heavy_bound"]
    path, plain = ns["sgd_path"](lr, 0.0, steps=values["CHECK_STEPS"])
    assert plain[-1].item() == values["plain_at_heavy_lr"] > plain[0].item()
    assert abs(path[-1, 0]) > abs(path[0, 0]) and abs(path[-1, 1]) < abs(path[0, 1])  # along x
    _, heavy = ns["sgd_path"](lr, m, steps=values["CHECK_STEPS"])
    assert heavy[-1].item() == values["heavy_at_heavy_lr"] < values["TOLERANCE"]
    # Both roots of the characteristic equation inside the unit circle for the x direction:
    b, c = 1 + m - lr * curvature, m
    roots = np.roots([1, -b, c])
    assert max(abs(roots)) < 1


def test_the_grid_recurrence_is_torch_sgd(valley):
    values, ns = valley.values, valley.namespace
    for method, nesterov in (("gd", False), ("heavy", False), ("nesterov", True)):
        best = values["best"][method]
        grid = ns["grid_losses"]([best["lr"]], [best["momentum"]], nesterov=nesterov, steps=300)[:, 0]
        _, loss = ns["sgd_path"](best["lr"], best["momentum"], nesterov=nesterov, steps=300)
        assert torch.allclose(grid, loss, rtol=1e-9, atol=1e-300)


@pytest.mark.claim("mom-valley-textbook")
def test_textbook_settings(valley):
    """They need 433, 66 and 101 iterations. Measured between iterations 600 and 1000, their rates
    are 0.9802, 0.8192 and 0.9011, within 0.002 of the theoretical (κ − 1)/(κ + 1) = 0.9802,
    (√κ − 1)/(√κ + 1) = 0.8182 and 1 − 1/√κ = 0.9000."""
    values, ns = valley.values, valley.namespace
    big, small = values["CURVATURES"]
    kappa = big / small
    assert values["condition_number"] == kappa
    theory = {"gd": (kappa - 1) / (kappa + 1), "heavy": (kappa**0.5 - 1) / (kappa**0.5 + 1), "nesterov": 1 - kappa**-0.5}
    for method, row in values["textbook"].items():
        lr, momentum, predicted = ns["classical"](method)
        assert (row["lr"], row["momentum"]) == (lr, momentum)
        assert row["theory"] == pytest.approx(theory[method], rel=1e-12) == predicted
        losses = ns["grid_losses"]([lr], [momentum], nesterov=method == "nesterov")
        assert int(ns["iterations_to"](losses)[0]) == row["iterations"]
        assert row["rate"] == pytest.approx(ns["rate"](losses[:, 0]), rel=1e-12)
        assert abs(row["rate"] - row["theory"]) <= values["RATE_CLOSE"]


@pytest.mark.claim("mom-valley-heavy-ball-faster")
def test_heavy_ball_is_the_faster_momentum_method(valley):
    """On this quadratic heavy ball is the faster of the two momentum methods, both tuned and with
    textbook settings."""
    values = valley.values
    for settings in (values["best"], values["textbook"]):
        assert settings["heavy"]["iterations"] < settings["nesterov"]["iterations"]
