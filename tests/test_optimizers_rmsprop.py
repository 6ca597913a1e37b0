"""The claims of docs/optimizers/rmsprop.md, checked by running its snippets."""

import pytest
import torch
from optimizer_checks import (
    IN_BOTH_PRECISIONS,
    assert_scratch_matches_torch,
    assert_settings_move_the_iterates,
)


@pytest.fixture(scope="module")
def scratch(snippet):
    return snippet("optimizers/rmsprop")


@pytest.fixture(scope="module")
def state(snippet):
    return snippet("optimizers/rmsprop_state")


@pytest.fixture(scope="module")
def steps(snippet):
    return snippet("optimizers/rmsprop_steps")


@pytest.mark.claim("rmsprop-matches-torch")
@IN_BOTH_PRECISIONS
def test_from_scratch_rmsprop_matches_torch_for_30_steps_in_7_settings_to_1e_12_float64_1e_4_float32(scratch, dtype, tolerance):
    ns = scratch.namespace
    assert_scratch_matches_torch(ns, dtype, tolerance, settings=7)
    # The settings exercise their code paths: each changes the iterates of its plain counterpart.
    assert_settings_move_the_iterates(ns, {}, ("weight_decay=0.1 (L2)", "centered", "alpha=0.9, eps=0.1"))
    assert_settings_move_the_iterates(ns, {"lr": 0.001}, ("momentum=0.9", "centered, momentum=0.9"))


@pytest.mark.claim("rmsprop-state")
def test_rmsprop_keeps_4_bytes_per_element_8_with_momentum_or_centered_12_with_both(state):
    ns = state.namespace
    expected = {
        "default": (["step", "square_avg"], 4),
        "momentum=0.9": (["step", "square_avg", "momentum_buffer"], 8),
        "centered=True": (["step", "square_avg", "grad_avg"], 8),
        "momentum=0.9, centered=True": (["step", "square_avg", "momentum_buffer", "grad_avg"], 12),
    }
    assert ns["entries_before_first_step"]() == 0
    for variant, options in ns["VARIANTS"].items():
        after = ns["state_after_one_step"](**options)
        keys, size = expected[variant]
        for param, entries in after.values():
            assert list(entries) == keys
            assert entries["step"].shape == () and entries["step"].dtype == torch.float32
            assert all(entries[key].shape == param.shape for key in keys[1:])
        assert ns["bytes_per_element"](after) == size


@pytest.mark.claim("rmsprop-first-steps-large")
def test_plain_rmsprop_under_constant_gradient_steps_10_lr_then_1_26_lr_at_100_within_1_percent_from_391(steps):
    sizes = steps.namespace["runs"]["plain"]
    assert sizes[0] == pytest.approx(10.0, rel=1e-6)  # 1 / sqrt(1 - 0.99)
    for t in (1, 2, 10, 100, 1000):
        assert sizes[t - 1] == pytest.approx(1 / (1 - 0.99**t) ** 0.5, rel=1e-6)
    assert sizes[99] == pytest.approx(1.256, abs=5e-4)
    assert next(t for t, size in enumerate(sizes, start=1) if size <= 1.01) == 391
    assert all(size <= 1.01 for size in sizes[390:])


@pytest.mark.claim("rmsprop-centered-explodes")
def test_centered_rmsprop_under_constant_gradient_never_below_2_lr_then_152_lr_at_1000_and_23000_at_2000(steps):
    sizes = steps.namespace["runs"]["centered=True"]
    assert sizes[0] == pytest.approx(10.05, abs=0.005)
    low = min(range(len(sizes)), key=lambda i: sizes[i])
    assert low + 1 == 69 and sizes[low] == pytest.approx(2.0, rel=1e-6)
    for t in (1, 69, 500, 1000, 2000):  # 1 / sqrt((1 - alpha^t) alpha^t)
        assert sizes[t - 1] == pytest.approx(1 / ((1 - 0.99**t) * 0.99**t) ** 0.5, rel=1e-3)
    assert sizes[999] == pytest.approx(152, abs=0.5)
    assert sizes[1999] == pytest.approx(23000, rel=0.01)


@pytest.mark.claim("rmsprop-momentum-ten-lr")
def test_rmsprop_momentum_0_9_peaks_at_29_9_lr_at_step_11_and_settles_at_10_lr(steps):
    sizes = steps.namespace["runs"]["momentum=0.9"]
    peak = max(range(len(sizes)), key=lambda i: sizes[i])
    assert peak + 1 == 11 and sizes[peak] == pytest.approx(29.9, abs=0.05)
    assert sizes[-1] == pytest.approx(10.0, rel=1e-6)  # 1 / (1 - momentum)
