"""The claims of docs/optimizers/adamax.md, checked by running its snippets."""

import pytest
import torch
from optimizer_checks import (
    IN_BOTH_PRECISIONS,
    assert_scratch_matches_torch,
    assert_settings_move_the_iterates,
)

BETA1, BETA2 = 0.9, 0.999
BOUND = (1 - BETA1) / (1 - BETA1 / BETA2)  # 1.00909...: the largest |step| / lr with the default betas


@pytest.fixture(scope="module")
def scratch(snippet):
    return snippet("optimizers/adamax")


@pytest.fixture(scope="module")
def state(snippet):
    return snippet("optimizers/adamax_state")


@pytest.fixture(scope="module")
def spike(snippet):
    return snippet("optimizers/adamax_spike")


@pytest.mark.claim("adamax-matches-torch")
@IN_BOTH_PRECISIONS
def test_from_scratch_adamax_matches_torch_for_30_steps_in_6_settings_to_1e_12_float64_1e_4_float32(scratch, dtype, tolerance):
    ns = scratch.namespace
    assert_scratch_matches_torch(ns, dtype, tolerance, settings=6)
    assert_settings_move_the_iterates(ns, {"lr": 0.05}, ("weight_decay=0.1 (L2)", "betas=(0.5, 0.9)", "eps=0.1"))


@pytest.mark.claim("adamax-state")
def test_adamax_keeps_exp_avg_and_exp_inf_8_bytes_per_element_and_defaults_lr_0_002(state):
    ns = state.namespace
    defaults = ns["defaults"]()
    assert defaults["lr"] == 0.002 and defaults["betas"] == (BETA1, BETA2) and defaults["eps"] == 1e-8
    assert defaults["lr"] == 2 * ns["defaults"](torch.optim.Adam)["lr"]  # twice Adam's
    assert ns["entries_before_first_step"]() == 0
    after = ns["state_after_one_step"]()
    for param, entries in after.values():
        assert list(entries) == ["step", "exp_avg", "exp_inf"]
        assert entries["exp_inf"].shape == param.shape and entries["exp_inf"].dtype == torch.float32
    assert ns["bytes_per_element"](after) == 8


@pytest.mark.claim("adamax-step-bounded")
def test_no_adamax_step_exceeds_1_0091_lr_and_a_gradient_shrinking_by_beta2_reaches_it(spike):
    run = spike.namespace["run"]
    assert BOUND == pytest.approx(1.0091, abs=1e-4)
    generator = torch.Generator().manual_seed(1)
    sequences = {
        "noise and spike": spike.namespace["gradients"](),
        "constant": [1.0] * 1500,
        "heavy-tailed": (  # normal / uniform: occasional huge values
            torch.randn(1500, generator=generator, dtype=torch.float64)
            / torch.rand(1500, generator=generator, dtype=torch.float64)
        ).tolist(),
        "growing": [1.01**t for t in range(1500)],
        "shrinking by beta2": [BETA2**t for t in range(3000)],
    }
    for name, grads in sequences.items():
        sizes, _ = run(torch.optim.Adamax, grads)
        assert max(abs(s) for s in sizes) <= BOUND, name
    sizes, _ = run(torch.optim.Adamax, sequences["shrinking by beta2"])
    assert max(abs(s) for s in sizes) == pytest.approx(BOUND, abs=1e-6)


@pytest.mark.claim("adamax-spike")
def test_at_the_spike_adam_steps_1_95_lr_adamax_0_100_lr_and_u_is_still_0_368_999_steps_later(spike):
    ns = spike.namespace
    assert ns["SPIKE"] == 500 and ns["STEPS"] == 1500
    adam_sizes, adam_denominators = ns["runs"]["Adam"]
    adamax_sizes, adamax_denominators = ns["runs"]["Adamax"]
    assert abs(adam_sizes[500]) == pytest.approx(1.95, abs=0.005)
    assert max(abs(s) for s in adam_sizes) == abs(adam_sizes[500])
    assert abs(adamax_sizes[500]) == pytest.approx(0.100, abs=5e-4)
    assert adamax_denominators[500] == pytest.approx(1.0, abs=1e-7)
    assert adamax_denominators[-1] == pytest.approx(BETA2**999, rel=1e-6) == pytest.approx(0.368, abs=5e-4)
    assert (adam_denominators[499], adam_denominators[500], adam_denominators[-1]) == pytest.approx(
        (0.0100, 0.0514, 0.0238), abs=5e-5
    )
