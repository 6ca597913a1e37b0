"""The claims of docs/optimizers/rprop.md that are Rprop's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("rprop-first-step-is-lr")
def test_the_first_step_is_lr_and_scaling_the_loss_changes_nothing(snippet):
    """Whatever the gradient, the first step moves every element by exactly lr, and multiplying the
    loss by SCALE leaves all STEPS iterates unchanged, bit for bit."""
    ns = snippet("optimizers/rprop_sign").namespace
    plain = ns["plain"]
    gradient = torch.tensor(ns["CURVATURES"], dtype=torch.float64)  # at theta = 0: h * (0 - 1)
    assert gradient.abs().max() / gradient.abs().min() > 100  # gradients of very different sizes
    assert torch.allclose((plain[1] - plain[0]).abs(), torch.full_like(plain[0], ns["LR"]), rtol=0, atol=1e-15)
    assert len(plain) == ns["STEPS"] + 1 and ns["identical"]
    assert all(torch.equal(a, b) for a, b in zip(plain, ns["scaled"], strict=True))


@pytest.mark.claim("rprop-sign-change")
def test_a_sign_change_shrinks_the_step_size_and_skips_the_move(snippet):
    """On x^2 with a large lr, the first step overshoots; at a sign change the step size shrinks by
    eta_minus and x stays; the step after a change keeps the step size and moves; no backtracking."""
    ns = snippet("optimizers/rprop_sign").namespace
    eta_minus = torch.optim.Rprop([torch.zeros(1)]).defaults["etas"][0]
    rows, lr, x0 = ns["rows"], ns["TRACE_LR"], ns["X0"]
    assert rows[0] == {"gradient": 2 * x0, "step_size": lr, "x": x0 - lr} and rows[0]["x"] < 0  # overshoot
    assert rows[1]["gradient"] * rows[0]["gradient"] < 0 and rows[1]["step_size"] == lr * eta_minus
    assert rows[1]["x"] == rows[0]["x"]  # no move, and no way back to x0
    assert rows[2]["step_size"] == rows[1]["step_size"] and rows[2]["x"] == rows[1]["x"] + rows[1]["step_size"]
    assert rows[3]["gradient"] * rows[2]["gradient"] < 0 and rows[3]["step_size"] == rows[2]["step_size"] * eta_minus
    assert rows[3]["x"] == rows[2]["x"]


@pytest.mark.claim("rprop-minibatch-stalls")
def test_the_full_batch_converges_and_mini_batches_stall_at_the_floor(snippet):
    """The full batch reaches a tiny loss above the minimum by step CONVERGED and stays there;
    mini-batches end far above it, having gained little over the last LAST steps, smaller batches
    farther; over those steps their median step size stays within FACTOR of the floor."""
    ns = snippet("optimizers/rprop_minibatch").namespace
    full, medium, small = (ns["excess_loss"][batch] for batch in ns["BATCHES"])
    assert ns["BATCHES"][0] == ns["N"] and ns["FLOOR"] == torch.optim.Rprop([torch.zeros(1)]).defaults["step_sizes"][0]
    assert ns["converged"] == full[ns["CONVERGED"] - 1] and ns["after_converged"] == max(full[ns["CONVERGED"] - 1:])
    assert ns["after_converged"] < 1e-6 * medium[-1]
    assert medium[-1] < small[-1] and ns["before_last"][ns["BATCHES"][1]] < 1.1 * medium[-1]  # the last steps gain little
    for batch in ns["BATCHES"][1:]:
        assert ns["median_last"][batch] <= ns["FACTOR"] * ns["FLOOR"]
    assert all(median[-1] == ns["FLOOR"] for median in (ns["runs"][b][1] for b in ns["BATCHES"][:2]))
