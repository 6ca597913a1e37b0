"""The claims of docs/learning-rate.md, checked against the runs of its snippets.

The page quotes the snippets' recorded values (`result.values`); each test checks that those values
are what the snippet's own functions compute, and that they bear out the sentence.
"""

from fractions import Fraction

import pytest
import torch
from conftest import snippet_fixture


descent = snippet_fixture("learning_rate/gradient_descent")
sweep = snippet_fixture("learning_rate/lr_sweep")


def xs_of(descent, lr, **options):
    return [row[1] for row in descent.namespace["descend"](lr, **options)]


@pytest.mark.claim("lr-one-diverges")
def test_lr_one_diverges(descent):
    """Each step overshoots the minimum and lands 7 times farther away on the other side:
    x goes 2 → −14 → 98 and the loss 16 → 784 → 38416."""
    values, ns = descent.values, descent.namespace
    lr = values["LR_DIVERGING"]
    history = ns["descend"](lr, steps=len(values["diverging_xs"]) - 1)
    assert values["diverging_xs"] == [row[1] for row in history]
    assert values["diverging_losses"] == [row[3] for row in history]
    assert values["diverging_growth"] == abs(1 - 8 * lr) > 1
    xs = values["diverging_xs"]
    for before, after in zip(xs, xs[1:]):  # the other side, exactly growth times as far
        assert after == -values["diverging_growth"] * before
    assert values["diverging_losses"] == [ns["f"](torch.tensor(x, dtype=torch.float64)).item() for x in xs]


@pytest.mark.claim("lr-point-two-oscillates")
def test_lr_zigzag_oscillates_and_converges(descent):
    """With η = 0.2 the update is x ← −0.6 x: the sign of x flips at every step and its size
    shrinks by a factor 0.6, so the iterates zigzag down into the minimum."""
    values = descent.values
    lr = values["LR_ZIGZAG"]
    assert values["zigzag_factor"] == pytest.approx(1 - 8 * lr, rel=1e-15)
    assert values["zigzag_shrink"] == abs(values["zigzag_factor"]) < 1
    xs = xs_of(descent, lr, steps=200)
    assert xs[: len(values["zigzag_xs"])] == values["zigzag_xs"]
    for before, after in zip(xs, xs[1:]):
        assert after * before < 0
        assert abs(after) == pytest.approx(values["zigzag_shrink"] * abs(before), rel=1e-12)
    assert abs(xs[-1]) < 1e-40 * abs(xs[0])
    assert values["zigzag_loss_ratio"] == pytest.approx(values["zigzag_shrink"] ** 2, rel=1e-12)


@pytest.mark.claim("lr-eighth-one-step")
@pytest.mark.parametrize("x0", [2.0, -3.0, 0.5, 100.0, -1e-3])
def test_lr_one_eighth_lands_in_one_step(descent, x0):
    """Because f'(x) = 8x for every x, this does not depend on the start: η = 1/8 sends any x₀ to
    0 in one step, and the loss is exactly 0 from the first iteration on."""
    values = descent.values
    lr = values["LR_ONE_STEP"]
    assert lr == values["X0"] / values["start_grad"] == 1 / 8  # η = x0 / f'(x0)
    history = descent.namespace["descend"](lr, x0=x0, steps=5)
    assert history[0][2] == 8 * x0
    assert [row[1] for row in history[1:]] == [0.0] * 5
    assert [row[3] for row in history[1:]] == [0.0] * 5
    assert values["one_step_losses"][1:] == [0.0] * (len(values["one_step_losses"]) - 1)


@pytest.mark.claim("lr-contraction-factor")
def test_every_step_multiplies_x_by_the_factor(descent, sweep):
    """For every learning rate in the sweep, at every one of 100 steps, x_{k+1}/x_k = 1 − 8η to
    rounding error."""
    steps = sweep.values["ITERATIONS"]
    for lr in sweep.values["rates"]:
        xs = xs_of(descent, lr, steps=steps)
        assert len(xs) == steps + 1
        for before, after in zip(xs, xs[1:]):
            assert after == pytest.approx((1 - 8 * lr) * before, rel=1e-12, abs=1e-300)


