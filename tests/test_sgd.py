"""The claims of docs/sgd.md, checked by running its snippets."""

import inspect
from unittest import mock

import pytest
import torch
from conftest import snippet_fixture


defaults = snippet_fixture("sgd/defaults")
groups = snippet_fixture("sgd/param_groups")
rule = snippet_fixture("sgd/update_rule")
nesterov = snippet_fixture("sgd/nesterov")
implementations = snippet_fixture("sgd/implementations")


def _parameters():
    return inspect.signature(torch.optim.SGD.__init__).parameters


@pytest.mark.claim("sgd-defaults")
def test_defaults(defaults):
    """Every argument after `params` has a default (the table, read from the installed torch).
    `maximize`, `foreach`, `differentiable` and `fused` are keyword-only, and `SGD(params)` builds an
    optimizer with learning rate 0.001."""
    parameters = _parameters()
    after_params = [name for name in parameters if name not in ("self", "params")]
    assert all(parameters[name].default is not inspect.Parameter.empty for name in after_params)
    rows = defaults.values["default_rows"]
    assert [row["argument"] for row in rows] == after_params
    for row in rows:
        default = parameters[row["argument"]].default
        assert row["default"] == (default if isinstance(default, (int, float)) and not isinstance(default, bool) else repr(default))
    assert defaults.values["keyword_only_arguments"] == ["maximize", "foreach", "differentiable", "fused"]
    assert defaults.values["keyword_only_arguments"] == [name for name in after_params if parameters[name].kind is inspect.Parameter.KEYWORD_ONLY]
    w = torch.zeros(1, requires_grad=True)
    assert torch.optim.SGD([w]).param_groups[0]["lr"] == defaults.values["default_lr"] == parameters["lr"].default


@pytest.mark.claim("sgd-nesterov-refused")
def test_nesterov_refused(defaults):
    """The constructor refuses `nesterov=True` unless there is momentum and no dampening: with the
    default momentum, 0, or with a dampening of 0.1 it raises `ValueError: Nesterov momentum requires a
    momentum and zero dampening`, while a momentum of 0.9 with `nesterov=True` is accepted."""
    ns = defaults.namespace
    without_momentum, with_dampening, accepted = ns["NESTEROV"]
    message = "ValueError: Nesterov momentum requires a momentum and zero dampening"
    assert "momentum" not in without_momentum and ns["sgd_defaults"]["momentum"] == 0
    assert with_dampening["dampening"] > 0 and with_dampening["momentum"] > 0
    assert ns["try_settings"](**without_momentum) == message
    assert ns["try_settings"](**with_dampening) == message
    assert ns["try_settings"](**accepted) is None
    assert f"SGD(params, nesterov=True)\n    -> {message}" in defaults.output


@pytest.mark.claim("sgd-unchecked")
def test_constructor_checks_signs_but_not_dampening(defaults):
    """It also refuses a negative `lr`, `momentum` or `weight_decay`. It does not check `dampening`
    at all, and a dampening of 2 or −1 and a momentum of 1.5 all build without complaint."""
    ns = defaults.namespace
    for settings in ns["NEGATIVE"]:
        ((name, value),) = settings.items()
        assert value < 0
        assert ns["try_settings"](**settings).startswith("ValueError: Invalid ")
    for settings in ns["UNCHECKED"]:
        assert ns["try_settings"](**settings) is None
    assert {next(iter(settings)) for settings in ns["UNCHECKED"]} == {"dampening", "momentum"}


