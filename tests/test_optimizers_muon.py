"""The claims of docs/optimizers/muon.md that are Muon's own (the family's are in
test_optimizers_family.py)."""

import math

import pytest
import torch


@pytest.mark.claim("muon-matrices-only")
def test_muon_refuses_vectors_accepts_every_matrix_and_pairs_with_adamw(snippet):
    """Muon refuses anything that is not a matrix, at construction, and accepts every matrix, the
    embedding and the output layer included; split between Muon (hidden matrices) and AdamW (the
    rest), every parameter is in exactly one optimizer, and training both lowers the cross-entropy."""
    ns = snippet("optimizers/muon_pairing").namespace
    model = ns["model"]
    assert ns["refused"] == {name: p.ndim != 2 for name, p in model.named_parameters()}
    assert ns["error_message"].startswith("ValueError: Muon only supports 2D parameters")
    assert ns["muon_names"] == ["hidden.weight"]
    assert sorted(ns["muon_names"] + ns["adamw_names"]) == sorted(name for name, _ in model.named_parameters())
    assert len(ns["losses"]) == ns["STEPS"] and ns["losses"][-1] < ns["losses"][0]


@pytest.mark.claim("muon-buffer-is-average")
def test_the_buffer_is_one_minus_mu_times_the_docstrings_sum(snippet):
    """The docstring writes the buffer as B_t = mu B_{t-1} + G_t and the Nesterov mix as
    G_t + mu B_t; the code's buffer and mix are (1 - mu) times those at every step."""
    momentum = snippet("optimizers/muon_newton_schulz").namespace["DEFAULTS"]["momentum"]
    generator = torch.Generator().manual_seed(3)
    w = torch.zeros(5, 4, requires_grad=True)
    optimizer = torch.optim.Muon([w], momentum=momentum)
    documented = torch.zeros(5, 4)
    for _ in range(10):
        g = torch.randn(5, 4, generator=generator)
        w.grad = g
        optimizer.step()
        documented = momentum * documented + g  # as the docstring writes it
        buffer = optimizer.state[w]["momentum_buffer"]
        torch.testing.assert_close(buffer, (1 - momentum) * documented, rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(torch.lerp(g, buffer, momentum), (1 - momentum) * (g + momentum * documented),
                                   rtol=1e-5, atol=1e-7)


@pytest.mark.claim("muon-singular-values")
def test_the_iterations_map_singular_values_into_a_band_around_one(snippet):
    """After the default iterations every singular value between LOWS[0] (or LOWS[1]) and one ends
    in the band the page quotes, the quintic applied that many times; the singular values of
    torch's update of the matrix lie in a narrower range than the one a comment in torch's source documents."""
    ns = snippet("optimizers/muon_newton_schulz").namespace
    grid = ns["grid"]
    for low, (smallest, largest) in ns["mapped"].items():
        mapped = ns["p"](grid[grid >= low], ns["STEPS"])
        assert (mapped.min(), mapped.max()) == (smallest, largest) and 0 < smallest < 1 < largest
    assert ns["mapped"][ns["LOWS"][1]][0] < ns["mapped"][ns["LOWS"][0]][0]  # the wider range maps wider
    assert ns["before_range"] == (ns["before"].min().item(), ns["before"].max().item())
    low, high = ns["after_range"]
    assert ns["DOCUMENTED"][0] < low < 1 < high < ns["DOCUMENTED"][1]
    assert ns["slope"] == ns["A"] == torch.optim.Muon([torch.zeros(2, 2)]).defaults["ns_coefficients"][0]


@pytest.mark.claim("muon-adjust-lr")
def test_match_rms_adamw_makes_the_update_size_nearly_shape_free(snippet):
    """For a random gradient the RMS of one update divided by lr spreads over a wide range across
    the shapes with the default adjustment, and a narrow one just below MATCH_RMS with
    "match_rms_adamw"; the two differ by exactly the documented factors."""
    ns = snippet("optimizers/muon_newton_schulz").namespace
    (low, high), (matched_low, matched_high) = ns["rms_range"]["original"], ns["rms_range"]["match_rms_adamw"]
    assert high / low > 2 and matched_high / matched_low < 1.1 and matched_high < ns["MATCH_RMS"]
    for (rows, cols), (plain, scaled) in ns["rms"].items():
        factor = ns["MATCH_RMS"] * math.sqrt(max(rows, cols)) / math.sqrt(max(1, rows / cols))
        assert scaled / plain == pytest.approx(factor, rel=1e-6)
    assert ns["shape_names"] == [f"{a} × {b}" for a, b in ns["SHAPES"]]
