"""The claims of docs/optimizers/adadelta.md that are Adadelta's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("adadelta-step-set-by-eps")
def test_first_step_is_set_by_eps_not_by_the_gradient(snippet):
    """Under a constant gradient the first step is sqrt(eps / (1 - rho)) whether the gradient is
    small or large; after that the step grows slowly, by about the same factor for each eps tried."""
    ns = snippet("optimizers/adadelta_steps").namespace
    defaults = torch.optim.Adadelta([torch.zeros(1)]).defaults
    assert ns["RHO"] == defaults["rho"] and ns["DEFAULT_EPS"] == defaults["eps"] in ns["EPSILONS"]
    for eps, by_gradient in ns["steps"].items():
        small, large = (by_gradient[g] for g in ns["GRADIENTS"])
        assert small[0] == pytest.approx((eps / (1 - ns["RHO"])) ** 0.5, rel=1e-3)  # exact when g^2 >> eps
        assert small == pytest.approx(large, rel=1e-2)  # the gradient's size does not matter
        assert ns["first_steps"][eps] == small[0] and ns["last_steps"][eps] == small[-1] > small[0]
    growths = list(ns["growth"].values())
    assert max(growths) / min(growths) < 1.02


@pytest.mark.claim("adadelta-lr-one")
def test_adadelta_needs_lr_near_one(snippet):
    """At its default lr Adadelta brings the quadratic's loss below BELOW and much lower still, then
    the stiffest coordinate overshoots back and forth and the loss climbs back; with Adam's default
    lr every coordinate has hardly moved, where Adam has gone much further."""
    ns = snippet("optimizers/adadelta_steps").namespace
    assert ns["ADADELTA_LR"] == torch.optim.Adadelta([torch.zeros(1)]).defaults["lr"]
    assert ns["ADAM_LR"] == torch.optim.Adam([torch.zeros(1)]).defaults["lr"]
    losses = ns["losses"]["adadelta"]
    t = ns["below"]["adadelta"]
    assert losses[t] < ns["BELOW"] <= min(losses[:t])
    assert ns["lowest_loss"]["adadelta"] == min(losses) < ns["final_loss"]["adadelta"] < ns["BELOW"]
    stiff = ns["CURVATURES"].index(max(ns["CURVATURES"]))
    theta = ns["final_theta"]["adadelta"]
    assert ns["final_loss"]["adadelta"] == pytest.approx(ns["CURVATURES"][stiff] * theta[stiff] ** 2 / 2, rel=1e-6)
    slow = ns["final_theta"]["adadelta_adam_lr"]
    assert len({f"{x:.4g}" for x in slow}) == 1  # as the page shows it: every coordinate at one value
    assert ns["START"] - slow[0] < (ns["START"] - ns["final_theta"]["adam"][0]) / 10
    assert ns["final_loss"]["adam"] < ns["final_loss"]["adadelta_adam_lr"] < ns["losses"]["adadelta_adam_lr"][0]
