"""The claims of docs/sgd.md, checked by running its snippets."""

import inspect
from unittest import mock

import pytest
import torch


@pytest.fixture(scope="module")
def defaults(snippet):
    return snippet("sgd/defaults")


@pytest.fixture(scope="module")
def groups(snippet):
    return snippet("sgd/param_groups")


@pytest.fixture(scope="module")
def rule(snippet):
    return snippet("sgd/update_rule")


@pytest.fixture(scope="module")
def nesterov(snippet):
    return snippet("sgd/nesterov")


@pytest.fixture(scope="module")
def implementations(snippet):
    return snippet("sgd/implementations")


@pytest.mark.claim("sgd-defaults")
def test_defaults_are_lr_1e_3_momentum_dampening_weight_decay_0_flags_false_and_foreach_fused_none(defaults):
    assert defaults.namespace["defaults"]() == {
        "lr": 1e-3,
        "momentum": 0,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": None,
    }
    assert defaults.namespace["keyword_only"]() == ["maximize", "foreach", "differentiable", "fused"]
    assert torch.__version__.startswith("2.13.")
    assert "  lr = 0.001\n" in defaults.output
    # The note's signature has lr=required: here SGD(params) builds without an lr.
    w = torch.zeros(1, requires_grad=True)
    assert torch.optim.SGD([w]).param_groups[0]["lr"] == 1e-3


@pytest.mark.claim("sgd-nesterov-refused")
def test_nesterov_refused_without_momentum_or_with_dampening_and_the_message_says_so(defaults):
    message = "ValueError: Nesterov momentum requires a momentum and zero dampening"
    try_settings = defaults.namespace["try_settings"]
    assert try_settings(momentum=0.0, nesterov=True) == message
    assert try_settings(nesterov=True) == message  # the default momentum is 0
    assert try_settings(momentum=0.9, dampening=0.1, nesterov=True) == message
    assert try_settings(momentum=0.9, nesterov=True) is None
    assert f"SGD(params, momentum=0.0, nesterov=True)\n    -> {message}" in defaults.output


@pytest.mark.claim("sgd-unchecked")
def test_constructor_refuses_negative_lr_momentum_weight_decay_but_accepts_any_dampening_and_momentum_1_5(defaults):
    try_settings = defaults.namespace["try_settings"]
    assert try_settings(lr=-0.1) == "ValueError: Invalid learning rate: -0.1"
    assert try_settings(momentum=-0.5) == "ValueError: Invalid momentum value: -0.5"
    assert try_settings(weight_decay=-1e-4) == "ValueError: Invalid weight_decay value: -0.0001"
    assert try_settings(dampening=2.0) is None
    assert try_settings(dampening=-1.0) is None
    assert try_settings(momentum=1.5) is None


@pytest.mark.claim("sgd-param-groups")
def test_each_group_keeps_its_lr_takes_missing_options_from_the_defaults_and_matches_the_rule_for_50_steps(groups):
    ns = groups.namespace
    optimizer, history = ns["with_groups"]()
    weights, bias = optimizer.param_groups
    assert (weights["lr"], weights["momentum"]) == (0.1, 0.9)
    assert (bias["lr"], bias["momentum"]) == (0.01, 0.0)  # momentum from the optimizer's defaults
    assert ns["DEFAULTS"] == {"lr": 0.05, "momentum": 0.0}  # lr 0.05 is used by neither group
    hand = ns["by_hand"]()
    assert len(history) == len(hand) == 51
    for (w, b), (w_hand, b_hand) in zip(history, hand):
        assert torch.allclose(w, w_hand, rtol=0, atol=1e-15)
        assert torch.allclose(b, b_hand, rtol=0, atol=1e-15)


@pytest.mark.claim("sgd-update-rule")
def test_the_written_out_rule_matches_torch_sgd_within_3_ulp_for_100_steps_under_every_setting(rule):
    ns = rule.namespace
    assert ns["STEPS"] == 100 and len(ns["SETTINGS"]) == 7
    worst = 0.0
    for settings in ns["SETTINGS"]:
        (mine, buffers), (theirs, torch_buffers) = ns["reference"](**settings), ns["torch_sgd"](**settings)
        assert len(mine) == len(theirs) == 101
        assert len(buffers) == len(torch_buffers) == (100 if settings.get("momentum") else 0)
        worst = max(worst, ns["ulp_gap"](mine, theirs), ns["ulp_gap"](buffers, torch_buffers))
    assert worst == 3.0  # momentum 0.8, dampening 0.3, weight decay 0.05: the buffers
    assert ns["torch_sgd"]()[0].abs().max().item() == pytest.approx(1.70, abs=5e-3)


@pytest.mark.claim("sgd-dampening-first-step")
def test_with_dampening_the_first_buffer_is_g1_itself_and_later_ones_scale_g_by_1_minus_dampening(rule):
    ns = rule.namespace
    _, buffers = ns["torch_sgd"](momentum=0.9, dampening=0.5, steps=3)
    path, _ = ns["reference"](momentum=0.9, dampening=0.5, steps=3)
    g1, g2 = ns["gradient"](path[0]), ns["gradient"](path[1])
    assert torch.equal(buffers[0], g1)
    assert torch.allclose(buffers[1], 0.9 * g1 + 0.5 * g2, rtol=0, atol=1e-15)


