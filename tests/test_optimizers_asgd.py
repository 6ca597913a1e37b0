"""The claims of docs/optimizers/asgd.md, checked by running its snippets."""

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/asgd")


@pytest.fixture(scope="module")
def averaging(snippet):
    return snippet("optimizers/asgd_averaging")


@pytest.mark.claim("asgd-defaults-and-state")
def test_asgd_defaults_and_state_of_one_average_plus_three_float32_scalars(anatomy):
    defaults = anatomy.namespace["defaults"](torch.optim.ASGD)
    assert (defaults["lr"], defaults["lambd"], defaults["alpha"], defaults["t0"], defaults["weight_decay"]) == (
        1e-2, 1e-4, 0.75, 1e6, 0
    )
    for dtype, size in ((torch.float32, 4), (torch.float64, 8)):
        state = anatomy.namespace["state_of"](torch.optim.ASGD, shape=(3, 4), dtype=dtype)
        assert state == {
            "step": ((), torch.float32, 4),
            "eta": ((), torch.float32, 4),
            "mu": ((), torch.float32, 4),
            "ax": ((3, 4), dtype, 12 * size),
        }
    assert "bytes per parameter element: 4" in anatomy.output


@pytest.mark.claim("asgd-matches-torch")
def test_from_scratch_asgd_matches_torch_iterates_and_averages_within_1e_8_in_five_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 5 and ns["STEPS"] == 30
    assert ns["W0"].abs().max() < 3
    for setting in ns["SETTINGS"]:
        w_ours, ax_ours = ns["asgd"](ns["W0"], 30, **setting)
        w_theirs, ax_theirs = ns["torch_iterates"](ns["W0"], 30, **setting)
        assert ns["max_difference"](w_ours, w_theirs) < 1e-8
        assert ns["max_difference"](ax_ours, ax_theirs) < 1e-8
        assert (w_theirs[-1] - w_theirs[0]).abs().max() > 0.05
    # t0 = 5: ax copies w through step t0 + 2 = 7, and is a real average from step 8 on
    w_theirs, ax_theirs = ns["torch_iterates"](ns["W0"], 30, lr=0.05, t0=5)
    assert torch.equal(w_theirs[7], ax_theirs[7]) and not torch.equal(w_theirs[8], ax_theirs[8])
    # the mean of w_7 ... w_30, up to the float32 rounding of mu = 1 / k
    assert ax_theirs[30] == pytest.approx(sum(w_theirs[7:31]) / 24, abs=1e-8)


@pytest.mark.claim("asgd-float32-scalars")
def test_rounding_eta_and_mu_to_float32_closes_the_gap_to_1e_15(anatomy):
    ns = anatomy.namespace
    for setting in ns["SETTINGS"]:
        ours = ns["asgd"](ns["W0"], 30, **setting, scalar_dtype=torch.float32)
        theirs = ns["torch_iterates"](ns["W0"], 30, **setting)
        assert ns["max_difference"](ours[0], theirs[0]) < 1e-15
        assert ns["max_difference"](ours[1], theirs[1]) < 1e-15


@pytest.mark.claim("asgd-lambd-shrinks-weights")
def test_with_a_zero_gradient_one_default_step_multiplies_w_by_1_minus_1e_6(anatomy):
    w = torch.full((3,), 2.0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.ASGD([w])  # weight_decay = 0
    w.grad = torch.zeros_like(w)
    optimizer.step()
    assert w.detach() == pytest.approx(torch.full((3,), 2.0 * (1 - 1e-4 * 1e-2), dtype=torch.float64), rel=1e-12)
    assert (w.detach() < 2.0).all()


@pytest.mark.claim("asgd-average-closer")
def test_average_from_step_102_ends_0_0103_from_solution_while_w_is_0_0751(averaging):
    ns = averaging.namespace
    to_w, to_ax = ns["early"][0], ns["early"][1]
    assert ns["T0"] == 100 and ns["STEPS"] == 2000 and ns["LR"] == 0.05 and ns["BATCH"] == 8
    assert to_w[-1] == pytest.approx(0.0751, abs=5e-5)
    assert sum(to_w[-500:]) / 500 == pytest.approx(0.0851, abs=5e-5)
    assert to_ax[-1] == pytest.approx(0.0103, abs=5e-5)
    assert to_ax[:102] == to_w[:102]  # a copy of w through step t0 + 2
    assert to_ax[102] != to_w[102]


@pytest.mark.claim("asgd-default-never-averages")
def test_with_default_t0_ax_is_w_at_every_step_and_eta_decays_under_1_percent_in_10k_steps(averaging):
    ns = averaging.namespace
    to_w, to_ax, w, ax = ns["default"]
    assert to_ax == to_w and torch.equal(w, ax)
    assert torch.equal(ns["early"][2], w)  # the optimizer never reads ax back into w
    assert ns["eta"](10**4) == pytest.approx(0.009926, abs=5e-7)
    assert ns["eta"](10**6) == pytest.approx(0.00595, abs=5e-6)
    assert 1 / max(1, (10**6 + 1) - 1e6) == 1  # mu for step 1e6 + 2 is still 1