@pytest.mark.claim("sgd-param-groups")
def test_param_groups(groups):
    """The weights' group keeps lr 0.1 and momentum 0.9. The bias's group keeps lr 0.01 and takes
    momentum 0 from the constructor, whose own lr, 0.05, is used by neither group. Over 50 steps the
    result matches the rule applied by hand, group by group, to within 10⁻¹⁵."""
    ns = groups.namespace
    weights_spec, bias_spec = ns["GROUPS"]
    optimizer, history = ns["with_groups"]()
    weights, bias = optimizer.param_groups
    assert (weights["lr"], weights["momentum"]) == (weights_spec["lr"], weights_spec["momentum"])
    assert "momentum" not in bias_spec
    assert (bias["lr"], bias["momentum"]) == (bias_spec["lr"], ns["DEFAULTS"]["momentum"])
    assert ns["DEFAULTS"]["lr"] not in (weights["lr"], bias["lr"])
    hand = ns["by_hand"]()
    assert len(history) == len(hand) == ns["STEPS"] + 1
    tolerance = ns["TOLERANCE"]
    for (w, b), (w_hand, b_hand) in zip(history, hand):
        assert torch.allclose(w, w_hand, rtol=0, atol=tolerance)
        assert torch.allclose(b, b_hand, rtol=0, atol=tolerance)
    assert groups.values["largest_gap"] <= tolerance


@pytest.mark.claim("sgd-update-rule")
def test_rule_matches_torch_within_the_ulp_bound(rule):
    """Under all 7 settings, over 100 steps, the loop and `torch.optim.SGD` agree to within 3 ulp of
    the largest value, for the iterates (up to 1.70 in size) and for the momentum buffers alike. The
    worst case here (2 ulp) depends on the kernels torch picks for the CPU."""
    ns = rule.namespace
    worst, largest = 0.0, 0.0
    for settings in ns["SETTINGS"]:
        (mine, buffers), (theirs, torch_buffers) = ns["reference"](**settings), ns["torch_sgd"](**settings)
        assert len(mine) == len(theirs) == ns["STEPS"] + 1
        assert len(buffers) == len(torch_buffers) == (ns["STEPS"] if settings.get("momentum") else 0)
        worst = max(worst, ns["ulp_gap"](mine, theirs), ns["ulp_gap"](buffers, torch_buffers))
        largest = max(largest, theirs.abs().max().item())
    assert worst <= ns["ULP_BOUND"]
    assert rule.values["worst_ulp"] == worst
    assert rule.values["settings_count"] == len(ns["SETTINGS"])
    assert rule.values["largest_iterate"] == largest


@pytest.mark.claim("sgd-dampening-first-step")
def test_dampening_skips_the_first_step(rule):
    """With τ = 0.5, `momentum_buffer` after the first step is exactly g₁, not 0.5 g₁. After the second
    it is 0.9 g₁ + 0.5 g₂, to within 10⁻¹⁵."""
    ns = rule.namespace
    damped = ns["DAMPED"]
    _, buffers = ns["torch_sgd"](**damped, steps=3)
    path, _ = ns["reference"](**damped, steps=3)
    g1, g2 = ns["gradient"](path[0]), ns["gradient"](path[1])
    assert torch.equal(buffers[0], g1)
    assert not torch.allclose(buffers[0], damped["dampening"] * g1)
    expected = damped["momentum"] * g1 + rule.values["second_gradient_weight"] * g2
    assert rule.values["second_gradient_weight"] == 1 - damped["dampening"]
    assert torch.allclose(buffers[1], expected, rtol=0, atol=ns["TOLERANCE"])


@pytest.mark.claim("sgd-weight-decay-l2")
def test_weight_decay_is_half_lambda_norm_squared(rule):
    """For λ = 0.1 and 0.01, without momentum, with momentum 0.9 and with Nesterov momentum,
    `weight_decay=λ` gives the iterates of plain SGD on the penalized loss to within 10⁻¹⁵ (here the
    largest difference is 2.8 × 10⁻¹⁶)."""
    ns = rule.namespace
    worst = 0.0
    for variant in ns["VARIANTS"]:
        for lam in ns["LAMBDAS"]:
            decayed, _ = ns["torch_sgd"](weight_decay=lam, **variant)
            penalized, _ = ns["torch_sgd"](ns["penalized"](lam), **variant)
            worst = max(worst, ns["gap"](decayed, penalized))
    assert worst <= ns["TOLERANCE"]
    assert rule.values["weight_decay_gap"] == worst
    assert [variant.get("momentum", 0) for variant in ns["VARIANTS"]] == [0, ns["MOMENTUM"], ns["MOMENTUM"]]
    assert ns["VARIANTS"][2]["nesterov"]


