"""The claims of docs/optimizers/adagrad.md, checked by running its snippets."""

import pytest
import torch
from optimizer_checks import (
    IN_BOTH_PRECISIONS,
    assert_scratch_matches_torch,
    assert_settings_move_the_iterates,
)


@pytest.fixture(scope="module")
def scratch(snippet):
    return snippet("optimizers/adagrad")


@pytest.fixture(scope="module")
def state(snippet):
    return snippet("optimizers/adagrad_state")


@pytest.fixture(scope="module")
def steps(snippet):
    return snippet("optimizers/adagrad_steps")


@pytest.mark.claim("adagrad-matches-torch")
@IN_BOTH_PRECISIONS
def test_from_scratch_adagrad_matches_torch_for_30_steps_in_7_settings_to_1e_12_float64_1e_4_float32(scratch, dtype, tolerance):
    ns = scratch.namespace
    assert_scratch_matches_torch(ns, dtype, tolerance, settings=7)
    # The settings exercise their code paths: each changes the iterates of plain lr = 0.5.
    changed = ("lr_decay=0.05", "weight_decay=0.1 (L2)", "initial_accumulator_value=1", "eps=0.1")
    assert_settings_move_the_iterates(ns, {"lr": 0.5}, changed)


@pytest.mark.claim("adagrad-state")
def test_adagrad_keeps_one_sum_4_bytes_per_element_and_creates_it_in_the_constructor(state):
    ns = state.namespace
    assert ns["entries_before_first_step"]() == 2  # weight and bias: state exists before any step
    after = ns["state_after_one_step"]()
    for param, entries in after.values():
        assert list(entries) == ["step", "sum"]
        assert entries["step"].shape == () and entries["step"].dtype == torch.float32
        assert entries["sum"].shape == param.shape and entries["sum"].dtype == torch.float32
    assert ns["bytes_per_element"](after) == 4
    for lazy in (torch.optim.RMSprop, torch.optim.Adadelta, torch.optim.Adam, torch.optim.AdamW, torch.optim.Adamax):
        assert ns["entries_before_first_step"](lazy) == 0


@pytest.mark.claim("adagrad-group-accumulator-ignored")
def test_a_param_group_initial_accumulator_value_of_1_is_recorded_but_its_sum_starts_at_0(state):
    (recorded, start), (other_recorded, other_start) = state.namespace["starting_sums"]()
    assert recorded == 1.0 and start == [0.0, 0.0]
    assert other_recorded == 0.0 and other_start == [0.0, 0.0]
    # The constructor's value is the one used, for every group.
    assert [start for _, start in state.namespace["starting_sums"](constructor_value=0.5)] == [[0.5, 0.5]] * 2
    assert "group 0: param_groups[0]['initial_accumulator_value'] = 1.0, sum starts at [0.0, 0.0]" in state.output


@pytest.mark.claim("adagrad-step-lr-over-sqrt-t")
def test_under_a_constant_gradient_of_0_01_1_or_100_step_t_is_lr_over_sqrt_t_and_distance_3_09(steps):
    runs = steps.namespace["runs"]
    lr = steps.namespace["LR"]
    assert lr == 0.05 and sorted(runs) == [0.01, 1.0, 100.0]
    for sizes in runs.values():
        assert len(sizes) == 1000
        for t, size in enumerate(sizes, start=1):
            assert size == pytest.approx(lr / t**0.5, rel=1e-6)
        assert (sizes[0], sizes[99], sizes[999]) == pytest.approx((0.05, 0.005, 0.00158), abs=5e-6)
        assert sum(sizes) == pytest.approx(3.09, abs=0.005)


@pytest.mark.claim("adagrad-never-forgets")
def test_after_the_target_jumps_adagrad_is_at_minus_0_48_500_steps_later_rmsprop_back_in_20(steps):
    ns = steps.namespace
    adagrad, rmsprop = ns["paths"]["Adagrad"], ns["paths"]["RMSprop"]
    assert ns["JUMP"] == 500 and len(adagrad) == 1001
    assert ns["steps_to_reach"](adagrad, 1.0) == 290
    assert ns["steps_to_reach"](adagrad, -1.0, start=500) is None
    assert adagrad[-1] == pytest.approx(-0.48, abs=0.005)
    assert ns["steps_to_reach"](rmsprop, 1.0) == 5
    assert ns["steps_to_reach"](rmsprop, -1.0, start=500) == 20
