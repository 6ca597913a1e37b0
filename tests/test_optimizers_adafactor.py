"""The claims of docs/optimizers/adafactor.md, checked by running its snippets."""

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/adafactor")


@pytest.fixture(scope="module")
def scaling(snippet):
    return snippet("optimizers/adafactor_scaling")


@pytest.mark.claim("adafactor-defaults-and-state")
def test_adafactor_keeps_row_and_column_factors_for_matrices_a_full_variance_for_vectors_and_no_momentum(anatomy):
    ns = anatomy.namespace
    defaults = ns["defaults"](torch.optim.Adafactor)
    assert defaults["lr"] == 1e-2 and defaults["beta2_decay"] == -0.8 and defaults["eps"] == (None, 1e-3)
    assert defaults["d"] == 1.0
    assert ns["state_of"]((64, 32)) == {
        "step": ((), torch.float32, 4),
        "row_var": ((64, 1), torch.float32, 256),
        "col_var": ((1, 32), torch.float32, 128),
    }
    assert ns["state_of"]((64,)) == {"step": ((), torch.float32, 4), "variance": ((64,), torch.float32, 256)}
    assert ns["state_of"]((4, 6, 5)) == {
        "step": ((), torch.float32, 4),
        "row_var": ((4, 6, 1), torch.float32, 96),
        "col_var": ((4, 1, 5), torch.float32, 80),
    }


@pytest.mark.claim("adafactor-docstring-weight-decay")
def test_signature_default_weight_decay_is_0_but_the_docstring_says_1e_2(anatomy):
    ns = anatomy.namespace
    assert ns["defaults"](torch.optim.Adafactor)["weight_decay"] == 0.0
    assert ns["documented_default"](torch.optim.Adafactor, "weight_decay") == "1e-2"
    # and the signature's value is what a default-constructed optimizer really uses
    assert torch.optim.Adafactor([torch.zeros(2, requires_grad=True)]).defaults["weight_decay"] == 0.0


@pytest.mark.claim("adafactor-matches-torch")
def test_from_scratch_adafactor_matches_torch_within_1e_15_for_20_steps_in_five_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 5 and ns["STEPS"] == 20
    for setting in ns["SETTINGS"]:
        ours = ns["adafactor"](ns["PARAMS0"], 20, **setting)
        theirs = ns["torch_iterates"](ns["PARAMS0"], 20, **setting)
        assert ns["max_difference"](ours, theirs) < 1e-15
        assert (theirs[-1][0] - theirs[0][0]).abs().max() > 0.01  # the matrix moved
    # the clip max(1, RMS(U) / d) is active for the matrix in the first step with d = 1
    g = ns["grad_fn"](ns["PARAMS0"])[0]
    v = (g * g).mean(-1, keepdim=True) @ (g * g).mean(-2, keepdim=True) / (g * g).mean()
    assert ns["rms"](g / v.sqrt()) > 1.0


@pytest.mark.claim("adafactor-rank-one-exact")
def test_factored_estimate_equals_the_squared_gradient_when_it_has_rank_one(anatomy):
    rms = anatomy.namespace["rms"]
    torch.manual_seed(1)
    a, b = torch.rand(6, dtype=torch.float64) + 0.1, torch.rand(5, dtype=torch.float64) + 0.1
    signs = torch.randint(0, 2, (6, 5), dtype=torch.float64) * 2 - 1
    for g, exact in ((signs * torch.outer(a, b).sqrt(), True), (torch.randn(6, 5, dtype=torch.float64), False)):
        w = torch.ones(6, 5, dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.Adafactor([w], lr=0.5)
        w.grad = g
        optimizer.step()
        state = optimizer.state[w]
        estimate = state["row_var"] @ state["col_var"] / state["row_var"].mean()
        if exact:  # the first step's weight is 1 (1^-0.8): the factors are this gradient's means
            torch.testing.assert_close(estimate, g * g, rtol=1e-14, atol=0)
            # U = G / |G| is +-1 everywhere, so the step is alpha * sign(G), alpha = RMS(w) * lr = 0.5
            assert rms(torch.ones(6, 5)) == 1.0
            torch.testing.assert_close(w.detach(), 1 - 0.5 * signs, rtol=1e-14, atol=0)
        else:
            assert (estimate / (g * g) - 1).abs().max() > 0.5


@pytest.mark.claim("adafactor-memory")
def test_1024_square_matrix_costs_8196_bytes_of_state_against_adams_8388612(scaling):
    memory = scaling.namespace["memory"]
    assert memory[1024] == (8_388_612, 8_196)
    for n, (adam, factored) in memory.items():
        assert adam == 8 * n * n + 4 and factored == 4 * (n + n) + 4
    assert 1000 < memory[1024][0] / memory[1024][1] < 1024


@pytest.mark.claim("adafactor-relative-step")
@pytest.mark.parametrize("scale, expected", [(0.0, 1e-5), (1e-4, 1e-5), (1e-2, 1e-4), (1.0, 1e-2), (100.0, 1.0)])
def test_first_step_is_0_01_times_the_parameters_rms_but_at_least_1e_5(scaling, scale, expected):
    first_step = scaling.namespace["first_step"]
    assert first_step(torch.optim.Adafactor, scale) == pytest.approx(expected, rel=1e-9)
    assert first_step(torch.optim.Adafactor, scale, seed=3) == pytest.approx(expected, rel=1e-9)  # any gradient
    assert first_step(torch.optim.Adam, scale, lr=0.01) == pytest.approx(0.01, rel=1e-6)
