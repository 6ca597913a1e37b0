"""The claims of docs/optimizers/asgd.md that are ASGD's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("asgd-lambd-shrinks-weights")
def test_a_default_step_with_a_zero_gradient_multiplies_by_one_minus_lambd_lr(snippet):
    """With the defaults and a gradient of exactly zero, one step still multiplies the parameter
    by 1 - lambd * lr."""
    ns = snippet("optimizers/asgd_averaging").namespace
    assert ns["DEFAULTS"]["weight_decay"] == 0
    assert ns["shrink"] == pytest.approx(1 - ns["DEFAULTS"]["lambd"] * ns["DEFAULTS"]["lr"], rel=1e-12)
    assert ns["shrink"] < 1


@pytest.mark.claim("asgd-average-closer")
def test_the_average_ends_closer_than_the_iterate_and_copies_it_until_t0_plus_two(snippet):
    """After STEPS steps the average with t0 = T0 is closer to the solution than the last iterate,
    and than the iterate on average over the last LAST steps; through step t0 + 2 it is a copy."""
    ns = snippet("optimizers/asgd_averaging").namespace
    to_w, to_ax = ns["early"][0], ns["early"][1]
    assert ns["last_w"] == to_w[-1] and ns["last_ax"] == to_ax[-1] and ns["closer"] == to_w[-1] / to_ax[-1] > 1
    assert ns["mean_w"] == pytest.approx(sum(to_w[-ns["LAST"]:]) / ns["LAST"]) and ns["last_ax"] < ns["mean_w"]
    assert ns["copied"] == ns["T0"] + 2
    assert to_ax[: ns["copied"]] == to_w[: ns["copied"]] and to_ax[ns["copied"]] != to_w[ns["copied"]]


@pytest.mark.claim("asgd-default-never-averages")
def test_with_the_default_t0_ax_is_the_iterate_and_eta_hardly_decays(snippet):
    """With the default t0, ax equals the parameter bit for bit at every step, and the parameter is
    the same whatever t0 is; eta after SHOWN_ETA steps is lr / (1 + lambd lr k)^alpha."""
    ns = snippet("optimizers/asgd_averaging").namespace
    to_w, to_ax, w, ax = ns["default"]
    assert ns["DEFAULTS"]["t0"] > ns["STEPS"] and ns["default_copies"] and to_ax == to_w and torch.equal(w, ax)
    assert ns["same_w"] and torch.equal(ns["early"][2], w)
    d = ns["DEFAULTS"]
    for k, value in zip(ns["SHOWN_ETA"], ns["etas"]):
        assert value == pytest.approx(d["lr"] / (1 + d["lambd"] * d["lr"] * k) ** d["alpha"], rel=1e-12)
    assert ns["etas"][0] > 0.99 * d["lr"]  # "hardly decays": under one percent in the first SHOWN_ETA[0] steps
