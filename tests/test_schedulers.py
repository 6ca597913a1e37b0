"""The claims of docs/schedulers.md, checked by running its snippets."""

import math

import pytest
import torch


@pytest.fixture(scope="module")
def step_wise(snippet):
    return snippet("schedulers/step_wise")


@pytest.fixture(scope="module")
def smooth(snippet):
    return snippet("schedulers/smooth_decay")


@pytest.fixture(scope="module")
def cyclic(snippet):
    return snippet("schedulers/cyclic")


@pytest.fixture(scope="module")
def composed(snippet):
    return snippet("schedulers/composed")


@pytest.fixture(scope="module")
def plateau(snippet):
    return snippet("schedulers/plateau")


@pytest.fixture(scope="module")
def call_order(snippet):
    return snippet("schedulers/call_order")


@pytest.fixture(scope="module")
def groups(snippet):
    return snippet("schedulers/param_groups")


@pytest.fixture(scope="module")
def resume(snippet):
    return snippet("schedulers/resume")


@pytest.fixture(scope="module")
def adam(snippet):
    return snippet("schedulers/adam_warmup")


@pytest.fixture(scope="module")
def range_test(snippet):
    return snippet("schedulers/range_test")


# The schedule of every scheduler follows its closed form, step by step (one claim per group).


@pytest.mark.claim("sched-step-wise-closed-form")
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR"])
def test_step_wise_schedulers_equal_their_closed_form_exactly_for_100_steps(step_wise, name):
    make, closed, _ = step_wise.namespace["SCHEDULES"][name]
    lrs = step_wise.namespace["trace"](make, steps=100)
    assert len(lrs) == 101
    assert lrs == [closed(t) for t in range(101)]


