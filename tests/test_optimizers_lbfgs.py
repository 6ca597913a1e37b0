"""The claims of docs/optimizers/lbfgs.md that are LBFGS's own (the from-scratch match is in
test_optimizers_family.py)."""

import pytest
import torch


@pytest.mark.claim("lbfgs-defaults-and-closure")
def test_step_needs_a_closure_and_calls_it_max_iter_or_max_eval_times(snippet):
    """step() has no default closure: without one it raises a TypeError. With the defaults, and
    max_eval = None becoming max_iter * 5 // 4, one step(closure) on Rosenbrock calls the closure
    once per iteration, max_iter times, and max_eval times with the strong Wolfe line search."""
    ns = snippet("optimizers/lbfgs").namespace
    assert isinstance(ns["error"], TypeError) and "closure" in str(ns["error"])
    assert ns["error_message"] == f"TypeError: {ns['error']}"
    defaults = ns["defaults"]
    assert torch.optim.LBFGS([torch.zeros(1)]).defaults == defaults
    assert defaults["max_eval"] == defaults["max_iter"] * 5 // 4
    assert snippet("optimizers/state").values["defaults"]["lbfgs"]["max_eval"] is None  # the signature's
    assert ns["calls"] == {"fixed": defaults["max_iter"], "strong_wolfe": defaults["max_eval"]}


@pytest.mark.claim("lbfgs-state-memory")
def test_a_full_history_holds_two_m_plus_two_flat_vectors(snippet):
    """The state is global: one entry, under the first parameter, of vectors flat over all the
    parameters. Once the history is full it holds 2m + 2 of them, about twice the docstring's
    param_bytes * (history_size + 1); at the default history size, 2m + 2 copies."""
    ns = snippet("optimizers/lbfgs").namespace
    assert ns["elements"] == sum(torch.Size(shape).numel() for shape in ns["SHAPES"]) and len(ns["SHAPES"]) > 1
    for m in ns["HISTORIES"]:
        assert ns["entries"][m] == 1 and ns["under_first"][m]
        assert ns["vectors"][m] == 2 * m + 2
    assert "param_bytes * (history_size + 1)" in " ".join(torch.optim.LBFGS.__doc__.split())
    assert ns["default_copies"] == 2 * ns["defaults"]["history_size"] + 2


@pytest.mark.claim("lbfgs-strong-wolfe")
def test_strong_wolfe_needs_fewer_iterations_and_calls_and_never_raises_the_loss(snippet):
    """To bring the loss below TARGET the strong Wolfe line search needs fewer iterations and fewer
    closure calls than the fixed step; along the fixed step's path the loss goes up several times,
    once to a spike between two much smaller values; along strong Wolfe's it goes down at every
    iteration."""
    ns = snippet("optimizers/lbfgs_wolfe").namespace
    (fixed_iterations, fixed_calls), (wolfe_iterations, wolfe_calls) = ns["below"]["fixed"], ns["below"]["strong_wolfe"]
    assert wolfe_iterations < fixed_iterations and wolfe_calls < fixed_calls
    for name, calls in ns["runs"].items():  # the per-step path is the same run's iterates
        evaluated = {(x, y) for _, x, y, _ in calls}
        assert all(point in evaluated for point in ns["paths"][name])
    fixed = ns["path_losses"]["fixed"]
    assert ns["rises"]["fixed"] == sum(b > a for a, b in zip(fixed, fixed[1:])) > 1
    assert ns["spike"][1] == max(fixed) > 1000 * max(ns["spike"][0], ns["spike"][2])
    assert ns["rises"]["strong_wolfe"] == 0
