"""The claims of docs/cost/implementations.md, checked by running its snippets."""

import inspect
from unittest import mock

import pytest
import snippet_runner
import torch
from conftest import snippet_fixture


dispatch = snippet_fixture("cost/implementations_dispatch")
agree = snippet_fixture("cost/implementations_agree")
timing = snippet_fixture("cost/implementations_time")


@pytest.mark.claim("cost-dispatch-for-loop")
def test_for_loop_operations_per_tensor(dispatch):
    """The for-loop dispatches a fixed number of operations per parameter tensor, 3 for SGD with
    momentum, 9 for Adam and 10 for AdamW, plus 2 per step: 2,702 for one Adam step on 300 tensors."""
    total, models = dispatch.values["dispatched_total"], dispatch.values["MODELS"]
    for name, per_tensor in {"SGD": 3, "Adam": 9, "AdamW": 10}.items():
        for model, (tensors, _) in models.items():
            assert total[name][model]["for-loop"] == per_tensor * tensors + 2
    assert total["Adam"]["many"]["for-loop"] == 2702
    assert dispatch.values["adam_per_tensor"]["_local_scalar_dense"] == 1
    # and again, counted here on a third model of 7 tensors
    count = dispatch.namespace["dispatched"]
    assert sum(count("Adam", "for-loop", 7, 10).values()) == 9 * 7 + 2


@pytest.mark.claim("cost-dispatch-fused")
def test_fused_operations_are_constant(dispatch):
    """The fused step dispatches 3 operations for SGD and 4 for Adam and AdamW, however many tensors
    there are."""
    total = dispatch.values["dispatched_total"]
    for name, expected in {"SGD": 3, "Adam": 4, "AdamW": 4}.items():
        assert total[name]["many"]["fused"] == total[name]["few"]["fused"] == expected
        assert sum(dispatch.namespace["dispatched"](name, "fused", 50, 10).values()) == expected
    assert set(dispatch.namespace["counts"]["Adam", "many", "fused"]) == {
        "_record_function_enter_new", "_record_function_exit", "_foreach_add_", "_fused_adam_"
    }


@pytest.mark.claim("cost-dispatch-foreach")
def test_foreach_adam_reads_step_counters(dispatch):
    """The foreach step of SGD dispatches 5 operations for any number of tensors. Adam's and AdamW's
    read every tensor's step counter as a Python number twice: 600 calls of _local_scalar_dense for
    300 tensors, 611 and 612 operations."""
    total, tensors = dispatch.values["dispatched_total"], dispatch.values["TENSORS"]
    assert total["SGD"]["many"]["foreach"] == total["SGD"]["few"]["foreach"] == 5
    assert dispatch.values["item_calls"] == {"SGD": 0, "Adam": 2 * tensors["many"], "AdamW": 2 * tensors["many"]}
    assert (total["Adam"]["many"]["foreach"], total["AdamW"]["many"]["foreach"]) == (611, 612)
    for name in ("Adam", "AdamW"):
        constant = total[name]["few"]["foreach"] - 2 * tensors["few"]
        assert total[name]["many"]["foreach"] == constant + 2 * tensors["many"]


@pytest.mark.claim("cost-foreach-cpu-loops")
def test_foreach_runs_per_tensor_kernels_on_cpu(dispatch):
    """There are no foreach kernels on the CPU: each _foreach_* operation of Adam's step calls one
    per-tensor operation for each of the 300 tensors, so the arithmetic kernels of the for-loop
    (lerp_, addcmul_, sqrt, addcdiv_, once per tensor each) run exactly as often in the foreach step."""
    tensors = dispatch.values["TENSORS"]["many"]
    children = dispatch.namespace["foreach_children"]["Adam", "many"]
    assert children and all(count == tensors for _, count in children)
    from torch.utils._foreach_utils import _get_foreach_kernels_supported_devices

    assert "cpu" not in _get_foreach_kernels_supported_devices()
    kernels = dispatch.namespace["kernels"]
    arithmetic = ("aten::lerp_", "aten::addcmul_", "aten::sqrt", "aten::addcdiv_")
    for op in arithmetic:
        assert kernels["Adam", "many", "foreach"][op] == kernels["Adam", "many", "for-loop"][op] == tensors


@pytest.mark.claim("cost-default-for-loop")
def test_default_is_the_for_loop(dispatch):
    """With foreach and fused left unset, every one of these steps dispatches exactly the for-loop's
    operations."""
    assert dispatch.values["default_is_for_loop"] is True
    adam = inspect.getmodule(torch.optim.Adam)
    p = torch.zeros(3, requires_grad=True)
    p.grad = torch.ones(3)
    optimizer = torch.optim.Adam([p])
    with mock.patch.object(adam, "_single_tensor_adam", wraps=adam._single_tensor_adam) as loop:
        optimizer.step()
    assert loop.call_count == 1


@pytest.mark.claim("cost-foreach-bit-for-bit")
def test_foreach_is_bit_for_bit(agree):
    """The foreach step gives the for-loop's parameters bit for bit, for every setting, in float32
    and float64, on every CPU capability."""
    assert agree.values["foreach_identical"] is True
    assert all(row["foreach"] == "bit for bit" for row in agree.values["rows"])
    assert len(agree.values["rows"]) == 8


@pytest.mark.claim("cost-fused-close")
def test_fused_is_within_bounds(agree):
    """The fused step: on every CPU capability the tests run, fewer than 1% of the elements differ,
    by less than 1 ulp of the largest parameter (here at most 34 of 30,435, by at most 0.5 ulp)."""
    values = agree.values
    assert (values["DIFFER_BOUND"], values["ULP_BOUND"]) == (0.01, 1)
    assert values["fused_most_differing"] < values["DIFFER_BOUND"] * values["ELEMENTS"]
    assert values["fused_worst_ulp"] < values["ULP_BOUND"]
    assert values["within_bounds"] is True


@pytest.mark.claim("cost-fused-vector-width")
def test_fused_sgd_depends_on_vector_kernels(agree):
    """Fused SGD, with ATEN_CPU_CAPABILITY=default (no vector kernels), equals the for-loop bit for
    bit; with AVX2 or AVX-512 kernels it does not."""
    vectorized = torch.backends.cpu.get_cpu_capability() != "DEFAULT"
    assert agree.values["CAPABILITY"] == torch.backends.cpu.get_cpu_capability()
    sgd = [row for row in agree.values["rows"] if row["setting"].startswith("SGD")]
    assert len(sgd) == 2
    for row in sgd:
        if vectorized:
            assert row["fp32-elements"] > 0 and row["fp64-elements"] > 0, row["setting"]
        else:
            assert row["fp32-elements"] == row["fp64-elements"] == 0, row["setting"]


@pytest.mark.claim("cost-time-one-thread")
def test_timings_name_their_machine(timing):
    """The build runs every snippet on one torch thread; the page states the CPU, the cores, torch's
    version and the kernels the timings come from."""
    machine = timing.values["MACHINE"]
    assert machine["threads"] == snippet_runner.THREADS == 1
    assert machine["torch"] == torch.__version__
    assert machine["capability"] == torch.backends.cpu.get_cpu_capability()
    assert machine["cpu"] and machine["cores"] >= 1
    times = timing.values["microseconds"]
    assert all(t > 0 for by_model in times.values() for by_impl in by_model.values() for t in by_impl.values())
    assert timing.values["published_foreach"]["SGD"] == pytest.approx(1.43, abs=5e-3)
    assert timing.values["published_foreach"]["RMSprop"] == pytest.approx(4.86, abs=5e-3)
    assert timing.values["published_fused"] == pytest.approx(5.1, abs=5e-2)
