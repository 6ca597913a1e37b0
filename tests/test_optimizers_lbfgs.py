"""The claims of docs/optimizers/lbfgs.md, checked by running its snippets."""

import pytest
import torch


@pytest.fixture(scope="module")
def anatomy(snippet):
    return snippet("optimizers/lbfgs")


@pytest.fixture(scope="module")
def wolfe(snippet):
    return snippet("optimizers/lbfgs_wolfe")


@pytest.mark.claim("lbfgs-defaults-and-closure")
def test_lbfgs_step_requires_a_closure_and_calls_it_20_times_or_25_with_strong_wolfe(anatomy):
    ns = anatomy.namespace
    assert ns["defaults"](torch.optim.LBFGS) == {
        "lr": 1,
        "max_iter": 20,
        "max_eval": None,
        "tolerance_grad": 1e-7,
        "tolerance_change": 1e-9,
        "history_size": 100,
        "line_search_fn": None,
    }
    assert torch.optim.LBFGS([torch.zeros(1, requires_grad=True)]).defaults["max_eval"] == 25  # 20 * 5 // 4
    error = ns["error_without_closure"]()
    assert isinstance(error, TypeError)
    assert str(error) == "LBFGS.step() missing 1 required positional argument: 'closure'"
    assert ns["closure_calls"]() == 20
    assert ns["closure_calls"](line_search_fn="strong_wolfe") == 25


@pytest.mark.claim("lbfgs-state-memory")
@pytest.mark.parametrize("history_size", [3, 10])
def test_full_history_holds_2m_plus_2_flat_vectors_not_the_docstrings_m_plus_1(anatomy, history_size):
    ns = anatomy.namespace
    optimizer, first = ns["state_after"](history_size)
    assert list(optimizer.state) == [first]  # one entry, under the first parameter
    state = optimizer.state[first]
    assert len(state["old_dirs"]) == len(state["old_stps"]) == history_size
    vectors = ns["vectors_in"](state, 50)  # 50 = 30 + 20 elements: flat over both parameters
    assert len(vectors) == 2 * history_size + 2
    assert all(v.dtype == torch.float64 and v.dim() == 1 for v in vectors)
    assert "param_bytes * (history_size + 1)" in " ".join(torch.optim.LBFGS.__doc__.split())


@pytest.mark.claim("lbfgs-matches-torch")
def test_from_scratch_lbfgs_matches_torch_within_1e_9_for_20_iterations_in_five_settings(anatomy):
    ns = anatomy.namespace
    assert len(ns["SETTINGS"]) == 5 and ns["ITERATIONS"] == 20
    for setting in ns["SETTINGS"]:
        ours = ns["lbfgs"](ns["W0"], 20, **setting)
        theirs = ns["torch_iterates"](ns["W0"], 20, **setting)
        assert ns["max_difference"](ours, theirs) < 1e-9
        assert ns["max_difference"](ours[:6], theirs[:6]) < 1e-15  # identical up to rounding at first
        assert ns["loss_fn"](theirs[-1]) < ns["loss_fn"](theirs[0]) / 5  # and it made progress


@pytest.mark.claim("lbfgs-strong-wolfe")
def test_strong_wolfe_needs_34_iterations_and_43_calls_against_61_and_62_and_never_raises_the_loss(wolfe):
    ns = wolfe.namespace
    fixed, line_search = ns["runs"]["fixed step (default)"], ns["runs"]["strong_wolfe"]
    assert ns["first_below"](fixed) == (61, 62)
    assert ns["first_below"](line_search) == (34, 43)
    for name, calls in ns["runs"].items():
        evaluated = {(x, y) for _, x, y, _ in calls}
        path = ns["paths"][name]
        assert all(point in evaluated for point in path)  # the per-step path is the same run's iterates
    fixed_losses = [ns["rosenbrock"](*p) for p in ns["paths"]["fixed step (default)"]]
    wolfe_losses = [ns["rosenbrock"](*p) for p in ns["paths"]["strong_wolfe"]]
    assert sum(b > a for a, b in zip(fixed_losses, fixed_losses[1:])) == 9
    worst = max(range(len(fixed_losses)), key=fixed_losses.__getitem__)
    assert fixed_losses[worst] == pytest.approx(6.64e7, rel=1e-3)
    assert fixed_losses[worst - 1] == pytest.approx(0.59, abs=0.005)
    assert fixed_losses[worst + 1] == pytest.approx(0.59, abs=0.005)
    assert all(b < a for a, b in zip(wolfe_losses, wolfe_losses[1:]))
