"""The claims of docs/learning-rate.md, checked by running its snippets."""

import numpy as np
import pytest
import torch


@pytest.fixture(scope="module")
def descent(snippet):
    return snippet("learning_rate/gradient_descent")


@pytest.fixture(scope="module")
def sweep(snippet):
    return snippet("learning_rate/lr_sweep")


@pytest.mark.claim("lr-one-diverges")
def test_lr_one_sends_x_from_2_to_minus14_to_98_and_loss_from_16_to_784_to_38416(descent):
    history = descent.namespace["descend"](lr=1.0, steps=2)
    assert [row[1] for row in history] == [2.0, -14.0, 98.0]
    assert [row[3] for row in history] == [16.0, 784.0, 38416.0]
    rows = [line.split() for line in descent.output.splitlines()[1:]]
    assert [(float(x), float(loss)) for _, x, _, loss in rows[:3]] == [(2, 16), (-14, 784), (98, 38416)]


@pytest.mark.claim("lr-point-two-oscillates")
def test_lr_point_two_flips_sign_every_step_and_shrinks_x_by_0_6(descent):
    xs = [row[1] for row in descent.namespace["descend"](lr=0.2, steps=50)]
    for before, after in zip(xs, xs[1:]):
        assert after * before < 0
        assert abs(after) == pytest.approx(0.6 * abs(before), rel=1e-12)
    assert abs(xs[-1]) < 1e-10


@pytest.mark.claim("lr-eighth-one-step")
@pytest.mark.parametrize("x0", [2.0, -3.0, 0.5, 100.0])
def test_lr_one_eighth_reaches_x_0_in_one_step_from_any_start(descent, x0):
    history = descent.namespace["descend"](lr=0.125, x0=x0, steps=5)
    assert history[0][2] == 8 * x0  # f'(x0) = 8 x0, so lr = x0 / f'(x0) = 1/8
    assert [row[1] for row in history[1:]] == [0.0] * 5
    assert [row[3] for row in history[1:]] == [0.0] * 5


@pytest.mark.claim("lr-contraction-factor")
def test_every_step_multiplies_x_by_1_minus_8_lr(descent, sweep):
    for lr in sweep.namespace["SWEEP"]:
        xs = [row[1] for row in descent.namespace["descend"](lr=float(lr), steps=100)]
        for before, after in zip(xs, xs[1:]):
            assert after == pytest.approx((1 - 8 * lr) * before, rel=1e-12, abs=1e-300)


@pytest.mark.claim("lr-edge-quarter")
def test_lr_quarter_keeps_loss_at_16_while_0_24_falls_to_0_127_and_0_26_grows_to_1389(sweep):
    losses = sweep.namespace["losses"]
    assert losses(0.25, iterations=30) == [16.0] * 30
    assert losses(0.24, iterations=30)[-1] == pytest.approx(0.127, abs=5e-4)
    grown = losses(0.26, iterations=30)
    assert grown[-1] == pytest.approx(1389, rel=1e-3)
    for before, after in zip(grown, grown[1:]):
        assert after / before == pytest.approx(1.08**2, rel=1e-9)
    assert "lr = 0.25: loss 16 -> 16 after 29 steps" in sweep.output


@pytest.mark.claim("lr-convergence-condition")
@pytest.mark.parametrize("lr", [-0.01, 0.0, 0.001, 0.1, 0.2499, 0.25, 0.2501, 0.5])
def test_gradient_descent_converges_exactly_when_0_lt_lr_lt_quarter(sweep, lr):
    history = sweep.namespace["losses"](lr, iterations=5000)
    converged = history[-1] < 16e-3
    assert converged == (0 < lr < 0.25)
    if not converged:  # never below the start (inf, then nan, once it overflows)
        assert not any(loss < 16 for loss in history)


@pytest.mark.claim("lr-sweep-fastest")
def test_fastest_lr_in_sweep_is_0_1156_nearest_one_eighth_shrinking_loss_175x_per_step(sweep):
    runs = {float(lr): sweep.namespace["losses"](float(lr)) for lr in sweep.namespace["SWEEP"]}
    fastest = min(runs, key=lambda lr: runs[lr][-1])
    assert fastest == pytest.approx(0.1156, abs=1e-4)
    assert fastest == min(runs, key=lambda lr: abs(lr - 0.125))
    assert abs(1 - 8 * fastest) == pytest.approx(0.076, abs=1e-3)
    assert runs[fastest][0] / runs[fastest][1] == pytest.approx(175, rel=0.01)
    assert "fastest in the sweep: lr = 0.1156" in sweep.output


@pytest.mark.claim("lr-larger-not-faster")
def test_largest_lr_0_2_ends_about_400x_worse_than_lr_0_052(sweep):
    lrs = [float(lr) for lr in sweep.namespace["SWEEP"]]
    largest, quarter_size = lrs[-1], lrs[2]
    assert largest == 0.2 and quarter_size == pytest.approx(0.0522, abs=1e-4)
    losses = sweep.namespace["losses"]
    assert losses(largest)[-1] == pytest.approx(1.9e-43, rel=0.01)
    assert losses(quarter_size)[-1] == pytest.approx(4.9e-46, rel=0.01)
    assert 350 < losses(largest)[-1] / losses(quarter_size)[-1] < 450
    # Larger is faster only below 1/8: past it the loss after 100 steps grows with lr.
    finals = [losses(lr)[-1] for lr in lrs]
    above = [final for lr, final in zip(lrs, finals) if lr > 0.125]
    assert above == sorted(above)


@pytest.mark.claim("lr-manual-equals-sgd")
@pytest.mark.parametrize("lr", [1.0, 0.2, 0.125, 0.01, 0.26])
def test_hand_written_update_equals_torch_optim_sgd_to_1e_14(descent, lr):
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    expected = [row[1] for row in descent.namespace["descend"](lr, steps=30)]
    seen = []
    for _ in range(31):
        seen.append(x.item())
        optimizer.zero_grad()
        descent.namespace["f"](x).backward()
        optimizer.step()
    # SGD computes x.add_(grad, alpha=-lr): rounding may differ from x - lr * grad in the last bit.
    assert seen == pytest.approx(expected, rel=1e-14)


def test_sweep_is_ten_evenly_spaced_rates_from_0_01_to_0_2(sweep):
    np.testing.assert_allclose(sweep.namespace["SWEEP"], np.linspace(0.01, 0.2, 10))
    assert sweep.namespace["ITERATIONS"] == 100
