"""The claims of docs/optimizers/adam.md that are Adam's own (the family's are in
test_optimizers_family.py)."""

import pytest


@pytest.mark.claim("adam-weight-decay-is-l2")
def test_weight_decay_is_an_l2_penalty_on_the_loss(snippet):
    """In the L2 setting of the table, with and without amsgrad, Adam's iterates with weight_decay =
    lambda equal, to within the float64 tolerance, those of Adam without weight decay on the loss
    plus lambda / 2 times the squared norm of the parameters."""
    ns = snippet("optimizers/from_scratch").namespace
    l2 = [s for s in ns["FAMILY"]["adam"].settings if s.get("weight_decay") and not s.get("decoupled_weight_decay")]
    assert l2
    for setting in l2:
        for amsgrad in (False, True):
            with_decay = {**setting, "amsgrad": amsgrad}
            without = {k: v for k, v in with_decay.items() if k != "weight_decay"}
            gap = ns["max_difference"](ns["run_torch"]("adam", with_decay), ns["run_torch"]("adam", without, l2=setting["weight_decay"]))
            assert gap < ns["TOLERANCES"]["adam"]["float64"]


@pytest.mark.claim("adam-bias-correction")
def test_adam_moves_by_lr_and_the_uncorrected_recurrences_do_not(snippet):
    """Under a constant gradient torch's Adam moves by lr |g| / (|g| + eps) at every step, less
    than lr by at most eps / |g| relative; the uncorrected recurrences move by
    (1 - beta1^t) / (sqrt(1 - beta2^t) + eps) lr: more than lr at the first step, peaking later and
    still above lr at the last step."""
    ns = snippet("optimizers/adam_bias").namespace
    g, (beta1, beta2), eps = ns["GRADIENT"], ns["BETAS"], ns["eps"]
    adam, uncorrected = ns["runs"]["adam"], ns["runs"]["uncorrected"]
    assert len(adam) == ns["STEPS"]
    assert adam == pytest.approx([g / (g + eps)] * ns["STEPS"], rel=1e-9)
    assert ns["adam_shortfall"] == pytest.approx(eps / (g + eps), abs=1e-12)  # the effect of eps, up to rounding
    closed_form = [(1 - beta1**t) * g / ((1 - beta2**t) ** 0.5 * g + eps) for t in range(1, ns["STEPS"] + 1)]
    assert uncorrected == pytest.approx(closed_form, rel=1e-9)
    assert ns["first"]["uncorrected"] == pytest.approx((1 - beta1) / (1 - beta2) ** 0.5, rel=1e-6)
    assert ns["peak"]["uncorrected"] == max(uncorrected) == uncorrected[ns["peak_step"]["uncorrected"] - 1]
    assert ns["first"]["uncorrected"] < ns["peak"]["uncorrected"] and ns["last"]["uncorrected"] > 1


@pytest.mark.claim("adam-not-rmsprop-with-momentum")
def test_rmsprop_with_adams_decay_rates_settles_at_one_over_one_minus_momentum(snippet):
    """RMSprop with momentum = beta1 and alpha = beta2 moves by 1 / sqrt(1 - alpha) lr at the first
    step, peaks later, and settles at 1 / (1 - momentum) lr, never at Adam's lr."""
    ns = snippet("optimizers/adam_bias").namespace
    momentum, alpha = ns["BETAS"]
    sizes = ns["runs"]["rmsprop"]
    assert ns["first"]["rmsprop"] == pytest.approx(1 / (1 - alpha) ** 0.5, rel=1e-6)
    assert ns["peak"]["rmsprop"] == max(sizes) > ns["first"]["rmsprop"]
    assert ns["rmsprop_long"][: ns["STEPS"]] == sizes and ns["settles"] == ns["rmsprop_long"][-1]
    assert ns["settles"] == pytest.approx(1 / (1 - momentum), rel=2e-3)
    assert min(ns["rmsprop_long"]) > 1 / (1 - momentum) > 1
