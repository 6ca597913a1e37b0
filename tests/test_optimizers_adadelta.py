"""The claims of docs/optimizers/adadelta.md, checked by running its snippets."""

import pytest
import torch
from optimizer_checks import (
    IN_BOTH_PRECISIONS,
    assert_scratch_matches_torch,
    assert_settings_move_the_iterates,
)


@pytest.fixture(scope="module")
def scratch(snippet):
    return snippet("optimizers/adadelta")


@pytest.fixture(scope="module")
def state(snippet):
    return snippet("optimizers/adadelta_state")


@pytest.fixture(scope="module")
def steps(snippet):
    return snippet("optimizers/adadelta_steps")


@pytest.mark.claim("adadelta-matches-torch")
@IN_BOTH_PRECISIONS
def test_from_scratch_adadelta_matches_torch_for_30_steps_in_6_settings_to_1e_12_float64_1e_4_float32(scratch, dtype, tolerance):
    ns = scratch.namespace
    assert_scratch_matches_torch(ns, dtype, tolerance, settings=6)
    # The settings exercise their code paths: each changes the iterates of the defaults.
    assert_settings_move_the_iterates(ns, {}, ("lr=0.5", "rho=0.5", "eps=1e-3", "weight_decay=0.1 (L2)"), by=1e-4)


@pytest.mark.claim("adadelta-state")
def test_adadelta_keeps_square_avg_and_acc_delta_8_bytes_per_element(state):
    ns = state.namespace
    assert ns["entries_before_first_step"]() == 0
    after = ns["state_after_one_step"]()
    for param, entries in after.values():
        assert list(entries) == ["step", "square_avg", "acc_delta"]
        assert entries["step"].shape == () and entries["step"].dtype == torch.float32
        assert entries["square_avg"].shape == entries["acc_delta"].shape == param.shape
    assert ns["bytes_per_element"](after) == 8


@pytest.mark.claim("adadelta-step-set-by-eps")
def test_adadelta_first_step_is_sqrt_eps_over_1_minus_rho_whatever_the_gradient_and_grows_3_4x_in_1000(steps):
    ns = steps.namespace
    assert ns["RHO"] == 0.9 == torch.optim.Adadelta([torch.zeros(1)]).defaults["rho"]
    for (eps, g), sizes in ns["steps"].items():
        first = (eps / (1 - 0.9)) ** 0.5
        assert sizes[0] == pytest.approx(first, rel=1e-3), (eps, g)  # exact when g^2 >> eps
        assert sizes[999] / sizes[0] == pytest.approx(3.35, abs=0.03), (eps, g)
    for eps in ns["EPSILONS"]:  # the gradient's size does not matter
        assert ns["steps"][eps, 1.0] == pytest.approx(ns["steps"][eps, 100.0], rel=1e-2)
    default = ns["steps"][1e-6, 1.0]
    assert (default[0], default[999]) == pytest.approx((0.00316, 0.0106), abs=5e-5)


@pytest.mark.claim("adadelta-lr-one")
def test_adadelta_lr_1_takes_the_quadratic_below_1e_3_by_step_359_lr_0_001_leaves_theta_at_0_9924(steps, state):
    assert state.namespace["defaults"]()["lr"] == 1.0
    assert state.namespace["defaults"](torch.optim.Adam)["lr"] == 0.001  # "Adam's default"
    runs = steps.namespace["runs"]
    losses, theta = runs["Adadelta, lr=1 (default)"]
    assert losses[0] == pytest.approx(5.55)
    assert next(t for t, loss in enumerate(losses) if loss < 1e-3) == 359
    lowest = min(range(len(losses)), key=lambda t: losses[t])
    assert lowest == 469 and losses[lowest] == pytest.approx(9.5e-15, rel=0.01)
    assert losses[1000] == pytest.approx(6.6e-4, abs=0.1e-4)
    # what is left at step 1000 is the h = 10 coordinate, overshooting back and forth
    assert abs(theta[0]) < 1e-12 and abs(theta[1]) < 1e-12 and abs(theta[2]) == pytest.approx(0.0115, abs=5e-5)
    losses, theta = runs["Adadelta, lr=0.001"]
    assert theta.tolist() == pytest.approx([0.9924] * 3, abs=5e-5)
    assert losses[1000] == pytest.approx(5.47, abs=0.005)
    losses, _ = runs["Adam, lr=0.001 (default)"]
    assert losses[1000] == pytest.approx(0.368, abs=5e-4)