@pytest.mark.claim("sgd-weight-decay-l2")
def test_weight_decay_lambda_gives_the_iterates_of_adding_lambda_half_norm_squared_to_the_loss(rule):
    ns = rule.namespace
    loss = ns["loss"]
    for settings in ({}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}):
        for lam in (0.1, 0.01):
            decayed, _ = ns["torch_sgd"](weight_decay=lam, **settings)
            penalized, _ = ns["torch_sgd"](lambda w, lam=lam: loss(w) + lam / 2 * (w * w).sum(), **settings)
            assert ns["gap"](decayed, penalized) <= 1e-15
    assert "weight_decay = 0.1 vs loss + 0.1/2 ||w||^2: largest difference 5.6e-17" in rule.output


@pytest.mark.claim("sgd-maximize")
def test_maximize_on_minus_f_is_bit_for_bit_minimizing_f_and_weight_decay_still_shrinks_w(rule):
    ns = rule.namespace
    loss, lam = ns["loss"], ns["LAMBDA"]
    concave = lambda w: -loss(w)  # noqa: E731
    for settings in ({}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}):
        maximized, _ = ns["torch_sgd"](concave, maximize=True, **settings)
        minimized, _ = ns["torch_sgd"](**settings)
        assert torch.equal(maximized, minimized)
    by_hand, _ = ns["reference"](grad=lambda w: -ns["gradient"](w), momentum=0.9, maximize=True)
    assert ns["gap"](by_hand, ns["torch_sgd"](concave, momentum=0.9, maximize=True)[0]) <= 1e-15
    # maximize with weight_decay: ascent on -f - (lam/2)||w||^2, i.e. descent on f + (lam/2)||w||^2.
    with_decay, _ = ns["torch_sgd"](concave, momentum=0.9, maximize=True, weight_decay=lam)
    penalized, _ = ns["torch_sgd"](lambda w: loss(w) + lam / 2 * (w * w).sum(), momentum=0.9)
    assert ns["gap"](with_decay, penalized) <= 1e-15
    assert with_decay[-1].norm() < minimized[-1].norm()


@pytest.mark.claim("sgd-nesterov-lookahead")
def test_pytorch_nesterov_parameters_are_sutskevers_look_ahead_points_for_60_steps(nesterov):
    ns = nesterov.namespace
    lr, m, steps = ns["LR"], ns["M"], ns["STEPS"]
    assert steps >= 50
    ws, vs = ns["sutskever"]([lr] * steps)
    ps, bs = ns["pytorch"]([lr] * steps)
    # Values up to 20 (the y coordinate), where one unit in the last place is 3.6e-15.
    assert ns["gap"](ps, ws + m * vs) <= 1e-13
    assert ns["gap"](ws[1:], ps[1:] + lr * m * bs) <= 1e-13
    assert ns["gap"](vs[1:], -lr * bs) <= 1e-15
    assert ns["gap"](ps, ws) == pytest.approx(0.82, abs=5e-3)


@pytest.mark.claim("sgd-nesterov-lr-change")
def test_halving_lr_after_30_steps_separates_the_two_forms_by_1_25(nesterov):
    ns = nesterov.namespace
    lr, m = ns["LR"], ns["M"]
    halved = [lr] * 30 + [lr / 2] * 30
    ws, vs = ns["sutskever"](halved)
    ps, _ = ns["pytorch"](halved)
    gaps = (ps - (ws + m * vs)).abs().amax(1)
    assert gaps[:31].max().item() <= 1e-13  # identical while lr is constant
    assert gaps.max().item() == pytest.approx(1.25, abs=5e-3)
    # The documentation's reference and its note on the difference (plain momentum included).
    doc = torch.optim.SGD.__doc__
    assert "On the importance of initialization and momentum in deep learning" in doc
    assert "subtly differs from" in doc and "Sutskever et al." in doc
    assert "The Nesterov version is analogously modified." in doc


def _implementation_called(**settings):
    """Which of sgd.py's three update functions one step() calls with these settings."""
    w = torch.zeros(3, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9, **settings)
    w.grad = torch.ones(3)
    sgd_module = inspect.getmodule(torch.optim.SGD)
    names = ("_single_tensor_sgd", "_multi_tensor_sgd", "_fused_sgd")
    spies = [mock.patch.object(sgd_module, name, wraps=getattr(sgd_module, name)) for name in names]
    with spies[0] as loop, spies[1] as foreach, spies[2] as fused:
        optimizer.step()
    calls = {name: spy.call_count for name, spy in zip(names, (loop, foreach, fused))}
    assert sum(calls.values()) == 1
    return next(name for name, count in calls.items() if count)