@pytest.mark.claim("sgd-maximize")
def test_maximize_minus_f_is_minimizing_f(rule):
    """Maximizing −f gives the iterates of minimizing f bit for bit, with or without momentum and
    Nesterov. The written-out loop with the negated gradient matches `torch.optim.SGD` to within 10⁻¹⁵."""
    ns = rule.namespace
    concave = lambda w: -ns["loss"](w)  # noqa: E731
    for variant in ns["VARIANTS"]:
        assert torch.equal(ns["torch_sgd"](concave, maximize=True, **variant)[0], ns["torch_sgd"](**variant)[0])
    assert rule.values["maximize_bit_for_bit"] is True
    by_hand, _ = ns["reference"](grad=lambda w: -ns["gradient"](w), momentum=ns["MOMENTUM"], maximize=True)
    gap = ns["gap"](by_hand, ns["torch_sgd"](concave, momentum=ns["MOMENTUM"], maximize=True)[0])
    assert gap <= ns["TOLERANCE"]
    assert rule.values["maximize_gap"] == gap


@pytest.mark.claim("sgd-maximize-weight-decay")
def test_maximize_with_weight_decay_still_shrinks_the_weights(rule):
    """With `maximize=True`, maximizing −f with `weight_decay=λ` is minimizing f + (λ/2)‖w‖² (to within
    10⁻¹⁵), and it ends with smaller weights than without decay: ‖w‖ = 0.2875 against 0.3156."""
    ns = rule.namespace
    lam, momentum = ns["LAMBDA"], ns["MOMENTUM"]
    concave = lambda w: -ns["loss"](w)  # noqa: E731
    with_decay, _ = ns["torch_sgd"](concave, momentum=momentum, maximize=True, weight_decay=lam)
    penalized, _ = ns["torch_sgd"](ns["penalized"](lam), momentum=momentum)
    assert ns["gap"](with_decay, penalized) <= ns["TOLERANCE"]
    without, _ = ns["torch_sgd"](momentum=momentum)
    assert with_decay[-1].norm().item() == rule.values["decayed_norm"]
    assert without[-1].norm().item() == rule.values["plain_norm"]
    assert rule.values["decayed_norm"] < rule.values["plain_norm"]


@pytest.mark.claim("sgd-nesterov-lookahead")
def test_pytorch_nesterov_parameters_are_the_look_ahead_points(nesterov):
    """On f(x, y) = 4x² + 0.04y² from (2, 20) with lr 0.05 and momentum 0.9, over 60 steps, PyTorch's
    p_t equals w_t + m v_t and Sutskever's w_t equals p_t + η m b_t, both to within 10⁻¹³ (here 3 ulp of
    the largest value, 20). v_t = −η b_t holds to 10⁻¹⁵. p_t and w_t themselves differ by up to 0.82."""
    ns = nesterov.namespace
    lr, m, steps = ns["LR"], ns["M"], ns["STEPS"]
    w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    ns["f"](w).backward()  # f's coefficients are half the curvatures: the gradient of 4x^2 is 8x
    assert torch.equal(w.grad, 2 * torch.tensor(ns["COEFFICIENTS"], dtype=torch.float64))
    ws, vs = ns["sutskever"]([lr] * steps)
    ps, bs = ns["pytorch"]([lr] * steps)
    assert ps[0].tolist() == list(ns["START"])
    assert ns["gap"](ps, ws + m * vs) <= ns["TOLERANCE"]
    assert ns["gap"](ws[1:], ps[1:] + lr * m * bs) <= ns["TOLERANCE"]
    assert ns["gap"](vs[1:], -lr * bs) <= ns["VELOCITY_TOLERANCE"]
    assert nesterov.values["largest_value"] == ps.abs().max().item() == max(ns["START"])
    assert nesterov.values["iterate_gap"] == ns["gap"](ps, ws)
    assert nesterov.values["iterate_gap"] > 1e6 * ns["TOLERANCE"]  # different points, not rounding