@pytest.mark.claim("lr-convergence-condition")
def test_converges_exactly_between_zero_and_two_over_l(sweep):
    """Run for 5000 iterations, learning rates from −0.01 to 0.5 behave exactly as this predicts:
    those strictly between 0 and 2/L = 0.25 (down to 0.001 and up to 0.2499) bring the loss below
    10⁻³ of its start, and the others never bring it below its start."""
    values, ns = sweep.values, sweep.namespace
    limit = values["limit"]
    assert limit == 2 / values["L"] == 2 / 8
    assert [row["lr"] for row in values["tried"]] == list(values["TRIED"])
    assert any(row["lr"] <= 0 for row in values["tried"]) and any(row["lr"] >= limit for row in values["tried"])
    for row in values["tried"]:
        inside = 0 < row["lr"] < limit
        assert row["converged"] == inside, row
        assert row["below start"] == inside, row
    assert values["converging"] == [lr for lr in values["TRIED"] if 0 < lr < limit]
    history = ns["losses"](values["converging"][-1], iterations=values["LONG_RUN"])  # the run itself
    assert history[-1] < values["CONVERGED"] * history[0]


@pytest.mark.claim("lr-edge-quarter")
def test_at_the_edge(sweep):
    """At the edge, η = 0.25 keeps the loss at 16 for good, η = 0.24 brings it from 16 to 0.127
    in 29 steps, and η = 0.26, only 4 % larger, multiplies it by 1.08² ≈ 1.17 per step, to about
    1389 after 29 steps."""
    values, ns = sweep.values, sweep.namespace
    below, at, above = values["EDGE"]
    assert at == values["limit"] and below < at < above
    runs = values["edge_losses"]
    assert runs == [ns["losses"](lr, iterations=values["EDGE_ITERATIONS"]) for lr in values["EDGE"]]
    assert values["edge_steps"] == len(runs[0]) - 1
    assert runs[1] == [runs[1][0]] * len(runs[1])  # the factor is exactly -1
    assert 1 - 8 * at == -1
    assert runs[0][-1] < runs[0][0]
    assert values["above_edge_by"] == pytest.approx(above / at - 1, rel=1e-12)
    assert values["above_edge_factor"] == pytest.approx(abs(1 - 8 * above), rel=1e-12)
    for before, after in zip(runs[2], runs[2][1:]):
        assert after / before == pytest.approx(values["above_edge_growth"], rel=1e-9)
    assert values["above_edge_growth"] == pytest.approx(values["above_edge_factor"] ** 2, rel=1e-12)


@pytest.mark.claim("lr-sweep-fastest")
def test_fastest_rate_in_the_sweep(sweep):
    """The fastest learning rate in the sweep is 0.1156, the one closest to 1/8: its factor is
    |1 − 8 · 0.1156| = 0.076, so the loss shrinks by a factor of about 175 per step."""
    values, ns = sweep.values, sweep.namespace
    rates, finals = values["rates"], values["finals"]
    assert finals == [ns["losses"](lr)[-1] for lr in rates]
    fastest = values["fastest"]
    assert fastest == rates[finals.index(min(finals))]
    assert fastest == min(rates, key=lambda lr: abs(lr - 1 / 8))
    assert values["fastest_factor"] == pytest.approx(abs(1 - 8 * fastest), rel=1e-12)
    history = ns["losses"](fastest)
    for before, after in zip(history[:5], history[1:5]):
        assert before / after == pytest.approx(values["fastest_shrink"], rel=1e-9)
    assert values["fastest_shrink"] == pytest.approx(values["fastest_factor"] ** -2, rel=1e-9)
    assert values["by_speed"][0] == fastest