@pytest.mark.claim("sched-smooth-closed-form")
@pytest.mark.parametrize("name", ["LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "SWALR"])
def test_smooth_decays_follow_their_closed_form_within_1e_14_for_100_steps(smooth, name):
    make, closed, _ = smooth.namespace["SCHEDULES"][name]
    lrs = smooth.namespace["trace"](make, steps=100)
    assert len(lrs) == 101
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(closed(t), rel=1e-14, abs=1e-300)


@pytest.mark.claim("sched-cyclic-closed-form")
@pytest.mark.parametrize("name", [
    "CosineAnnealingWarmRestarts T_mult=1", "CosineAnnealingWarmRestarts T_mult=2",
    "CyclicLR triangular", "CyclicLR triangular2", "CyclicLR exp_range",
    "OneCycleLR cos", "OneCycleLR linear", "OneCycleLR three_phase",
])
def test_cyclic_schedules_lr_and_momentum_follow_their_closed_form_within_1e_14(cyclic, name):
    make, lr_form, momentum_form, _ = cyclic.namespace["SCHEDULES"][name]
    steps = cyclic.namespace["steps_for"](name)
    assert steps == (99 if name.startswith("OneCycleLR") else 100)
    lrs, momenta = cyclic.namespace["trace"](make, steps)
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(lr_form(t), rel=1e-14)
    if momentum_form is not None:
        for t, momentum in enumerate(momenta):
            assert momentum == pytest.approx(momentum_form(t), rel=1e-14)


@pytest.mark.claim("sched-composed-closed-form")
@pytest.mark.parametrize("name", ["LambdaLR", "MultiplicativeLR", "SequentialLR", "ChainedScheduler"])
def test_composed_schedules_follow_their_closed_form_within_1e_14_for_100_steps(composed, name):
    make, closed, _ = composed.namespace["SCHEDULES"][name]
    lrs = composed.namespace["trace"](make, steps=100)
    assert len(lrs) == 101
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(closed(t), rel=1e-14, abs=1e-17)


# CosineAnnealingLR is a recursion.


@pytest.mark.claim("sched-cosine-past-tmax")
def test_cosine_annealing_stepped_past_t_max_50_climbs_back_to_base_lr_at_100(smooth):
    lrs = smooth.namespace["beyond"]
    assert len(lrs) == 151
    assert lrs[50] == 0.0
    assert lrs[75] == pytest.approx(0.05, rel=1e-12)
    assert lrs[100] == pytest.approx(0.1, rel=1e-12)
    assert lrs[150] == pytest.approx(0.0, abs=1e-15)
    assert lrs[50:101] == sorted(lrs[50:101])  # it rises all the way from T_max to 2 T_max


@pytest.mark.claim("sched-cosine-keeps-outside-change")
def test_cosine_recursion_keeps_a_halving_by_hand_every_later_lr_is_half_the_closed_form(smooth):
    lrs = smooth.namespace["halved"]
    closed = smooth.namespace["cosine_lr"]
    for t in range(20):
        assert lrs[t] == pytest.approx(closed(t, T_max=50, eta_min=0.0), rel=1e-14)
    for t in range(20, 50):
        assert lrs[t] / closed(t, T_max=50, eta_min=0.0) == pytest.approx(0.5, rel=1e-12)


# Cyclic schedulers also set the momentum.


@pytest.mark.claim("sched-cyclic-sets-momentum")
def test_cyclic_and_one_cycle_turn_momentum_0_into_0_9_and_0_95_and_adams_beta1_into_0_95(cyclic):
    after = cyclic.namespace["momentum_after"]
    attached = cyclic.namespace["ATTACHED"]
    assert after(attached["CyclicLR"]) == 0.9
    assert after(attached["OneCycleLR"]) == 0.95
    assert after(attached["CyclicLR(cycle_momentum=False)"]) == 0
    assert after(attached["OneCycleLR"], torch.optim.Adam) == 0.95  # betas[0]
    # And they cycle it against the lr: max_momentum at base_lr, base_momentum at max_lr.
    lrs, momenta = cyclic.namespace["traces"]["CyclicLR triangular"]
    assert (lrs[0], momenta[0]) == (0.01, 0.9)
    assert lrs[10] == pytest.approx(0.1) and momenta[10] == pytest.approx(0.8)


@pytest.mark.claim("sched-onecycle-step-limit")
def test_one_cycle_with_total_steps_100_accepts_100_steps_and_raises_on_the_101st(cyclic):
    calls, message = cyclic.namespace["calls_until_error"](cyclic.namespace["ATTACHED"]["OneCycleLR"])
    assert calls == 100
    assert message == "Tried to step 101 times. The specified number of total steps is 100"
    lrs, _ = cyclic.namespace["trace"](cyclic.namespace["SCHEDULES"]["OneCycleLR cos"][0], steps=99)
    assert lrs[99] == pytest.approx(0.1 / 25 / 1e4, rel=1e-12)  # the last step of the schedule: min lr


# Metric-driven.


@pytest.mark.claim("sched-plateau-rule")
def test_plateau_halves_lr_after_epochs_8_19_26_exactly_as_the_plain_python_rule(plateau):
    history = plateau.namespace["history"]
    losses = [loss for loss, _, _ in history]
    after = [lr for _, _, lr in history]
    assert plateau.namespace["plateau_rule"](losses, 1.0, **plateau.namespace["PLATEAU"]) == after
    assert plateau.namespace["cuts"] == [8, 19, 26]
    assert [after[epoch] for epoch in (7, 8, 19, 26)] == [1.0, 0.5, 0.25, 0.125]
    # The first cut: the best loss was at epoch 5 (0.1048); epochs 6, 7, 8 did not beat it by 0.1 %.
    assert min(range(9), key=lambda epoch: losses[epoch]) == 5
    assert losses[5] == pytest.approx(0.1048, abs=5e-5)
    assert all(losses[epoch] >= losses[5] * (1 - 1e-3) for epoch in (6, 7, 8))
    assert "the rule in plain Python gives the same lrs: True" in plateau.output


@pytest.mark.claim("sched-plateau-not-composable")
def test_sequential_lr_and_chained_scheduler_refuse_reduce_lr_on_plateau(plateau):
    compose = plateau.namespace["compose"]
    assert compose("SequentialLR") == "ValueError: SequentialLR does not support `ReduceLROnPlateau` scheduler"
    assert compose("ChainedScheduler") == "ValueError: ChainedScheduler does not support `ReduceLROnPlateau` scheduler"


# Pitfalls.


@pytest.mark.claim("sched-order-warning")
def test_scheduler_step_first_warns_once_and_shifts_step_lr_one_epoch_early(call_order):
    right, right_warnings = call_order.namespace["lrs_used"]("optimizer first", epochs=9)
    wrong, wrong_warnings = call_order.namespace["lrs_used"]("scheduler first", epochs=9)
    assert right_warnings == []
    assert len(wrong_warnings) == 1
    assert wrong_warnings[0].startswith(
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`.")
    assert "skipping the first value of the learning rate schedule" in wrong_warnings[0]
    assert wrong[:-1] == right[1:]  # every epoch uses the next epoch's rate
    assert right == pytest.approx([0.1] * 3 + [0.01] * 3 + [0.001] * 3)
    assert wrong == pytest.approx([0.1] * 2 + [0.01] * 3 + [0.001] * 3 + [0.0001])
    assert "UserWarning: Detected call of `lr_scheduler.step()`" in call_order.output


@pytest.mark.claim("sched-groups-ratio")
def test_cosine_keeps_each_groups_own_base_lr_ratio_10_at_every_step(groups):
    backbone, head = groups.namespace["group_lrs"](groups.namespace["GROUP_SCHEDULERS"]["CosineAnnealingLR(T_max=100)"])
    assert (backbone[0], head[0]) == (0.01, 0.1)
    for t in range(100):
        assert head[t] / backbone[t] == pytest.approx(10, rel=1e-12)


@pytest.mark.claim("sched-groups-scalar-max-lr")
def test_scalar_max_lr_gives_both_groups_the_same_lr_a_list_keeps_10_to_1(groups):
    schedulers = groups.namespace["GROUP_SCHEDULERS"]
    backbone, head = groups.namespace["group_lrs"](schedulers["OneCycleLR(max_lr=0.1)"])
    assert backbone == head
    assert max(backbone) == pytest.approx(0.1, rel=1e-3)  # 10 times the backbone's own lr of 0.01
    backbone, head = groups.namespace["group_lrs"](schedulers["OneCycleLR(max_lr=[0.01, 0.1])"])
    for b, h in zip(backbone, head):
        assert h / b == pytest.approx(10, rel=1e-12)
    assert "CyclicLR(base_lr=0.001, max_lr=0.1): both groups equal at every step: True" in groups.output


@pytest.mark.claim("sched-resume-exact")
def test_resuming_at_step_40_gives_bitwise_the_same_lrs_and_weights(resume):
    reference, reference_weights = resume.namespace["reference"], resume.namespace["reference_weights"]
    lrs, weights = resume.namespace["runs"]["scheduler, then load both"]
    assert lrs == reference
    assert torch.equal(weights, reference_weights)
    assert resume.namespace["RESUME_AT"] == 40


@pytest.mark.claim("sched-resume-construct-order")
def test_building_sequential_lr_after_loading_the_optimizer_scales_the_rest_by_2_15(resume):
    reference = resume.namespace["reference"]
    lrs, weights = resume.namespace["runs"]["load optimizer, then scheduler"]
    assert lrs[:41] == reference[:41]
    assert reference[40] == pytest.approx(0.075, rel=1e-12)
    assert reference[41] == pytest.approx(0.0735, abs=5e-5)
    assert lrs[41] == pytest.approx(0.0098, abs=5e-5)
    for t in range(41, 100):
        assert lrs[t] / reference[t] == pytest.approx(2 / 15, rel=1e-9)
    # Plain CosineAnnealingLR survives the same order: its construction leaves group["lr"] alone.
    cosine = lambda optimizer: torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)  # noqa: E731
    run = resume.namespace["run"]
    assert run(40, "load optimizer, then scheduler", make_scheduler=cosine)[0] == run(make_scheduler=cosine)[0]


@pytest.mark.claim("sched-resume-forget")
def test_not_loading_the_scheduler_restarts_the_warmup_and_ends_at_0_041_not_0(resume):
    reference = resume.namespace["reference"]
    lrs, _ = resume.namespace["runs"]["scheduler state not loaded"]
    assert lrs[41] == pytest.approx(0.019, rel=1e-12)
    assert lrs[50] == pytest.approx(0.1, rel=1e-12)
    assert lrs[100] == pytest.approx(0.0413, abs=5e-5)
    assert reference[100] == pytest.approx(0.0, abs=1e-15)


# Warmup and Adam.


@pytest.mark.claim("sched-adam-first-step")
def test_adams_first_step_moves_every_coordinate_by_lr_within_1e_4_for_gradients_1e_4_to_1e2(adam):
    gradients = adam.namespace["FIRST_GRADIENTS"]
    assert min(map(abs, gradients)) == 1e-4 and max(map(abs, gradients)) == 100
    lr = adam.namespace["LR"]
    for gradient, moved in zip(gradients, adam.namespace["first_step"]()):
        assert math.copysign(1, moved) == -math.copysign(1, gradient)
        assert abs(moved) / lr == pytest.approx(1, abs=1e-4)


@pytest.mark.claim("sched-adam-noise-steps")
def test_on_noise_adam_steps_fall_from_lr_to_0_18_lr_and_warmup_starts_them_at_0_05(adam):
    plain, warmed = adam.namespace["plain"], adam.namespace["warmed"]
    assert plain[0] == pytest.approx(1, abs=1e-6)
    assert plain[1] == pytest.approx(0.64, abs=0.005)
    steady = plain[49:]
    predicted = math.sqrt((1 - 0.9) / (1 + 0.9)) * math.sqrt(2 / math.pi)
    assert predicted == pytest.approx(0.183, abs=5e-4)
    assert sum(steady) / len(steady) == pytest.approx(predicted, abs=0.005)
    assert all(0.17 < size < 0.19 for size in steady)
    assert warmed[0] == pytest.approx(0.05, abs=1e-6)
    assert max(warmed) < 0.21


# The learning-rate range test.


@pytest.mark.claim("sched-range-test-pick")
def test_range_test_lowest_smoothed_loss_at_lr_0_81_so_the_rule_picks_0_081(range_test):
    ns = range_test.namespace
    lrs, smoothed = ns["lrs"], ns["smoothed"]
    assert len(lrs) == 100 and lrs[0] == 1e-3 and lrs[-1] == pytest.approx(10, rel=1e-9)
    assert ns["at_minimum"] == pytest.approx(0.81, abs=0.005)
    assert ns["chosen"] == pytest.approx(0.081, abs=0.0005)
    assert min(smoothed) == pytest.approx(0.85, abs=0.005)
    assert smoothed[0] == pytest.approx(2.32, abs=0.005)
    assert "chosen lr = 0.811 / 10 = 0.0811" in range_test.output


@pytest.mark.claim("sched-range-test-train")
def test_chosen_lr_reaches_95_8_percent_while_100x_smaller_or_larger_stay_near_chance(range_test):
    accuracy = range_test.namespace["accuracy"]
    assert accuracy["chosen"] == pytest.approx(0.958, abs=0.006)
    assert accuracy["chosen / 100"] == pytest.approx(0.125, abs=0.006)
    assert accuracy["chosen × 100"] == pytest.approx(0.103, abs=0.006)
    assert accuracy["chosen"] > 0.9 > 0.2 > max(accuracy["chosen / 100"], accuracy["chosen × 100"])