@pytest.mark.claim("sgd-nesterov-lr-change")
def test_a_changing_lr_separates_the_two_forms(nesterov):
    """When a scheduler changes lr, the two forms part: halving lr after step 30 leaves them identical
    up to step 30 (to within 10⁻¹³) and then up to 1.25 apart."""
    ns = nesterov.namespace
    lr, m, after = ns["LR"], ns["M"], ns["HALVE_AFTER"]
    halved = [lr] * after + [lr / 2] * (ns["STEPS"] - after)
    ws, vs = ns["sutskever"](halved)
    ps, _ = ns["pytorch"](halved)
    gaps = (ps - (ws + m * vs)).abs().amax(1)
    assert gaps[: after + 1].max().item() <= ns["TOLERANCE"]
    assert gaps.max().item() == nesterov.values["halved_gap"]
    assert gaps[after + 1 :].max().item() > 1e6 * ns["TOLERANCE"]
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
def test_cpu_default_is_the_for_loop(implementations):
    """On the CPU, with both left at `None`, `step()` runs the for-loop: torch lists the devices with
    foreach kernels as CUDA, XPU, MTIA and custom backends, without the CPU, and it never picks the
    fused kernel unless asked."""
    assert "fused=False, foreach=False -> the for-loop" in implementations.output
    assert _implementation_called() == "_single_tensor_sgd"
    assert _implementation_called(foreach=False) == "_single_tensor_sgd"
    assert _implementation_called(foreach=True) == "_multi_tensor_sgd"
    assert _implementation_called(fused=True) == "_fused_sgd"
    assert implementations.values["foreach_devices"] == ["cuda", "xpu", "mtia", "privateuseone"]
    # sgd() asks for the default with use_fused=False: the fused kernel only when fused=True.
    assert "params, differentiable=False, use_fused=False" in inspect.getsource(inspect.getmodule(torch.optim.SGD))


@pytest.mark.claim("sgd-foreach-bit-for-bit")
def test_foreach_gives_the_for_loops_parameters_bit_for_bit(implementations):
    """Training a two-layer network for 100 steps with momentum 0.9, Nesterov and weight decay,
    `foreach=True` gives the for-loop's parameters bit for bit, in float32 and in float64."""
    ns = implementations.namespace
    assert ns["SETTINGS"]["nesterov"] and ns["SETTINGS"]["weight_decay"] > 0
    ran = {label: _implementation_called(**options) for label, options in ns["IMPLEMENTATIONS"].items()}
    assert ran == {"for-loop": "_single_tensor_sgd", "foreach": "_multi_tensor_sgd", "fused": "_fused_sgd"}  # as labelled
    trained = ns["trained"]  # the snippet's runs, as its output shows them
    for dtype in ns["DTYPES"]:
        assert len(trained["for-loop", dtype]) == ns["STEPS"] + 1
        assert torch.equal(trained["foreach", dtype], trained["for-loop", dtype])
        assert ns["differing"]["foreach", dtype] == []  # and the same two steps from equal gradients


@pytest.mark.claim("sgd-fused-ulp")
def test_fused_differs_only_past_the_last_full_vector_and_by_few_ulp(implementations):
    """Only the remainder past the last full vector can differ, the last 7 elements of each tensor
    (10,007 = 625 · 16 + 7). On every CPU no element outside it differs, and none by more than 2 ulp;
    over the same 100 steps of training the fused parameters stay within 2 ulp of the largest parameter,
    in float32 and in float64. How many elements differ depends on the CPU (here 3 and 1)."""
    ns, values = implementations.namespace, implementations.values
    size, tail, bound = ns["SIZE"], values["tail"], ns["ULP_BOUND"]
    assert size == values["full_vectors"] * ns["VECTOR_FLOATS"] + tail and 0 < tail < ns["VECTOR_FLOATS"]
    for dtype in ns["DTYPES"]:
        found = ns["differing"]["fused", dtype]
        assert all(index >= size - tail for _, index, _ in found)
        assert all(ulp <= bound for *_, ulp in found)
        assert values["fused_differing"][str(dtype).removeprefix("torch.")] == len(found)
        loop, fused = ns["trained"]["for-loop", dtype], ns["trained"]["fused", dtype]
        assert ns["ulps"](fused, loop) <= bound
    assert values["fused_worst_ulp"] <= bound and values["fused_trained_ulps"] <= bound
    assert values["capability"] == torch.backends.cpu.get_cpu_capability()


