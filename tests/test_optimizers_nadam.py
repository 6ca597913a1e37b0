"""The claims of docs/optimizers/nadam.md that are NAdam's own (the family's are in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("nadam-slow-momentum-warmup")
def test_the_default_momentum_schedule_takes_thousands_of_steps_to_pass_the_level(snippet):
    """The mu_t torch applies follow beta1 (1 - b^(t psi) / 2); with the defaults mu_1 is about
    beta1 / 2, mu_t is still far below LEVEL at step SHOWN[3], first exceeds LEVEL at the quoted step
    and never exceeds beta1; ten and a hundred times the momentum_decay reach it ten and a hundred
    times sooner."""
    ns = snippet("optimizers/nadam_momentum").namespace
    defaults = torch.optim.NAdam([torch.zeros(1)]).defaults
    assert (ns["BETA1"], ns["PSI"]) == (defaults["betas"][0], defaults["momentum_decay"])
    for t, value in enumerate(ns["seen"], start=1):  # what torch.optim.NAdam applies
        assert value == pytest.approx(ns["mu"](t), abs=1e-6)
    assert ns["seen"][0] == pytest.approx(ns["BETA1"] / 2, rel=1e-3)
    t = ns["reaching"][ns["PSI"]]
    assert ns["mu"](t - 1) <= ns["LEVEL"] < ns["mu"](t)
    assert ns["formula"][ns["SHOWN"][3]] < ns["LEVEL"] and t > ns["SHOWN"][3]
    assert all(value <= ns["BETA1"] for value in ns["formula"].values())
    for psi in ns["MOMENTUM_DECAYS"][1:]:
        steps = ns["reaching"][psi]
        assert ns["mu"](steps - 1, momentum_decay=psi) <= ns["LEVEL"] < ns["mu"](steps, momentum_decay=psi)
        assert steps == pytest.approx(t * ns["PSI"] / psi, rel=0.02)
