"""The claims of docs/optimizers/radam.md, checked by running its snippets."""

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/radam")


@pytest.fixture(scope="module")
def warmup(snippet):
    return snippet("optimizers/radam_warmup")


@pytest.mark.claim("radam-defaults-and-state")
def test_radam_defaults_are_adams_and_state_is_8_bytes_per_element_plus_a_float32_step(anatomy):
    defaults = anatomy.namespace["defaults"](torch.optim.RAdam)
    assert defaults["lr"] == 1e-3 and defaults["betas"] == (0.9, 0.999) and defaults["eps"] == 1e-8
    assert defaults["weight_decay"] == 0 and defaults["decoupled_weight_decay"] is False
    for dtype, size in ((torch.float32, 4), (torch.float64, 8)):
        state = anatomy.namespace["state_of"](torch.optim.RAdam, shape=(3, 4), dtype=dtype)
        assert state == {
            "step": ((), torch.float32, 4),
            "exp_avg": ((3, 4), dtype, 12 * size),
            "exp_avg_sq": ((3, 4), dtype, 12 * size),
        }
    assert "bytes per parameter element: 8" in anatomy.output


@pytest.mark.claim("radam-matches-torch")
def test_from_scratch_radam_matches_torch_within_1e_14_for_30_steps_in_five_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 5 and ns["STEPS"] == 30
    assert ns["W0"].abs().max() < 3
    branches = set()
    for setting in ns["SETTINGS"]:
        ours = ns["radam"](ns["W0"], 30, **setting)
        theirs = ns["torch_iterates"](ns["W0"], 30, **setting)
        assert ns["max_difference"](ours, theirs) < 1e-14
        assert (theirs[-1] - theirs[0]).abs().max() > 0.01
        beta2 = setting.get("betas", (0.9, 0.999))[1]
        branches |= {ns["rho"](t, beta2) > 5 for t in range(1, 31)}
    assert branches == {True, False}  # both branches of the update were exercised


@pytest.mark.claim("radam-first-steps-unnormalized")
@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_steps_1_to_5_move_lr_times_gradient_then_step_6_moves_lr_times_r6(warmup, scale):
    ns = warmup.namespace
    radam = ns["step_sizes"](torch.optim.RAdam, scale, steps=6, lr=1e-3)
    adam = ns["step_sizes"](torch.optim.Adam, scale, steps=6, lr=1e-3)
    assert radam[:5] == pytest.approx([1e-3 * scale] * 5, rel=1e-12)
    assert adam == pytest.approx([1e-3] * 6, rel=1e-5)  # eps / |c| <= 1e-6
    assert radam[5] == pytest.approx(1e-3 * 0.0258, rel=2e-3)
    assert ns["rho"](5, 0.999) == pytest.approx(4.996, abs=1e-3) and ns["rho"](6, 0.999) > 5


@pytest.mark.claim("radam-rectifier-warmup")
def test_rectifier_is_0_0258_at_step_6_0_215_at_100_0_645_at_1000_and_passes_0_9_at_2737(warmup):
    ns = warmup.namespace
    r = ns["rectifier"]
    assert [round(r(t, 0.999), 4) for t in (6, 100, 1000)] == [0.0258, 0.2153, 0.6453]
    assert ns["first_step_with_rectifier_above"](0.9, 0.999) == 2737
    assert r(2736, 0.999) < 0.9 <= r(2737, 0.999)
    assert ns["first_rectified_step"](0.99) == 6
    assert round(r(6, 0.99), 4) == 0.0817
    assert ns["first_step_with_rectifier_above"](0.9, 0.99) == 277
    # torch applies the same r_t: with a constant gradient Adam's normalized step is lr, RAdam's lr * r_t
    sizes = ns["step_sizes"](torch.optim.RAdam, 1.0, steps=12, lr=1e-3)
    for t in range(6, 13):
        assert sizes[t - 1] == pytest.approx(1e-3 * r(t, 0.999), rel=1e-6)
