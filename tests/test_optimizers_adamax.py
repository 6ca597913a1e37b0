"""The claims of docs/optimizers/adamax.md that are Adamax's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("adamax-step-bounded")
def test_no_step_exceeds_the_bound_and_a_shrinking_gradient_reaches_it(snippet):
    """With the default betas no step of Adamax is longer than (1 - beta1) / (1 - beta1 / beta2) lr:
    in runs with noise and a spike, a constant gradient, heavy-tailed random gradients and growing
    gradients no step exceeds it, and a gradient that shrinks by exactly beta2 per step comes
    within CLOSE lr of it."""
    ns = snippet("optimizers/adamax_spike").namespace
    beta1, beta2 = torch.optim.Adamax([torch.zeros(1)]).defaults["betas"]
    assert ns["bound"] == (1 - beta1) / (1 - beta1 / beta2)
    assert len(ns["longest"]) == 5 and all(size <= ns["bound"] for size in ns["longest"].values())
    assert ns["bound"] - ns["longest"]["shrinking by beta2 per step"] < ns["CLOSE"]
    assert ns["memory_steps"] == pytest.approx(1 / (1 - beta2))
    assert beta2 ** ns["memory_steps"] == pytest.approx(1 / torch.e, rel=1e-3)


@pytest.mark.claim("adamax-spike")
def test_the_spike_sets_adamaxs_denominator_which_then_decays_by_beta2(snippet):
    """At the spike Adam takes its largest step of the run while Adamax's is much smaller: its
    denominator jumps straight to the spike's size, where Adam's stays far below it. Adamax's
    denominator then decays by exactly beta2 per step, to beta2^after at the end, still far above
    the noise and above Adam's."""
    ns = snippet("optimizers/adamax_spike").namespace
    beta2 = torch.optim.Adamax([torch.zeros(1)]).defaults["betas"][1]
    assert ns["at_spike"]["Adam"] == ns["largest"]["Adam"] > 10 * ns["at_spike"]["Adamax"]
    assert ns["at"]["Adamax"] == pytest.approx(ns["SPIKE_SIZE"], rel=1e-7)  # |g| + eps
    assert ns["before"]["Adam"] < ns["at"]["Adam"] < ns["at"]["Adamax"] / 10
    assert ns["after"] == ns["STEPS"] - ns["SPIKE"] - 1
    assert ns["end"]["Adamax"] == pytest.approx(ns["at"]["Adamax"] * beta2 ** ns["after"], rel=1e-9)
    assert ns["end"]["Adamax"] > 10 * ns["NOISE"] and ns["end"]["Adam"] < ns["end"]["Adamax"] / 10
