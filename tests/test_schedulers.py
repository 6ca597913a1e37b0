"""The claims of docs/schedulers.md, checked by running its snippets."""

import inspect
import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler
from conftest import snippet_fixture


step_wise = snippet_fixture("schedulers/step_wise")
smooth = snippet_fixture("schedulers/smooth_decay")
cyclic = snippet_fixture("schedulers/cyclic")
composed = snippet_fixture("schedulers/composed")
plateau = snippet_fixture("schedulers/plateau")
call_order = snippet_fixture("schedulers/call_order")
groups = snippet_fixture("schedulers/param_groups")
resume = snippet_fixture("schedulers/resume")
adam = snippet_fixture("schedulers/adam_warmup")
range_test = snippet_fixture("schedulers/range_test")


# The schedule of every scheduler follows its closed form, step by step (one claim per group).


@pytest.mark.claim("sched-step-wise-closed-form")
@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR"])
def test_step_wise_schedules_equal_their_closed_form(step_wise, name):
    """Over 100 steps, `get_last_lr()` of each of the three equals its closed form exactly, to the last
    bit, at every step."""
    ns = step_wise.namespace
    make, closed, _ = ns["SCHEDULES"][name]
    lrs = ns["trace"](make)
    assert len(lrs) == ns["STEPS"] + 1
    assert lrs == [closed(t) for t in range(ns["STEPS"] + 1)]


