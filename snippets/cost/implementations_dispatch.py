"""How many ATen operations one optimizer step dispatches: for-loop, foreach and fused

torch.optim's SGD, Adam and AdamW each have three implementations of step(): a Python loop over
the tensors (foreach=False), one call of a multi-tensor torch._foreach_* operation per line of the
update (foreach=True), and one fused kernel (fused=True). The snippet counts what one step
dispatches on the CPU, twice: with a TorchDispatchMode, which sees every ATen operation Python
hands to the dispatcher, and with torch.profiler, which also sees the operations that those
operations call in turn. Both counts are exact: the same code dispatches the same operations on
every run and every machine. Two models with the same number of parameters are stepped: one of
many small tensors and one of few large ones.
"""

# %%
import collections
import textwrap

import torch
from torch.profiler import ProfilerActivity, profile
from torch.utils._python_dispatch import TorchDispatchMode

MODELS = {"many": (300, 1_000), "few": (3, 100_000)}  # many small tensors, few large: (tensors, elements each)
PARAMETER_COUNT = 300_000  # both models
OPTIMIZERS = {"SGD": {"lr": 0.01, "momentum": 0.9}, "Adam": {"lr": 0.001}, "AdamW": {"lr": 0.001}}
IMPLEMENTATIONS = {"for-loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}, "default": {}}


class CountOperations(TorchDispatchMode):
    """Counts every ATen operation dispatched while it is active, by name."""

    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[func.overloadpacket.__name__] += 1
        return func(*args, **(kwargs or {}))


def optimizer_after_one_step(name, implementation, tensors, size):
    """The optimizer on `tensors` parameters of `size` elements, with gradients, after its first
    step (which creates the state): the next step is the one that is counted."""
    generator = torch.Generator().manual_seed(0)
    parameters = [torch.randn(size, generator=generator).requires_grad_() for _ in range(tensors)]
    for p in parameters:
        p.grad = torch.randn(size, generator=generator)
    optimizer = getattr(torch.optim, name)(parameters, **OPTIMIZERS[name], **IMPLEMENTATIONS[implementation])
    optimizer.step()
    return optimizer


def dispatched(name, implementation, tensors, size):
    """{operation: count} that one step hands to the dispatcher."""
    optimizer = optimizer_after_one_step(name, implementation, tensors, size)
    with CountOperations() as mode:
        optimizer.step()
    return dict(mode.counts)


def profiled(name, implementation, tensors, size):
    """({aten operation: count} the profiler records in one step, nested calls included;
    {foreach operation: the number of operations it called}, for every foreach call)."""
    optimizer = optimizer_after_one_step(name, implementation, tensors, size)
    with profile(activities=[ProfilerActivity.CPU]) as trace:
        optimizer.step()
    events = [event for event in trace.events() if event.name.startswith("aten::")]
    inside_foreach = [
        (event.name, len([child for child in event.cpu_children if child.name.startswith("aten::")]))
        for event in events
        if event.name.startswith("aten::_foreach")
    ]
    return dict(collections.Counter(event.name for event in events)), inside_foreach


# %% Count every combination
assert all(tensors * size == PARAMETER_COUNT for tensors, size in MODELS.values())
counts = {}  # (optimizer, model, implementation) -> {operation: count}, from the dispatch mode
kernels = {}  # the same, from the profiler
foreach_children = {}  # (optimizer, model) -> [(foreach operation, operations it called)]
for name in OPTIMIZERS:
    for model, (tensors, size) in MODELS.items():
        for implementation in IMPLEMENTATIONS:
            counts[name, model, implementation] = dispatched(name, implementation, tensors, size)
            kernels[name, model, implementation], children = profiled(name, implementation, tensors, size)
            if implementation == "foreach":
                foreach_children[name, model] = children

dispatched_total = {  # optimizer -> model -> implementation -> operations dispatched in one step
    name: {model: {impl: sum(counts[name, model, impl].values()) for impl in IMPLEMENTATIONS} for model in MODELS}
    for name in OPTIMIZERS
}
profiled_total = {  # the same, as the profiler counts them
    name: {model: {impl: sum(kernels[name, model, impl].values()) for impl in IMPLEMENTATIONS} for model in MODELS}
    for name in OPTIMIZERS
}
rows = [  # the page's table
    {"optimizer": name, "tensors": f"{tensors} x {size:,}",
     **{impl: dispatched_total[name][model][impl] for impl in ("for-loop", "foreach", "fused")},
     **{f"{impl}/profiler": profiled_total[name][model][impl] for impl in ("for-loop", "foreach", "fused")}}
    for name in OPTIMIZERS
    for model, (tensors, size) in MODELS.items()
]

print(f"torch {torch.__version__}: ATen operations in one step (dispatched; profiler)")
print(f"{'':<7}{'tensors':<14}{'for-loop':>15}{'foreach':>14}{'fused':>12}")
for row in rows:
    cells = "".join(f"{row[k]:>{w - 7},d}; {row[k + '/profiler']:>5,d}" for k, w in (("for-loop", 15), ("foreach", 14), ("fused", 12)))
    print(f"{row['optimizer']:<7}{row['tensors']:<14}{cells}")

# %% Per tensor: what the for-loop dispatches for each parameter
TENSORS = {model: tensors for model, (tensors, _) in MODELS.items()}
per_tensor = {}  # optimizer -> operations per parameter tensor in the for-loop
per_step = {}  # optimizer -> operations per step besides
for name in OPTIMIZERS:
    many, few = dispatched_total[name]["many"]["for-loop"], dispatched_total[name]["few"]["for-loop"]
    per_tensor[name] = (many - few) // (TENSORS["many"] - TENSORS["few"])
    per_step[name] = many - per_tensor[name] * TENSORS["many"]
    print(f"{name} for-loop: {per_tensor[name]} operations per tensor, {per_step[name]} per step besides")
adam_per_tensor = {  # what Adam's for-loop dispatches for each tensor
    op: count // TENSORS["few"] for op, count in sorted(counts["Adam", "few", "for-loop"].items()) if "record" not in op
}
print(textwrap.fill("Adam's for-loop, per tensor: " + ", ".join(f"{op} {n}" for op, n in adam_per_tensor.items()), 78))
print("Adam fused, whatever the tensors:\n  " + ", ".join(counts["Adam", "many", "fused"]))
item_calls = {name: counts[name, "many", "foreach"].get("_local_scalar_dense", 0) for name in OPTIMIZERS}
print(f"_local_scalar_dense (a tensor read as a number), foreach step, {TENSORS['many']} tensors:")
print("  " + ", ".join(f"{name} {n}" for name, n in item_calls.items()))

# %% Inside a foreach operation, on the CPU
children = sorted({count for _, count in foreach_children["Adam", "many"]})
print(f"\nAdam foreach, {TENSORS['many']} tensors: each _foreach_* operation called "
      f"{' or '.join(map(str, children))} operations (profiler)")
default_is_for_loop = all(counts[key[:2] + ("default",)] == counts[key[:2] + ("for-loop",)] for key in counts)
print(f"foreach and fused left unset: the same operations as the for-loop, every case: {default_is_for_loop}")
