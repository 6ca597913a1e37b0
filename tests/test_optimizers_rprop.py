"""The claims of docs/optimizers/rprop.md, checked by running its snippets."""

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/rprop")


@pytest.fixture(scope="module")
def minibatch(snippet):
    return snippet("optimizers/rprop_minibatch")


@pytest.mark.claim("rprop-defaults-and-state")
def test_rprop_defaults_and_state_of_previous_gradient_and_step_size_8_bytes_per_element(anatomy):
    defaults = anatomy.namespace["defaults"](torch.optim.Rprop)
    assert defaults["lr"] == 1e-2 and defaults["etas"] == (0.5, 1.2) and defaults["step_sizes"] == (1e-6, 50)
    for dtype, size in ((torch.float32, 4), (torch.float64, 8)):
        state = anatomy.namespace["state_of"](torch.optim.Rprop, shape=(3, 4), dtype=dtype)
        assert state == {
            "step": ((), torch.float32, 4),
            "prev": ((3, 4), dtype, 12 * size),
            "step_size": ((3, 4), dtype, 12 * size),
        }
    assert "bytes per parameter element: 8" in anatomy.output


@pytest.mark.claim("rprop-matches-torch")
def test_from_scratch_rprop_equals_torch_bit_for_bit_for_30_steps_in_five_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 5 and ns["STEPS"] == 30
    for setting in ns["SETTINGS"]:
        ours = ns["rprop"](ns["W0"], 30, **setting)
        theirs = ns["torch_iterates"](ns["W0"], 30, **setting)
        assert all(torch.equal(a, b) for a, b in zip(ours, theirs, strict=True))
        assert (theirs[-1] - theirs[0]).abs().max() > 0.05


@pytest.mark.claim("rprop-first-step-is-lr")
@pytest.mark.parametrize("lr", [1e-2, 0.3])
def test_first_step_moves_every_element_by_exactly_lr_and_scaling_the_loss_changes_nothing(anatomy, lr):
    ns = anatomy.namespace
    first = ns["torch_iterates"](ns["W0"], 1, lr=lr)
    moved = (first[1] - first[0]).abs()  # w - lr * sign(g): exact up to rounding of the subtraction
    assert torch.allclose(moved, torch.full_like(moved, lr), rtol=0, atol=1e-15)
    assert ns["grad_fn"](ns["W0"]).abs().max() / ns["grad_fn"](ns["W0"]).abs().min() > 10  # gradients differ
    scaled = ns["torch_iterates"](ns["W0"], 30, loss=lambda w: 1000 * ns["loss_fn"](w), lr=lr)
    plain = ns["torch_iterates"](ns["W0"], 30, lr=lr)
    assert all(torch.equal(a, b) for a, b in zip(scaled, plain, strict=True))


@pytest.mark.claim("rprop-sign-change")
def test_on_a_sign_change_the_step_size_halves_and_the_element_does_not_move(anatomy):
    rows = anatomy.namespace["trace_sign_change"]()  # (gradient, step size, x after) per step
    assert rows == [(2.0, 1.5, -0.5), (-1.0, 0.75, -0.5), (-1.0, 0.75, 0.25), (0.5, 0.375, 0.25)]
    # step 2: the gradient flipped sign; x stays at -0.5 instead of returning to 1 (no backtracking)
    # step 3: no flip is detected right after one (the stored gradient is 0), so the step size stays 0.75


@pytest.mark.claim("rprop-minibatch-stalls")
def test_full_batch_reaches_9e_11_but_minibatches_stall_at_4_2e_3_and_7_1e_2_with_step_sizes_at_the_floor(minibatch):
    runs = minibatch.namespace["runs"]
    full, batch64, batch8 = runs[512][0], runs[64][0], runs[8][0]
    assert full[99] == pytest.approx(9.0e-11, rel=0.05)
    assert max(full[99:]) < 1.5e-10
    assert batch64[-1] == pytest.approx(4.2e-3, rel=0.02)
    assert batch8[-1] == pytest.approx(7.1e-2, rel=0.02)
    assert batch64[149] == pytest.approx(4.4e-3, rel=0.02)  # steps 150 to 300 gain 4 %
    for batch in (64, 8):
        assert max(runs[batch][1][150:]) < 3e-6  # median step size within 3x of the 1e-6 floor
    assert runs[512][1][-1] == runs[64][1][-1] == 1e-6
