"""The claims of docs/optimizers/muon.md, checked by running its snippets."""

import math

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/muon")


@pytest.fixture(scope="module")
def ns_iteration(snippet):
    return snippet("optimizers/muon_newton_schulz")


@pytest.mark.claim("muon-defaults-and-state")
def test_muon_defaults_and_a_single_momentum_buffer_of_4_bytes_per_element(anatomy):
    defaults = anatomy.namespace["defaults"](torch.optim.Muon)
    assert defaults == {
        "lr": 1e-3,
        "weight_decay": 0.1,
        "momentum": 0.95,
        "nesterov": True,
        "ns_coefficients": (3.4445, -4.7750, 2.0315),
        "eps": 1e-7,
        "ns_steps": 5,
        "adjust_lr_fn": None,
    }
    w = torch.zeros(10, 6, requires_grad=True)
    optimizer = torch.optim.Muon([w])
    w.grad = torch.randn(10, 6)
    optimizer.step()
    state = optimizer.state[w]
    assert list(state) == ["momentum_buffer"]
    assert state["momentum_buffer"].shape == (10, 6) and state["momentum_buffer"].dtype == torch.float32


@pytest.mark.claim("muon-matrices-only")
def test_muon_rejects_biases_accepts_every_matrix_and_pairs_with_adamw(anatomy):
    ns = anatomy.namespace
    model = ns["TinyLanguageModel"]()
    error = ns["error_for"](model.hidden.bias)
    assert isinstance(error, ValueError)
    assert str(error) == "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([16])"
    assert isinstance(ns["error_for"](model.out.bias), ValueError)
    for matrix in (model.embed.weight, model.hidden.weight, model.out.weight):
        assert ns["error_for"](matrix) is None  # embeddings and output layers are not refused
    muon, adamw = ns["split_for_muon"](model)
    assert [n for n, _ in muon] == ["hidden.weight"]
    assert sorted(n for n, _ in muon + adamw) == sorted(n for n, _ in model.named_parameters())
    losses = ns["train_pair"]()
    assert losses[0] == pytest.approx(3.995, abs=5e-4) and losses[-1] == pytest.approx(2.836, abs=5e-4)


@pytest.mark.claim("muon-matches-torch")
def test_from_scratch_muon_equals_torch_bit_for_bit_for_12_steps_in_five_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 5 and ns["STEPS"] == 12
    shapes = [tuple(p.shape) for p in ns["PARAMS0"]]
    assert shapes[0][0] > shapes[0][1] and shapes[1][0] < shapes[1][1]  # a tall and a wide matrix
    for setting in ns["SETTINGS"]:
        ours = ns["muon"](ns["PARAMS0"], 12, **setting)
        theirs = ns["torch_iterates"](ns["PARAMS0"], 12, **setting)
        assert ns["max_difference"](ours, theirs) == 0.0
        assert ns["max_difference"](theirs[-1:], theirs[:1]) > 1e-3  # the matrices moved


@pytest.mark.claim("muon-buffer-is-average")
def test_the_buffer_is_1_minus_mu_times_the_docstrings_sum_so_the_update_direction_is_the_same(anatomy):
    torch.manual_seed(3)
    w = torch.zeros(5, 4, requires_grad=True)
    optimizer = torch.optim.Muon([w], momentum=0.95)
    documented = torch.zeros(5, 4)
    for _ in range(10):
        g = torch.randn(5, 4)
        w.grad = g
        optimizer.step()
        documented = 0.95 * documented + g  # B_t = mu B_{t-1} + g_t, as the docstring writes it
        torch.testing.assert_close(optimizer.state[w]["momentum_buffer"], 0.05 * documented, rtol=1e-5, atol=1e-7)
        nesterov_code = torch.lerp(g, optimizer.state[w]["momentum_buffer"], 0.95)
        nesterov_doc = g + 0.95 * documented
        torch.testing.assert_close(nesterov_code, 0.05 * nesterov_doc, rtol=1e-5, atol=1e-7)


@pytest.mark.claim("muon-singular-values")
def test_five_iterations_send_singular_values_0_01_to_1_into_0_682_to_1_134(ns_iteration):
    ns = ns_iteration.namespace
    grid = ns["grid"]
    for low, (smallest, largest) in ((1e-2, (0.682, 1.134)), (1e-3, (0.471, 1.202))):
        mapped = ns["p"](grid[grid >= low], 5)
        assert round(mapped.min(), 3) == smallest and round(mapped.max(), 3) == largest
    before, after = ns["before"], ns["after"]
    assert before.min().item() == pytest.approx(0.0051, abs=5e-5) and before.max().item() == pytest.approx(0.5070, abs=5e-5)
    assert after.min().item() == pytest.approx(0.681, abs=5e-4) and after.max().item() == pytest.approx(1.139, abs=5e-4)


@pytest.mark.claim("muon-adjust-lr")
def test_match_rms_adamw_gives_update_rms_0_170_to_0_182_while_original_ranges_0_053_to_0_161(ns_iteration):
    rms = ns_iteration.namespace["rms"]
    original = [value[0] for value in rms.values()]
    matched = [value[1] for value in rms.values()]
    assert round(min(original), 3) == 0.053 and round(max(original), 3) == 0.161
    assert round(min(matched), 3) == 0.170 and round(max(matched), 3) == 0.182
    for (rows, cols), (plain, scaled) in rms.items():  # the two differ only by the documented factors
        assert scaled / plain == pytest.approx(0.2 * math.sqrt(max(rows, cols)) / math.sqrt(max(1, rows / cols)), rel=1e-6)