@pytest.mark.claim("sgd-fused-cpu-dtypes")
def test_fused_cpu_dtypes(implementations, defaults):
    """`fused=True` runs on the CPU for float16, bfloat16, float32 and float64 parameters. A complex
    parameter passes the constructor but is refused at the first `step()`, and `foreach=True` together
    with `fused=True` is refused at once."""
    accepts = implementations.namespace["fused_accepts"]
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        assert accepts(dtype) == "runs (1 - 0.5 * 1 = 0.5)"
    assert accepts(torch.complex64).startswith("refused: `fused=True` requires all the params to be floating point")
    # The constructor itself accepts the complex parameter: the check runs in step().
    z = torch.ones(2, dtype=torch.complex64, requires_grad=True)
    torch.optim.SGD([z], lr=0.1, fused=True)
    both = defaults.namespace["BOTH_IMPLEMENTATIONS"]
    assert defaults.namespace["try_settings"](**both) == "RuntimeError: `fused` and `foreach` cannot be `True` together."


@pytest.mark.claim("sgd-note-signature")
def test_note_signature_lacks_the_lr_default_and_the_keyword_only_arguments(defaults):
    """In the installed torch `lr` is no longer required (it defaults to 0.001), and four keyword-only
    arguments follow `nesterov`: `maximize`, `foreach`, `differentiable` and `fused`."""
    note = ["params", "lr", "momentum", "dampening", "weight_decay", "nesterov"]  # lr=required in the note
    parameters = _parameters()
    names = [name for name in parameters if name != "self"]
    assert names[: len(note)] == note
    assert names[len(note):] == ["maximize", "foreach", "differentiable", "fused"]
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in names[len(note):])
    assert parameters["lr"].default == defaults.values["default_lr"]


@pytest.mark.claim("sgd-note-momentum-beta")
def test_buffer_times_one_minus_m_is_the_zero_started_average(rule):
    """Over 50 steps, `momentum_buffer` times 1 − m equals the average of the gradients started at zero
    to within 10⁻¹⁶, for m = 0.5, 0.9 and 0.99."""
    ns = rule.namespace
    steps, tolerance = ns["AVERAGE_STEPS"], ns["AVERAGE_TOLERANCE"]
    for m in ns["MOMENTA"]:
        path, buffers = ns["torch_sgd"](momentum=m, steps=steps)
        average = torch.zeros_like(path[0])
        for step in range(steps):
            average = m * average + (1 - m) * ns["gradient"](path[step])
            assert torch.allclose((1 - m) * buffers[step], average, rtol=0, atol=tolerance)
    assert rule.values["buffer_average_gap"] <= tolerance


@pytest.mark.claim("sgd-note-weight-decay-half")
def test_a_full_lambda_penalty_gives_other_iterates(rule):
    """A penalty of λ‖w‖² gives other iterates: with λ = 0.1 they differ from those of
    `weight_decay=λ` by up to 0.061 over 100 steps."""
    ns = rule.namespace
    lam = ns["LAMBDA"]
    decayed, _ = ns["torch_sgd"](weight_decay=lam)
    full, _ = ns["torch_sgd"](ns["penalized"](lam, 1.0))
    half, _ = ns["torch_sgd"](ns["penalized"](lam))
    assert len(decayed) == ns["STEPS"] + 1
    assert ns["gap"](decayed, half) <= ns["TOLERANCE"]
    assert ns["gap"](decayed, full) == rule.values["full_penalty_gap"]
    assert rule.values["full_penalty_gap"] > 1e6 * ns["TOLERANCE"]
