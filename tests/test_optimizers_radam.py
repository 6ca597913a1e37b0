"""The claims of docs/optimizers/radam.md that are RAdam's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("radam-first-steps-unnormalized")
def test_the_first_steps_move_lr_times_the_gradient_then_lr_times_the_rectifier(snippet):
    """With the default beta2, rho_t is at most 5 for the first steps, which take the momentum
    branch: on f(x) = c x they move x by exactly lr * c, where Adam moves by lr whatever c is; at
    the first rectified step every run moves by lr * r_t."""
    ns = snippet("optimizers/radam_warmup").namespace
    assert ns["BETA2S"][0] == torch.optim.RAdam([torch.zeros(1)]).defaults["betas"][1]
    before, after = ns["rho_around"][ns["BETA2S"][0]]
    assert before <= 5 < after and ns["last_unrectified"] == ns["first_rectified"][ns["BETA2S"][0]] - 1
    k = ns["last_unrectified"]
    for scale in ns["GRADIENT_SCALES"]:
        radam, adam = ns["sizes"]["RAdam"][scale], ns["sizes"]["Adam"][scale]
        assert radam[:k] == pytest.approx([ns["LR"] * scale] * k, rel=1e-12)
        assert adam == pytest.approx([ns["LR"]] * ns["STEPS"], rel=1e-5)  # eps / |c| <= 1e-6
        assert radam[k] == pytest.approx(ns["rectified_step"], rel=1e-3)  # up to eps


@pytest.mark.claim("radam-rectifier-warmup")
def test_the_rectifier_is_a_warmup_whose_length_beta2_sets(snippet):
    """The rectifier torch applies grows from well below one at the first rectified step and first
    reaches LEVEL at the quoted step, for each beta2; making 1 - beta2 `ratio` times larger shortens
    that warmup about as many times."""
    ns = snippet("optimizers/radam_warmup").namespace
    r = ns["rectifier"]
    for beta2 in ns["BETA2S"]:
        t = ns["reaches"][beta2]
        assert r(t - 1, beta2) < ns["LEVEL"] <= r(t, beta2)
        assert ns["r_first"][beta2] == r(ns["first_rectified"][beta2], beta2) < 0.1
        assert ns["r_at"][beta2] == [r(s, beta2) for s in ns["SHOWN_R"]]
    slow, fast = (ns["reaches"][beta2] for beta2 in ns["BETA2S"])
    assert slow / fast == pytest.approx(ns["ratio"], rel=0.05)
    # torch applies the same r_t: with a constant gradient RAdam's rectified steps are lr * r_t
    sizes = ns["sizes"]["RAdam"][1.0]
    for t in range(ns["first_rectified"][ns["BETA2S"][0]], ns["STEPS"] + 1):
        assert sizes[t - 1] == pytest.approx(ns["LR"] * r(t, ns["BETA2S"][0]), rel=1e-6)