@pytest.mark.claim("sgd-cpu-default-for-loop")
def test_on_cpu_with_foreach_and_fused_unset_step_runs_the_single_tensor_for_loop(implementations):
    assert "fused=False, foreach=False -> the for-loop" in implementations.output
    assert _implementation_called() == "_single_tensor_sgd"
    assert _implementation_called(foreach=False) == "_single_tensor_sgd"
    assert _implementation_called(foreach=True) == "_multi_tensor_sgd"
    assert _implementation_called(fused=True) == "_fused_sgd"
    from torch.utils._foreach_utils import _get_foreach_kernels_supported_devices

    assert _get_foreach_kernels_supported_devices() == ["cuda", "xpu", "mtia", "privateuseone"]
    # sgd() asks for the default with use_fused=False: the fused kernel only when fused=True.
    assert "params, differentiable=False, use_fused=False" in inspect.getsource(inspect.getmodule(torch.optim.SGD))


@pytest.mark.claim("sgd-foreach-bit-for-bit")
def test_foreach_gives_the_for_loops_parameters_bit_for_bit_over_100_steps_in_float32_and_float64(implementations):
    ns = implementations.namespace
    assert ns["STEPS"] == 100
    trained = ns["trained"]  # the snippet's runs, as its output shows them
    for dtype in (torch.float32, torch.float64):
        assert torch.equal(trained["foreach", dtype], trained["for-loop", dtype])
        assert ns["differing"]["foreach", dtype] == []  # and the same two steps from equal gradients


@pytest.mark.claim("sgd-fused-ulp")
def test_fused_differs_in_a_few_tail_elements_by_at_most_2_ulp_and_stays_within_2_ulp_over_100_steps(
    implementations,
):
    ns = implementations.namespace
    size = ns["SIZE"]
    assert (size, len(ns["SEEDS"])) == (10_007, 30) and size == 625 * 16 + 7
    for dtype in (torch.float32, torch.float64):
        found = ns["differing"]["fused", dtype]
        assert 1 <= len(found) <= 10  # a handful of 300,210
        assert max(ulp for *_, ulp in found) <= 2
        assert all(index >= size - 7 for _, index, _ in found)  # the remainder past the last full vector
        loop, fused = ns["trained"]["for-loop", dtype], ns["trained"]["fused", dtype]
        assert not torch.equal(loop, fused)
        assert ns["ulps"](fused, loop) <= 2


@pytest.mark.claim("sgd-fused-cpu-dtypes")
def test_fused_runs_on_cpu_for_float16_bfloat16_float32_float64_refuses_complex_at_step_and_refuses_foreach_too(
    implementations, defaults
):
    accepts = implementations.namespace["fused_accepts"]
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        assert accepts(dtype) == "runs (1 - 0.5 * 1 = 0.5)"
    assert accepts(torch.complex64).startswith("refused: `fused=True` requires all the params to be floating point")
    # The constructor itself accepts the complex parameter: the check runs in step().
    z = torch.ones(2, dtype=torch.complex64, requires_grad=True)
    torch.optim.SGD([z], lr=0.1, fused=True)
    assert defaults.namespace["try_settings"](foreach=True, fused=True) == (
        "RuntimeError: `fused` and `foreach` cannot be `True` together."
    )


@pytest.mark.claim("sgd-note-signature")
def test_the_notes_signature_lacks_an_lr_default_and_the_four_keyword_only_arguments_of_torch_2_13():
    note = ["params", "lr", "momentum", "dampening", "weight_decay", "nesterov"]  # lr=required in the note
    parameters = inspect.signature(torch.optim.SGD.__init__).parameters
    names = [name for name in parameters if name != "self"]
    assert names[: len(note)] == note
    assert names[len(note):] == ["maximize", "foreach", "differentiable", "fused"]
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in names[len(note):])
    assert parameters["lr"].default == 1e-3


@pytest.mark.claim("sgd-note-momentum-beta")
@pytest.mark.parametrize("m", [0.5, 0.9, 0.99])
def test_momentum_buffer_times_1_minus_m_is_the_zero_started_average_of_the_gradients(rule, m):
    ns = rule.namespace
    path, buffers = ns["torch_sgd"](momentum=m, steps=50)
    average = torch.zeros_like(path[0])
    for step in range(50):
        average = m * average + (1 - m) * ns["gradient"](path[step])
        assert torch.allclose((1 - m) * buffers[step], average, rtol=0, atol=1e-16)  # rounding only


@pytest.mark.claim("sgd-note-weight-decay-half")
def test_a_penalty_of_lambda_norm_squared_instead_of_half_gives_iterates_up_to_0_061_away(rule):
    ns = rule.namespace
    decayed, _ = ns["torch_sgd"](weight_decay=0.1)
    full, _ = ns["torch_sgd"](lambda w: ns["loss"](w) + 0.1 * (w * w).sum())
    half, _ = ns["torch_sgd"](lambda w: ns["loss"](w) + 0.05 * (w * w).sum())
    assert ns["gap"](decayed, half) <= 1e-15
    assert ns["gap"](decayed, full) == pytest.approx(0.061, abs=5e-4)