@pytest.mark.claim("lr-larger-not-faster")
def test_larger_is_faster_only_up_to_one_eighth(sweep):
    """That holds only up to η = 1/8. Past it the factor grows again: η = 0.2, the largest rate in
    the sweep, contracts by 0.6 per step, more slowly than η ≈ 0.052 at 0.58. At the last iteration
    η = 0.2 has a loss of 1.9 × 10⁻⁴³, 386 times that of η ≈ 0.052 (4.9 × 10⁻⁴⁶)."""
    values = sweep.values
    rates, finals = values["rates"], values["finals"]
    up_to = [final for lr, final in zip(rates, finals) if lr <= 1 / 8]
    past = [final for lr, final in zip(rates, finals) if lr > 1 / 8]
    assert up_to == sorted(up_to, reverse=True) and past == sorted(past) and past
    largest, overtaking = values["largest"], values["overtaking"]
    assert largest == max(rates) and overtaking < 1 / 8 < largest
    assert values["largest_factor"] == pytest.approx(abs(1 - 8 * largest), rel=1e-12)
    assert values["overtaking_factor"] == pytest.approx(abs(1 - 8 * overtaking), rel=1e-12)
    assert values["overtaking_factor"] < values["largest_factor"]
    assert values["largest_final"] == finals[rates.index(largest)]
    assert values["overtaking_final"] == finals[rates.index(overtaking)] < values["largest_final"]
    assert values["larger_over_smaller"] == values["largest_final"] / values["overtaking_final"]


@pytest.mark.claim("lr-linear-axis-hides")
def test_a_linear_axis_hides_the_differences(sweep):
    """A linear axis hides this: from iteration 9 on, every curve but that of η = 0.01 stays below
    1 % of the start, flat on the floor of such a plot."""
    values, ns = sweep.values, sweep.namespace
    rates = values["rates"]
    assert rates[0] == values["SWEEP_FROM"] == min(rates)
    curves = [ns["losses"](lr) for lr in rates]
    level = values["LOOKS_LIKE_ZERO"] * curves[0][0]
    k = values["hidden_from"]
    assert all(loss < level for curve in curves[1:] for loss in curve[k:])
    assert any(curve[k - 1] >= level for curve in curves[1:])  # the first such iteration
    assert curves[0][k] > level


def fused(x, lr, grad):
    return float(Fraction(x) - Fraction(lr) * Fraction(grad))


@pytest.mark.claim("lr-manual-equals-sgd")
@pytest.mark.parametrize("index", range(5))
def test_hand_written_loop_equals_torch_optim_sgd(descent, index):
    """Their iterates agree to within 10⁻¹⁴ relative, but not always bit for bit: PyTorch computes
    x.add_(grad, alpha=-lr), which its AVX2 and AVX-512 CPU kernels round once, as a fused
    multiply-add, while the default kernels round lr * grad first, as the loop does. Every one of
    SGD's updates is one of these two roundings."""
    values, ns = descent.values, descent.namespace
    lr, steps = values["SGD_LRS"][index], values["SGD_STEPS"]
    loop = xs_of(descent, lr, steps=steps)
    sgd = ns["sgd_descend"](lr, steps=steps)
    xs = [x for x, _ in sgd]
    assert xs == pytest.approx(loop, rel=values["SGD_TOLERANCE"], abs=0)
    kernels = torch.backends.cpu.get_cpu_capability()
    for (x, grad), after in zip(sgd, xs[1:]):
        once, twice = fused(x, lr, grad), x - lr * grad
        assert after in (once, twice)
        assert after == (twice if kernels == "DEFAULT" else once)
    row = values["comparisons"][index]
    assert row["lr"] == lr and row["gap"] <= values["SGD_TOLERANCE"]
    assert values["sgd_updates"] == steps * len(values["SGD_LRS"])
    assert values["cpu_kernels"] == kernels
    assert row["differing"] == sum(a != b for a, b in zip(loop[1:], xs[1:]))
