"""The claims of docs/optimizers/adamw.md, checked by running its snippets."""

import pytest
import torch
from optimizer_checks import (
    IN_BOTH_PRECISIONS,
    assert_scratch_matches_torch,
    assert_settings_move_the_iterates,
)


@pytest.fixture(scope="module")
def scratch(snippet):
    return snippet("optimizers/adamw")


@pytest.fixture(scope="module")
def state(snippet):
    return snippet("optimizers/adamw_state")


@pytest.fixture(scope="module")
def decay(snippet):
    return snippet("optimizers/adamw_decay")


@pytest.mark.claim("adamw-matches-torch")
@IN_BOTH_PRECISIONS
def test_from_scratch_adamw_matches_torch_for_30_steps_in_6_settings_to_1e_12_float64_1e_4_float32(scratch, dtype, tolerance):
    ns = scratch.namespace
    assert_scratch_matches_torch(ns, dtype, tolerance, settings=6)
    # The settings exercise their code paths.
    changed = ("weight_decay=0", "weight_decay=1", "amsgrad, betas=(0.9, 0.9)")
    assert_settings_move_the_iterates(ns, {"lr": 0.05}, changed)


@pytest.mark.claim("adamw-is-adam-decoupled")
def test_adamw_and_adam_with_decoupled_weight_decay_give_bit_identical_iterates(scratch):
    ns = scratch.namespace
    for name, options in ns["SETTINGS"].items():
        adamw = ns["run_torch"](options)
        adam = ns["run_torch"](
            {"weight_decay": 1e-2, **options, "decoupled_weight_decay": True}, optimizer_class=torch.optim.Adam
        )
        assert ns["max_difference"](adamw, adam) == 0.0, name


@pytest.mark.claim("adamw-default-weight-decay")
def test_adamw_default_weight_decay_is_0_01_where_adam_has_0_and_state_is_adams(state, snippet):
    ns = state.namespace
    assert ns["defaults"]()["weight_decay"] == 0.01
    assert snippet("optimizers/adam_state").namespace["defaults"]()["weight_decay"] == 0
    assert "decoupled_weight_decay" not in ns["defaults"]()
    assert {k: v for k, v in ns["defaults"]().items() if k != "weight_decay"} == {
        k: v for k, v in ns["defaults"](torch.optim.Adam).items() if k not in ("weight_decay", "decoupled_weight_decay")
    }
    after = ns["state_after_one_step"]()
    assert [list(entries) for _, entries in after.values()] == [["step", "exp_avg", "exp_avg_sq"]] * 2
    assert ns["bytes_per_element"](after) == 8
    assert ns["bytes_per_element"](ns["state_after_one_step"](amsgrad=True)) == 12


@pytest.mark.claim("adamw-decay-versus-l2")
def test_zero_gradient_adamw_gives_0_99005_and_0_90483_after_1000_steps_adam_l2_0_25767_for_both(decay):
    runs = decay.namespace["runs"]
    lr = decay.namespace["LR"]
    for wd, expected in ((0.01, 0.99005), (0.1, 0.90483)):
        path = runs["AdamW"][wd]
        assert path[1000] == pytest.approx(expected, abs=5e-6)
        for t in (1, 10, 100, 1000):
            assert path[t] == pytest.approx((1 - lr * wd) ** t, rel=1e-12)
    adam_small, adam_large = runs["Adam"][0.01], runs["Adam"][0.1]
    assert adam_small[1000] == pytest.approx(0.25767, abs=5e-6)
    assert adam_small == pytest.approx(adam_large, abs=1e-6)  # ten times the weight decay, the same path
    assert adam_small[1] == pytest.approx(1 - lr, rel=1e-7)  # the first step is lr, whatever weight_decay is
