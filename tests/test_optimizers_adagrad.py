"""The claims of docs/optimizers/adagrad.md that are Adagrad's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("adagrad-group-accumulator-ignored")
def test_group_accumulator_value_is_recorded_not_used(snippet):
    """The constructor fills every accumulator from its own initial_accumulator_value, so a value
    set in a parameter group is recorded in param_groups but never used: the first of the two
    groups asks for GROUP_VALUE and its sum starts at the constructor's default."""
    ns = snippet("optimizers/adagrad_groups").namespace
    assert ns["CONSTRUCTOR_VALUE"] == torch.optim.Adagrad([torch.zeros(1)]).defaults["initial_accumulator_value"]
    assert ns["GROUP_VALUE"] != ns["CONSTRUCTOR_VALUE"]
    assert ns["recorded"] == [ns["GROUP_VALUE"], ns["CONSTRUCTOR_VALUE"]]
    assert ns["starts"] == [ns["CONSTRUCTOR_VALUE"]] * 2
    other = 0.5  # the constructor's value is the one every group starts from
    assert [start for _, start in ns["starting_sums"](constructor_value=other)] == [other, other]


@pytest.mark.claim("adagrad-step-lr-over-sqrt-t")
def test_constant_gradient_steps_are_lr_over_sqrt_t(snippet):
    """Under a constant gradient the t-th step is lr |g| / (sqrt(t) |g| + eps), about lr / sqrt(t):
    the same steps for every gradient size, and after STEPS steps the same distance."""
    ns = snippet("optimizers/adagrad_steps").namespace
    eps = torch.optim.Adagrad([torch.zeros(1)]).defaults["eps"]
    assert sorted(ns["runs"]) == sorted(ns["GRADIENTS"])
    for g, sizes in ns["runs"].items():
        assert len(sizes) == ns["STEPS"]
        expected = [ns["LR"] * g / (t**0.5 * g + eps) for t in range(1, ns["STEPS"] + 1)]
        assert sizes == pytest.approx(expected, rel=1e-9)
        assert sizes == pytest.approx([ns["LR"] / t**0.5 for t in range(1, ns["STEPS"] + 1)], rel=1e-6)
        assert ns["distance"][g] == pytest.approx(ns["distance"][1.0], rel=1e-6)
        assert ns["shown_sizes"][g] == [sizes[t - 1] for t in ns["SHOWN"]]


@pytest.mark.claim("adagrad-never-forgets")
def test_after_the_jump_adagrad_lags_and_rmsprop_follows(snippet):
    """Adagrad reaches within WITHIN of the first target; after the jump it never comes within
    WITHIN of the new one in the remaining steps, where RMSprop does."""
    ns = snippet("optimizers/adagrad_steps").namespace
    adagrad, rmsprop = ns["paths"]["Adagrad"], ns["paths"]["RMSprop"]
    assert ns["reached"]["Adagrad"] == ns["steps_to_reach"](adagrad, ns["TARGETS"][0]) is not None
    assert ns["reached"]["Adagrad"] < ns["JUMP"]
    assert ns["back"]["Adagrad"] is None and abs(ns["final"]["Adagrad"] - ns["TARGETS"][1]) > ns["WITHIN"]
    assert ns["back"]["RMSprop"] == ns["steps_to_reach"](rmsprop, ns["TARGETS"][1], start=ns["JUMP"]) is not None
    assert ns["remaining"] == len(adagrad) - 1 - ns["JUMP"]
