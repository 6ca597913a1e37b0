"""The recompile trap: a compiled optimizer step and a learning rate that changes

Compiles a function that calls Adam's step() and a LinearLR scheduler's step() (the pattern of
PyTorch's recipe "Running the compiled optimizer with an LR Scheduler"), and runs it for a few
calls while the scheduler changes the learning rate at each. Three ways: lr a Python float, lr a
tensor, and lr a Python float with torch._dynamo.config.specialize_float = True (torch's
behaviour when the recipe was written). It counts the recompilations from torch's own record of
what it compiled (torch._dynamo.utils.get_compilation_metrics()) and prints the guard that failed
each time, as torch logs it. What to recompile is Dynamo's decision, whichever backend turns the
graph into code: the snippet uses backend="eager", which runs the captured graph as it is, so
that each compilation takes a moment. With the default backend, Inductor, the counts are the
same and each one is a full compilation, C++ compiler included (run_compiled(..., backend="inductor")).
"""

# %%
import contextlib
import logging

import torch
import torch._dynamo
import torch._inductor.config
from torch._dynamo.utils import counters, get_compilation_metrics

STEPS = 5
BACKEND = "eager"  # Dynamo alone: it decides what to recompile; "inductor" (the default) also generates C++
WARMUP_ITERS = 4  # LinearLR changes lr at each of its first WARMUP_ITERS steps, then keeps it
SHAPES = ((64, 64), (64,))
torch._inductor.config.force_disable_caches = True  # every compilation from scratch: the counts are the point
torch._inductor.config.compile_threads = 1  # compile in this process: no pool of workers left behind


@contextlib.contextmanager
def recompile_reasons():
    """The reasons torch logs when it recompiles (TORCH_LOGS="recompiles"), collected in a list."""
    reasons = []
    handler = logging.Handler()
    handler.emit = lambda record: reasons.append(record.getMessage())
    logger = logging.getLogger("torch._dynamo.guards.__recompiles")
    torch._logging.set_logs(recompiles=True)
    logger.addHandler(handler)
    logger.propagate = False  # to the list only, not to torch's handler on stderr
    try:
        yield reasons
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        torch._logging.set_logs()


def run_compiled(lr, specialize_float=False, steps=STEPS, backend=BACKEND):
    """Compile Adam.step + scheduler.step and call it `steps` times. Returns what torch recorded:
    the compilations of Adam.step (compile ids "frame/attempt": attempt 0 the first, then one per
    recompilation), the number of distinct graphs, the lr of each call and the logged reasons."""
    torch._dynamo.reset()
    counters.clear()
    torch._dynamo.utils.clear_compilation_metrics()
    generator = torch.Generator().manual_seed(0)
    parameters = [torch.randn(shape, generator=generator).requires_grad_() for shape in SHAPES]
    for p in parameters:
        p.grad = torch.randn(p.shape, generator=generator)
    optimizer = torch.optim.Adam(parameters, lr=lr)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, total_iters=WARMUP_ITERS)

    @torch.compile(fullgraph=False, backend=backend)
    def step():
        optimizer.step()
        scheduler.step()

    lrs = []
    with torch._dynamo.config.patch(specialize_float=specialize_float), recompile_reasons() as reasons:
        for _ in range(steps):
            lrs.append(float(optimizer.param_groups[0]["lr"]))  # the lr this call's Adam step uses
            step()
    compiles = [m.compile_id for m in get_compilation_metrics() if m.co_name == "step" and "adam" in (m.co_filename or "")]
    return {
        "compiles": compiles,
        "recompiles": sum(1 for cid in compiles if not cid.endswith("/0")),
        "graphs": counters["stats"]["unique_graphs"],
        "lrs": lrs,
        "reasons": reasons,
    }


# %% Three runs
RUNS = {  # id -> (label, arguments)
    "float": ("lr a Python float", {"lr": 0.01}),
    "tensor": ("lr a tensor", {"lr": torch.tensor(0.01)}),
    "specialize": ("lr a float, specialize_float=True", {"lr": 0.01, "specialize_float": True}),
}
results = {run: run_compiled(**arguments) for run, (_, arguments) in RUNS.items()}
recompiles = {run: result["recompiles"] for run, result in results.items()}
graphs = {run: result["graphs"] for run, result in results.items()}
compile_ids = {run: result["compiles"] for run, result in results.items()}
lrs = results["float"]["lrs"]
lr_changes = sum(a != b for a, b in zip(lrs, lrs[1:]))  # calls whose lr differs from the call before
RECOMPILE_LIMIT = torch._dynamo.config.recompile_limit
SPECIALIZE_FLOAT_DEFAULT = torch._dynamo.config.specialize_float

print(f"torch {torch.__version__}; specialize_float is {SPECIALIZE_FLOAT_DEFAULT} by default, "
      f"recompile_limit {RECOMPILE_LIMIT}")
print(f"{STEPS} calls, using lr " + ", ".join(f"{lr:.4g}" for lr in lrs) + f": {lr_changes} changes")
for run, result in results.items():
    print(f"\n{RUNS[run][0]}: Adam.step compiled as {', '.join(result['compiles'])}")
    print(f"  {result['recompiles']} recompilation(s), {result['graphs']} graphs in all")
    for reason in result["reasons"]:
        failed = [line.split("#")[0].strip(" -") for line in reason.splitlines() if "param_groups" in line]
        print(f"  recompiled, as the guard {failed[0].split(': ', 1)[1]} failed")
