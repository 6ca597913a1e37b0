"""The claims of docs/cost/compile.md, checked by running its snippets (the slowest of the handbook:
each compiles Adam's step several times)."""

import pytest
import torch
import torch._dynamo
from torch._dynamo.utils import clear_compilation_metrics, get_compilation_metrics
from conftest import snippet_fixture


compiled = snippet_fixture("cost/compile_step")
recompiles = snippet_fixture("cost/compile_recompiles")


@pytest.mark.claim("cost-compile-once")
def test_adam_step_compiles_once(compiled):
    """Torch compiled Adam.step 1 time in the whole run: every call after the first reused the
    compiled code."""
    assert compiled.values["adam_compilations"] == 1
    assert compiled.values["STEPS_CHECKED"] == compiled.values["CHECK_STEPS"] + 1


@pytest.mark.claim("cost-compile-close")
def test_compiled_step_is_close_to_eager(compiled):
    """The compiled step does not round like the eager one; on every CPU capability the tests run,
    the difference after 4 steps stays below 10^-3 lr."""
    values = compiled.values
    assert values["GAP_BOUND_LR"] == 1e-3
    assert values["compiled_identical"] is False
    assert 0 < values["compiled_gap_lr"] < values["GAP_BOUND_LR"]


@pytest.mark.claim("cost-compile-float-once")
def test_float_lr_recompiles_once(recompiles):
    """With lr a Python float, torch 2.13 compiles Adam.step 2 times, with either backend: one recompilation, at the first
    change, whose guard param_groups[0]['lr'] == ... failed; the other changes recompile nothing."""
    values = recompiles.values
    assert values["lr_changes"] == 4 and values["STEPS"] == 5
    assert values["recompiles"]["float"] == 1 and values["graphs"]["float"] == 2
    assert [cid.split("/")[1] for cid in values["compile_ids"]["float"]] == ["0", "1"]
    reasons = recompiles.namespace["results"]["float"]["reasons"]
    assert len(reasons) == 1 and "param_groups[0]['lr'] ==" in reasons[0]
    assert recompiles.values["BACKEND"] == "eager"
    with_inductor = recompiles.namespace["run_compiled"](0.01, backend="inductor")
    assert (with_inductor["recompiles"], with_inductor["graphs"]) == (1, 2)


@pytest.mark.claim("cost-compile-tensor-none")
def test_tensor_lr_never_recompiles(recompiles):
    """With lr a tensor, with either backend, nothing recompiles: 0 recompilations."""
    values = recompiles.values
    assert values["recompiles"]["tensor"] == 0 and values["graphs"]["tensor"] == 1
    assert recompiles.namespace["results"]["tensor"]["reasons"] == []
    assert len(set(recompiles.namespace["results"]["tensor"]["lrs"])) == 5  # the lr did change
    with_inductor = recompiles.namespace["run_compiled"](torch.tensor(0.01), backend="inductor")
    assert (with_inductor["recompiles"], with_inductor["graphs"]) == (0, 1)


@pytest.mark.claim("cost-compile-specialize")
def test_specialize_float_recompiles_every_change(recompiles):
    """With specialize_float = True: 4 recompilations for 4 changes, each on the guard of the lr value
    before. specialize_float is False by default; with it True, a changing float recompiles at every
    change until recompile_limit (8 by default) is reached and Dynamo stops compiling the function."""
    values = recompiles.values
    assert values["recompiles"]["specialize"] == values["lr_changes"] == 4
    reasons = recompiles.namespace["results"]["specialize"]["reasons"]
    lrs = recompiles.namespace["results"]["specialize"]["lrs"]
    for reason, before in zip(reasons, lrs):
        assert f"param_groups[0]['lr'] == {before!r}" in reason
    assert values["SPECIALIZE_FLOAT_DEFAULT"] is False and torch._dynamo.config.specialize_float is False
    assert values["RECOMPILE_LIMIT"] == torch._dynamo.config.recompile_limit == 8

    # The limit, on a function cheap to compile: 8 compilations, then a refused ninth, then eager.
    torch._dynamo.reset()
    clear_compilation_metrics()

    @torch.compile(backend="eager")
    def scale(x, lr):
        return x * lr

    with torch._dynamo.config.patch(specialize_float=True):
        for i in range(12):
            assert torch.equal(scale(torch.ones(2), 0.1 * (i + 1)), torch.ones(2) * (0.1 * (i + 1)))
    metrics = get_compilation_metrics()
    assert sum(m.has_guarded_code is True for m in metrics) == 8
    assert len(metrics) == 9 and metrics[-1].has_guarded_code is not True
    torch._dynamo.reset()
