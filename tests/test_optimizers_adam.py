"""The claims of docs/optimizers/adam.md, checked by running its snippets."""

import pytest
import torch
from optimizer_checks import (
    FLOAT64_TOLERANCE,
    IN_BOTH_PRECISIONS,
    assert_scratch_matches_torch,
    assert_settings_move_the_iterates,
)


@pytest.fixture(scope="module")
def scratch(snippet):
    return snippet("optimizers/adam")


@pytest.fixture(scope="module")
def state(snippet):
    return snippet("optimizers/adam_state")


@pytest.fixture(scope="module")
def bias(snippet):
    return snippet("optimizers/adam_bias")


@pytest.mark.claim("adam-matches-torch")
@IN_BOTH_PRECISIONS
def test_from_scratch_adam_matches_torch_for_30_steps_in_7_settings_to_1e_12_float64_1e_4_float32(scratch, dtype, tolerance):
    ns = scratch.namespace
    assert_scratch_matches_torch(ns, dtype, tolerance, settings=7)
    # The settings exercise their code paths: each changes the iterates of its plain counterpart.
    changed = ("weight_decay=0.1 (L2)", "weight_decay=0.1, decoupled", "betas=(0.5, 0.9), eps=1e-3")
    assert_settings_move_the_iterates(ns, {"lr": 0.05}, changed)
    assert_settings_move_the_iterates(ns, {"lr": 0.05, "betas": (0.9, 0.9)}, ("amsgrad, betas=(0.9, 0.9)",))


@pytest.mark.claim("adam-state")
def test_adam_keeps_exp_avg_and_exp_avg_sq_8_bytes_per_element_12_with_amsgrad_created_at_first_step(state):
    ns = state.namespace
    assert ns["entries_before_first_step"]() == 0
    default = ns["state_after_one_step"]()
    for param, entries in default.values():
        assert list(entries) == ["step", "exp_avg", "exp_avg_sq"]
        assert entries["step"].shape == () and entries["step"].dtype == torch.float32
        assert entries["exp_avg"].shape == param.shape and entries["exp_avg"].dtype == torch.float32
    assert ns["bytes_per_element"](default) == 8
    amsgrad = ns["state_after_one_step"](amsgrad=True)
    assert all("max_exp_avg_sq" in entries for _, entries in amsgrad.values())
    assert ns["bytes_per_element"](amsgrad) == 12
    assert "bytes per parameter element (step counters aside): 8" in state.output


@pytest.mark.claim("adam-bias-correction")
def test_adam_steps_lr_to_1e_7_under_constant_gradient_uncorrected_3_16_then_6_57_at_step_12(bias):
    ns = bias.namespace
    adam = ns["runs"]["torch.optim.Adam"]
    assert adam == pytest.approx([1.0] * 1000, rel=1e-7)  # lr * g / (|g| + eps), eps = 1e-8
    uncorrected = ns["runs"]["Adam without bias correction"]
    assert uncorrected[0] == pytest.approx(0.1 / 0.001**0.5, rel=1e-6) == pytest.approx(3.162, abs=1e-3)
    peak = max(range(1000), key=lambda i: uncorrected[i])
    assert peak + 1 == 12 and uncorrected[peak] == pytest.approx(6.57, abs=0.005)
    assert uncorrected[999] == pytest.approx(1.258, abs=1e-3)


@pytest.mark.claim("adam-not-rmsprop-with-momentum")
def test_rmsprop_with_momentum_0_9_alpha_0_999_steps_31_6_lr_then_93_4_at_step_11_and_12_6_at_1000(bias):
    sizes = bias.namespace["runs"]["RMSprop(momentum=0.9, alpha=0.999)"]
    assert sizes[0] == pytest.approx(1 / 0.001**0.5, rel=1e-6) == pytest.approx(31.6, abs=0.05)
    peak = max(range(1000), key=lambda i: sizes[i])
    assert peak + 1 == 11 and sizes[peak] == pytest.approx(93.4, abs=0.05)
    assert sizes[999] == pytest.approx(12.6, abs=0.05)
    # and it keeps going to 1 / (1 - momentum) = 10 lr, never to Adam's 1 lr
    later = bias.namespace["steps_taken"](torch.optim.RMSprop, steps=6000, lr=1e-3, momentum=0.9, alpha=0.999)
    assert later[-1] == pytest.approx(10, abs=0.05) and min(later) > 9.9


@pytest.mark.claim("adam-weight-decay-is-l2")
def test_adam_weight_decay_0_1_gives_the_iterates_of_adam_on_loss_plus_0_05_sum_of_squares(scratch):
    ns = scratch.namespace
    for options in ({"lr": 0.05}, {"lr": 0.05, "amsgrad": True}, {}):
        with_decay = ns["run_torch"]({**options, "weight_decay": 0.1})
        with_penalty = ns["run_torch"](options, l2=0.1)
        assert ns["max_difference"](with_decay, with_penalty) < FLOAT64_TOLERANCE