@pytest.mark.claim("sched-smooth-closed-form")
@pytest.mark.parametrize("name", ["LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "SWALR"])
def test_smooth_decays_follow_their_closed_form(smooth, name):
    """For each of the five, `get_last_lr()` agrees with the closed form to within 10⁻¹⁴ relative at
    each of 100 steps."""
    ns = smooth.namespace
    make, closed, _ = ns["SCHEDULES"][name]
    lrs = ns["trace"](make)
    assert len(lrs) == ns["STEPS"] + 1
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(closed(t), rel=ns["TOLERANCE"], abs=1e-300)


@pytest.mark.claim("sched-cyclic-closed-form")
@pytest.mark.parametrize("name", [
    "CosineAnnealingWarmRestarts T_mult=1", "CosineAnnealingWarmRestarts T_mult=2",
    "CyclicLR triangular", "CyclicLR triangular2", "CyclicLR exp_range",
    "OneCycleLR cos", "OneCycleLR linear", "OneCycleLR three_phase",
])
def test_cyclic_schedules_follow_their_closed_form(cyclic, name):
    """For the two warm-restart schedules, the three CyclicLR modes and the three OneCycleLR variants,
    `get_last_lr()` and the momentum in the optimizer agree with these formulas to within 10⁻¹⁴
    relative at every step of the run."""
    ns = cyclic.namespace
    make, lr_form, momentum_form, _ = ns["SCHEDULES"][name]
    steps = ns["steps_for"](name)
    assert steps == (ns["ONE_CYCLE"]["total_steps"] - 1 if name.startswith("OneCycleLR") else ns["STEPS"])
    lrs, momenta = ns["trace"](make, steps)
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(lr_form(t), rel=ns["TOLERANCE"])
    if momentum_form is not None:
        for t, momentum in enumerate(momenta):
            assert momentum == pytest.approx(momentum_form(t), rel=ns["TOLERANCE"])


@pytest.mark.claim("sched-composed-closed-form")
@pytest.mark.parametrize("name", ["LambdaLR", "MultiplicativeLR", "SequentialLR", "ChainedScheduler"])
def test_composed_schedules_follow_their_closed_form(composed, name):
    """For each of the four, `get_last_lr()` agrees with the closed form to within 10⁻¹⁴ relative at
    each of 100 steps."""
    ns = composed.namespace
    make, closed, _ = ns["SCHEDULES"][name]
    lrs = ns["trace"](make)
    assert len(lrs) == ns["STEPS"] + 1
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(closed(t), rel=ns["TOLERANCE"], abs=1e-17)  # abs: where the form is 0


# CosineAnnealingLR is a recursion.


@pytest.mark.claim("sched-cosine-past-tmax")
def test_cosine_annealing_stepped_past_t_max_follows_the_cosine_back_up(smooth):
    """Nothing stops CosineAnnealingLR at T: stepped on, it follows the cosine back up. With T = 50 the
    rate is 0 at step 50, 0.05 at step 75, back at the base rate 0.1 at step 100, and 0 again at step 150."""
    ns = smooth.namespace
    T, lrs = ns["PAST_T_MAX"], ns["beyond"]
    assert len(lrs) == 3 * T + 1
    for t, lr in enumerate(lrs):  # the closed form's cosine, continued past T
        assert lr == pytest.approx(ns["cosine_closed"](t), rel=1e-12, abs=1e-15)
    assert lrs[T:2 * T + 1] == sorted(lrs[T:2 * T + 1])  # it rises all the way from T to 2T
    assert [row["t"] for row in smooth.values["past"]] == [T, 3 * T // 2, 2 * T, 3 * T]
    assert [row["lr"] for row in smooth.values["past"]] == [lrs[row["t"]] for row in smooth.values["past"]]
    assert lrs[2 * T] == pytest.approx(ns["BASE_LR"], rel=1e-12)


@pytest.mark.claim("sched-cosine-keeps-outside-change")
def test_cosine_recursion_keeps_a_change_made_from_outside(smooth):
    """Halve `group["lr"]` by hand after step 20 of a run with η_min = 0, and every later rate is
    exactly half of the closed form, to within 10⁻¹² relative."""
    ns = smooth.namespace
    lrs, closed, after = ns["halved"], ns["cosine_closed"], ns["HALVE_AFTER"]
    for t in range(after):
        assert lrs[t] == pytest.approx(closed(t), rel=ns["TOLERANCE"])
    for t in range(after, ns["PAST_T_MAX"]):
        assert lrs[t] / closed(t) == pytest.approx(0.5, rel=ns["HALVED_TOLERANCE"])


# Cyclic schedulers also set the momentum.


def _default(function, name):
    return inspect.signature(function).parameters[name].default


@pytest.mark.claim("sched-cyclic-sets-momentum")
def test_cyclic_schedulers_set_the_momentum(cyclic):
    """Attached to SGD, whose momentum is 0, CyclicLR sets it to 0.9 and OneCycleLR to 0.95 (their
    default max_momentum), and only `cycle_momentum=False` leaves it at 0; attached to Adam, OneCycleLR
    sets the first of its betas from 0.9 to 0.95. In the triangular run, the momentum is 0.9 where the
    rate is at its base 0.01 (step 0) and 0.8 where it peaks at 0.1 (step 10)."""
    ns, values = cyclic.namespace, cyclic.values
    after, attached = ns["momentum_after"], ns["ATTACHED"]
    assert _default(torch.optim.SGD, "momentum") == values["sgd_momentum_default"] == 0
    assert after(attached["cyclic"]) == _default(lr_scheduler.CyclicLR, "max_momentum") == values["momentum_set"]["cyclic"]
    assert after(attached["one_cycle"]) == _default(lr_scheduler.OneCycleLR, "max_momentum") == values["momentum_set"]["one_cycle"]
    assert after(attached["cyclic_off"]) == values["sgd_momentum_default"] == values["momentum_set"]["cyclic_off"]
    assert _default(torch.optim.Adam, "betas")[0] == values["adam_beta1_default"]
    assert after(attached["one_cycle"], torch.optim.Adam) == values["one_cycle_max_momentum_default"] == values["adam_one_cycle"]
    # And they cycle it against the lr: max_momentum at base_lr, base_momentum at max_lr.
    lrs, momenta = ns["traces"]["CyclicLR triangular"]
    base, peak = values["triangular_base"], values["triangular_peak"]
    assert (lrs[0], momenta[0]) == (base["lr"], base["momentum"]) == (ns["CYCLIC"]["base_lr"], ns["CYCLIC"]["max_momentum"])
    assert peak["t"] == ns["CYCLIC"]["step_size_up"]
    assert (lrs[peak["t"]], momenta[peak["t"]]) == (peak["lr"], peak["momentum"])
    assert peak["lr"] == pytest.approx(ns["CYCLIC"]["max_lr"]) and peak["momentum"] == pytest.approx(ns["CYCLIC"]["base_momentum"])


@pytest.mark.claim("sched-onecycle-step-limit")
def test_one_cycle_raises_once_past_its_total_steps(cyclic):
    """The last mini-batch runs at η_low (4 × 10⁻⁷ above). With total_steps = 100, 100 calls to
    `scheduler.step()` succeed and call 101 raises `ValueError`: Tried to step 101 times. The specified
    number of total steps is 100."""
    ns, values = cyclic.namespace, cyclic.values
    total = ns["ONE_CYCLE"]["total_steps"]
    calls, message = ns["calls_until_error"](ns["ATTACHED"]["one_cycle"])
    assert calls == total == values["calls"] and values["failing_call"] == total + 1
    assert message == values["message"] == f"Tried to step {total + 1} times. The specified number of total steps is {total}"
    lrs, _ = ns["trace"](ns["SCHEDULES"]["OneCycleLR cos"][0], steps=total - 1)
    assert lrs[total - 1] == pytest.approx(values["one_cycle_low"], rel=1e-12)  # the last step: the lowest rate
    assert values["one_cycle_low"] == ns["ONE_CYCLE"]["max_lr"] / ns["ONE_CYCLE"]["div_factor"] / ns["ONE_CYCLE"]["final_div_factor"]


# Metric-driven.


@pytest.mark.claim("sched-plateau-rule")
def test_plateau_cuts_exactly_as_the_plain_python_rule(plateau):
    """The scheduler cuts the rate after epochs 8, 19 and 26 (1 → 0.5 → 0.25 → 0.125), exactly as the
    plain-Python rule does on the same losses. The first cut: the best loss was 0.1048 at epoch 5, and
    epochs 6, 7 and 8 all failed to beat it by 0.1 %, three bad epochs, one more than the patience of 2."""
    ns, values = plateau.namespace, plateau.values
    rule = ns["PLATEAU"]
    losses = [loss for loss, _, _ in ns["history"]]
    after = [lr for _, _, lr in ns["history"]]
    assert ns["plateau_rule"](losses, ns["LR"], **rule) == after
    cuts = [epoch for epoch in range(1, len(after)) if after[epoch] < after[epoch - 1]]
    assert cuts == values["cuts"] and len(cuts) >= 1
    assert values["levels"] == [ns["LR"] * rule["factor"] ** k for k in range(len(cuts) + 1)]
    # The first cut.
    best = values["first_best_epoch"]
    assert losses[best] == values["first_best_loss"] == min(losses[: cuts[0] + 1])
    assert values["first_bad_epochs"] == list(range(best + 1, cuts[0] + 1))
    assert len(values["first_bad_epochs"]) == rule["patience"] + 1
    assert all(losses[epoch] >= losses[best] * (1 - rule["threshold"]) for epoch in values["first_bad_epochs"])
    assert "the rule in plain Python gives the same lrs: True" in plateau.output


@pytest.mark.claim("sched-plateau-not-composable")
def test_sequential_lr_and_chained_scheduler_refuse_reduce_lr_on_plateau(plateau):
    """Since its `step()` needs the metric, ReduceLROnPlateau cannot be composed: SequentialLR and
    ChainedScheduler both refuse it with a `ValueError` at construction."""
    compose = plateau.namespace["compose"]
    assert compose("SequentialLR") == "ValueError: SequentialLR does not support `ReduceLROnPlateau` scheduler"
    assert compose("ChainedScheduler") == "ValueError: ChainedScheduler does not support `ReduceLROnPlateau` scheduler"


# Pitfalls.


@pytest.mark.claim("sched-order-warning")
def test_scheduler_step_first_warns_once_and_shifts_the_schedule(call_order):
    """With the scheduler first, PyTorch warns once, at the first call (1 warning in 9 epochs); every
    epoch then runs at the rate meant for the next epoch, so the first decay comes after 2 epochs
    instead of 3 and the last epoch already uses 10⁻⁴."""
    ns, values = call_order.namespace, call_order.values
    right, right_warnings = ns["lrs_used"]("optimizer first")
    wrong, wrong_warnings = ns["lrs_used"]("scheduler first")
    assert right_warnings == []
    assert len(wrong_warnings) == values["warning_count"] == 1
    assert wrong_warnings[0].startswith("Detected call of `lr_scheduler.step()` before `optimizer.step()`.")
    assert "skipping the first value of the learning rate schedule" in wrong_warnings[0]
    assert len(right) == len(wrong) == ns["EPOCHS"]
    assert wrong[:-1] == right[1:]  # every epoch uses the next epoch's rate
    step_lr = [ns["LR"] * ns["GAMMA"] ** (epoch // ns["STEP_SIZE"]) for epoch in range(ns["EPOCHS"] + 1)]
    assert right == pytest.approx(step_lr[:-1]) and wrong == pytest.approx(step_lr[1:])
    assert values["first_decay_right"] == ns["STEP_SIZE"] and values["first_decay_wrong"] == ns["STEP_SIZE"] - 1
    assert values["last_lr_wrong"] == wrong[-1]


@pytest.mark.claim("sched-groups-ratio")
def test_cosine_keeps_each_groups_own_base_lr(groups):
    """Under CosineAnnealingLR the head's rate stays exactly 10 times the backbone's, to within 10⁻¹²
    relative, at every step before it reaches zero."""
    ns = groups.namespace
    backbone, head = ns["group_lrs"](ns["GROUP_SCHEDULERS"]["cosine"])
    assert (backbone[0], head[0]) == ns["GROUP_LRS"]
    for t in range(ns["STEPS"]):
        assert head[t] / backbone[t] == pytest.approx(groups.values["own_ratio"], rel=ns["TOLERANCE"])
    assert backbone[ns["STEPS"]] == head[ns["STEPS"]] == 0


@pytest.mark.claim("sched-groups-scalar-max-lr")
def test_a_single_max_lr_gives_both_groups_the_same_rate(groups):
    """Given a single max_lr = 0.1, OneCycleLR gives both groups the same rate at every step, so the
    backbone created with 0.01 peaks at 0.1, 10 times its own rate; given max_lr = [0.01, 0.1], one per
    group, the ratio stays 10 at every step. CyclicLR with a single base_lr and max_lr likewise gives
    both groups the same rate at every step."""
    ns, values = groups.namespace, groups.values
    schedulers = ns["GROUP_SCHEDULERS"]
    backbone, head = ns["group_lrs"](schedulers["one_cycle_single"])
    assert backbone == head
    assert max(backbone) == values["backbone_peak"] == pytest.approx(ns["SINGLE_MAX_LR"], rel=1e-3)
    assert values["peak_over_own"] == values["backbone_peak"] / ns["GROUP_LRS"][0]
    backbone, head = ns["group_lrs"](schedulers["one_cycle_per_group"])
    assert ns["PER_GROUP_MAX_LR"][1] / ns["PER_GROUP_MAX_LR"][0] == pytest.approx(values["own_ratio"])
    for b, h in zip(backbone, head):
        assert h / b == pytest.approx(values["own_ratio"], rel=ns["TOLERANCE"])
    assert values["cyclic_groups_equal"] is True


@pytest.mark.claim("sched-resume-exact")
def test_resuming_in_the_right_order_is_bit_for_bit_the_uninterrupted_run(resume):
    """In the right order, the resumed run is the uninterrupted one bit for bit: the same learning rate
    at each of the 100 steps and the same final weights."""
    ns = resume.namespace
    lrs, weights = ns["runs"]["scheduler, then load both"]
    assert len(lrs) == ns["STEPS"] + 1
    assert lrs == ns["reference"]
    assert torch.equal(weights, ns["reference_weights"])


@pytest.mark.claim("sched-resume-construct-order")
def test_creating_sequential_lr_after_loading_the_optimizer_scales_the_rest(resume):
    """Creating a SequentialLR resets `group["lr"]` to the warmup's first value, 0.1 × 0.1 = 0.01. The
    cosine recursion then continues from 0.01 instead of from the rate at step 40, 0.075, so every later
    rate is 0.01 / 0.075 = 0.1333 of what it should be: 0.0098 instead of 0.0735 at step 41. A plain
    CosineAnnealingLR survives this order."""
    ns, values = resume.namespace, resume.values
    reference, at = ns["reference"], ns["RESUME_AT"]
    lrs, _ = ns["runs"]["load optimizer, then scheduler"]
    assert lrs[: at + 1] == reference[: at + 1]
    warmup, into = ns["WARMUP_STEPS"], values["into_cosine"]
    assert into == at - warmup
    expected = ns["BASE_LR"] * (1 + math.cos(math.pi * into / values["cosine_steps"])) / 2
    assert reference[at] == values["lr_at_resume"] == pytest.approx(expected, rel=1e-12)
    assert values["reset_lr"] == ns["BASE_LR"] * ns["WARMUP_START"]
    for t in range(at + 1, ns["STEPS"]):
        assert lrs[t] / reference[t] == pytest.approx(values["slip_ratio"], rel=1e-9)
    assert values["slip_ratio"] == values["reset_lr"] / values["lr_at_resume"]
    # Plain CosineAnnealingLR survives the same order: its construction leaves group["lr"] alone.
    cosine = lambda optimizer: lr_scheduler.CosineAnnealingLR(optimizer, T_max=ns["STEPS"])  # noqa: E731
    run = ns["run"]
    assert run(at, "load optimizer, then scheduler", make_scheduler=cosine)[0] == run(make_scheduler=cosine)[0]


@pytest.mark.claim("sched-resume-forget")
def test_not_loading_the_scheduler_restarts_the_warmup(resume):
    """Forgetting `scheduler.load_state_dict` starts the schedule over from step 0: the resumed run warms
    up again (0.019 at step 41, 0.1 at step 50) and ends at 0.0413 instead of 0."""
    ns, values = resume.namespace, resume.values
    at, warmup = ns["RESUME_AT"], ns["WARMUP_STEPS"]
    lrs, _ = ns["runs"]["scheduler state not loaded"]
    assert lrs == values["forgot"]
    reference, _ = ns["run"]()
    for t in range(at + 1, ns["STEPS"] + 1):  # the uninterrupted schedule, shifted by the resume step
        assert lrs[t] == pytest.approx(reference[t - at], rel=1e-12)
    assert values["forgot_peak_step"] == at + warmup
    assert lrs[at + warmup] == pytest.approx(ns["BASE_LR"], rel=1e-12)
    assert ns["reference"][ns["STEPS"]] == pytest.approx(0.0, abs=1e-15)


# Warmup and Adam.


@pytest.mark.claim("sched-adam-first-step")
def test_adams_first_step_moves_every_coordinate_by_lr(adam):
    """With the default ε = 10⁻⁸ and gradients from 10⁻⁴ to 10² in size, Adam's first step moves every
    coordinate by η to within 0.01 %, against the sign of its gradient."""
    ns, values = adam.namespace, adam.values
    assert values["adam_eps"] == _default(torch.optim.Adam, "eps")
    gradients, lr = ns["FIRST_GRADIENTS"], ns["LR"]
    assert (values["smallest_gradient"], values["largest_gradient"]) == (min(map(abs, gradients)), max(map(abs, gradients)))
    for gradient, moved in zip(gradients, ns["first_step"]()):
        assert math.copysign(1, moved) == -math.copysign(1, gradient)
        assert abs(abs(moved) / lr - 1) <= ns["FIRST_STEP_TOLERANCE"]


@pytest.mark.claim("sched-adam-noise-steps")
def test_on_noise_adams_steps_fall_from_lr_to_the_predicted_mean(adam):
    """On 10,000 coordinates of pure noise, Adam's step is the full η at step 1 and 0.64 η at step 2,
    and from step 50 on it stays between 0.180 η and 0.187 η, averaging 0.183, within 0.005 of the
    predicted 0.183; so the first step is 5.5 times the steady ones. With a 20-step linear warmup from
    η/20 the first step is 0.05 η and the largest is 0.20 η."""
    ns, values = adam.namespace, adam.values
    plain, warmed = ns["noise_steps"](), ns["noise_steps"](ns["WARMUP_STEPS"])
    assert plain == values["plain"] and warmed == values["warmed"]
    beta1 = _default(torch.optim.Adam, "betas")[0]
    assert values["predicted"] == math.sqrt((1 - beta1) / (1 + beta1)) * math.sqrt(2 / math.pi)
    assert plain[0] == pytest.approx(1, rel=ns["FIRST_STEP_TOLERANCE"])
    steady = plain[ns["STEADY_FROM"] - 1:]
    assert (values["steady_min"], values["steady_max"]) == (min(steady), max(steady))
    assert values["steady_mean"] == pytest.approx(sum(steady) / len(steady), rel=1e-12)
    assert abs(values["steady_mean"] - values["predicted"]) <= ns["STEADY_TOLERANCE"]
    assert values["first_over_steady"] == plain[0] / values["steady_mean"]
    assert warmed[0] == pytest.approx(1 / ns["WARMUP_STEPS"], rel=ns["FIRST_STEP_TOLERANCE"])
    assert values["warmed_max"] == max(warmed)


# The learning-rate range test.


@pytest.mark.claim("sched-range-test-pick")
def test_range_test_picks_a_tenth_of_the_rate_at_the_lowest_smoothed_loss(range_test):
    """The rate grows from 10⁻³ to 10 over 100 mini-batches. The smoothed loss starts at 2.32 and is
    lowest, 0.85, at η = 0.81, so the rule picks η = 0.081."""
    ns, values = range_test.namespace, range_test.values
    lrs, smoothed = values["lrs"], values["smoothed"]
    assert lrs[0] == ns["SWEEP_FROM"] and len(lrs) == values["sweep_count"] == ns["SWEEP_STEPS"]
    assert lrs[-1] == pytest.approx(ns["SWEEP_TO"], rel=1e-9)
    for before, after in zip(lrs, lrs[1:]):
        assert after / before == pytest.approx(values["gamma"], rel=1e-9)
    assert smoothed == ns["smooth"](values["losses"])
    assert values["at_minimum"] == lrs[int(np.argmin(smoothed))]
    assert values["chosen"] == ns["pick"](lrs, smoothed) == values["at_minimum"] / ns["PICK_DIVISOR"]


@pytest.mark.claim("sched-range-test-lag")
def test_the_smoothed_loss_lags_the_raw_one(range_test):
    """1/(1 − β) = 10 is a scale, not a window: the last 10 losses hold only 65.1 % of the smoothed
    loss's weight, and the weights' mean age is 9 steps, over which the rate grows 2.31 times. The
    smoothed minimum comes after the raw one: step 72 against 70."""
    ns, values = range_test.namespace, range_test.values
    beta, window = ns["SMOOTHING"], round(values["rule_of_thumb"])
    assert values["rule_of_thumb"] == pytest.approx(1 / (1 - beta))
    # The weights the snippet's smoothing gives 200 steps of losses, read by smoothing unit impulses.
    steps = 200
    weights = [ns["smooth"]([1.0 if k == j else 0.0 for k in range(steps)])[-1] for j in range(steps)]
    assert sum(weights) == pytest.approx(1, rel=1e-12)
    assert sum(weights[-window:]) == pytest.approx(values["last_ten_weight"], rel=1e-9)
    assert sum((steps - 1 - j) * w for j, w in enumerate(weights)) == pytest.approx(values["mean_lag"], rel=1e-6)
    assert values["lag_growth"] == pytest.approx(values["gamma"] ** values["mean_lag"])
    assert values["raw_minimum_step"] == int(np.argmin(values["losses"]))
    assert values["smoothed_minimum_step"] > values["raw_minimum_step"]


@pytest.mark.claim("sched-range-test-train")
def test_the_chosen_rate_trains_well_and_far_smaller_or_larger_stay_near_chance(range_test):
    """Trained for 3 epochs at a constant rate, the chosen η = 0.081 classifies 95.8 % of the 360
    held-out digits correctly, more than 90 %; 100 times smaller it reaches 12.5 % and 100 times larger
    11.7 %, both within 5 points of the 10 % of guessing. (The accuracies move by a few points with the
    CPU's kernels.)"""
    ns, values = range_test.namespace, range_test.values
    accuracy, chance = values["accuracy"], values["chance"]
    assert chance == 1 / len(set(values["Y_TEST"] + values["Y_TRAIN"]))
    assert values["test_count"] == len(values["Y_TEST"])
    assert accuracy == {name: ns["train"](lr) for name, lr in ns["CANDIDATES"].items()}
    assert ns["CANDIDATES"]["smaller"] * ns["FACTOR"] == pytest.approx(values["chosen"])
    assert ns["CANDIDATES"]["larger"] / ns["FACTOR"] == pytest.approx(values["chosen"])
    assert accuracy["chosen"] > ns["GOOD_ACCURACY"]
    assert abs(accuracy["smaller"] - chance) <= ns["NEAR_CHANCE"]
    assert abs(accuracy["larger"] - chance) <= ns["NEAR_CHANCE"]
