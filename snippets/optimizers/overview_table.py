"""The fifteen optimizers of torch.optim, measured

Builds every optimizer class that torch.optim exports on one float32 64 x 32 parameter and
finds out, by running it rather than by reading its signature: how many bytes of state it keeps
per parameter element after one step, which scalars it keeps besides, whether it runs with
foreach=True and with fused=True on this CPU (and how close the fused steps come to the
for-loop ones), and whether it accepts a sparse gradient. It then prints the main defaults
each constructor sets.
"""

# %%
import inspect
import math
import textwrap
import warnings

import torch

SHAPE = (64, 32)  # a 2-D parameter: Muon accepts nothing else, Adafactor factors it
NAMES = [
    "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam",
    "RAdam", "SparseAdam", "ASGD", "Rprop", "LBFGS", "Adafactor", "Muon",
]  # fmt: skip
FLAGS = ("foreach", "maximize", "capturable", "differentiable", "fused")  # switches, not hyperparameters
MOMENTUM = 0.9  # SGD with momentum, where SGD alone would keep no state
FUSED_STEPS = 10  # steps taken with fused=True and with the for-loop, then compared
FUSED_RTOL = 1e-6  # the bound the page states for that comparison (relative, element by element)
WEIGHT_DECAY = 0.1  # with weight decay, SGD and Adagrad refuse sparse gradients
SPARSE_ATOL = 1e-7  # the bound the page states for a sparse step against the dense one
LBFGS_ITERATIONS = (1, 5, 20, 120)

torch.manual_seed(0)
warnings.filterwarnings("ignore", message="Sparse invariant checks")  # printed by sparse_coo_tensor


def optimizer_classes():
    """Every class in torch.optim that subclasses torch.optim.Optimizer (the base class itself excluded)."""
    return sorted(
        name
        for name, value in vars(torch.optim).items()
        if inspect.isclass(value) and issubclass(value, torch.optim.Optimizer) and value is not torch.optim.Optimizer
    )


def loss_fn(p, target):
    """A smooth test loss: half the squared distance to a fixed target."""
    return ((p - target) ** 2).sum() / 2


def one_step(name, sparse=False, steps=1, shape=SHAPE, dtype=torch.float32, **kwargs):
    """Build optimizer `name` on one parameter, take `steps` steps, return (parameter, optimizer).

    SparseAdam always gets a sparse gradient (it refuses dense ones); `sparse=True` gives one to
    every optimizer. LBFGS gets a closure (it requires one).
    """
    generator = torch.Generator().manual_seed(0)
    p = torch.nn.Parameter(torch.randn(shape, generator=generator, dtype=dtype))
    target = torch.randn(shape, generator=generator, dtype=dtype)
    optimizer = getattr(torch.optim, name)([p], **kwargs)

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(p, target)
        loss.backward()
        if sparse or name == "SparseAdam":
            p.grad = p.grad.to_sparse()
        return loss

    for _ in range(steps):
        if name == "LBFGS":
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
    return p, optimizer


def tensors(value):
    """The tensors inside a state entry (LBFGS keeps lists of them)."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from tensors(item)


def buffer_bytes(state, numel):
    """Bytes of the state tensors that have at least one dimension, per parameter element."""
    return sum(t.nbytes for value in state.values() for t in tensors(value) if t.dim() > 0) / numel


def scalar_entries(state):
    """{key: kind} of the state entries that do not grow with the parameter."""
    scalars = {}
    for key, value in state.items():
        if isinstance(value, torch.Tensor) and value.dim() == 0:
            scalars[key] = f"0-d {str(value.dtype).removeprefix('torch.')}"
        elif not isinstance(value, (torch.Tensor, list)):
            scalars[key] = type(value).__name__
    return scalars


def state_size(name, **kwargs):
    """(bytes of non-scalar state per parameter element, {key: kind} of the scalar entries)."""
    p, optimizer = one_step(name, **kwargs)
    state = optimizer.state[p]
    return buffer_bytes(state, p.numel()), scalar_entries(state)


def try_step(name, **kwargs):
    """'yes' if one step runs with these arguments, else the name of the exception raised."""
    try:
        one_step(name, **kwargs)
        return "yes"
    except Exception as error:  # noqa: BLE001 - the exception's type is the answer
        return type(error).__name__


def key_defaults(name):
    """The hyperparameters a freshly built optimizer stores in .defaults (on/off switches left out)."""
    optimizer = getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(SHAPE))])
    return {key: value for key, value in optimizer.defaults.items() if key not in FLAGS}


def measure(names=NAMES):
    rows = {}
    for name in names:
        per_element, scalars = state_size(name)
        rows[name] = {
            "bytes": per_element,
            "scalars": scalars,
            "foreach": try_step(name, foreach=True),
            "fused": try_step(name, fused=True),
            "sparse": try_step(name, sparse=True),
        }
    return rows


def scalar_text(scalars):
    """The scalar entries as a table cell: their keys, with the type where it is not a 0-d float32 tensor."""
    keys = [key if kind == "0-d float32" else f"{key} ({kind})" for key, kind in scalars.items()]
    return ", ".join(keys) or "—"


# %% The classes torch.optim exports
classes = optimizer_classes()
class_count = len(classes)
print(f"torch {torch.__version__}: {class_count} optimizer classes in torch.optim")
print(textwrap.fill(", ".join(classes), width=72))
print()

# %% State, foreach, fused and sparse support, measured
MEASURED = measure()
elements = math.prod(SHAPE)
state_table = [
    {"torch.optim": name, "bytes": row["bytes"], "scalars": scalar_text(row["scalars"])} for name, row in MEASURED.items()
]
fast_table = [{"torch.optim": name, "foreach": row["foreach"], "fused": row["fused"]} for name, row in MEASURED.items()]
sparse_table = [{"torch.optim": name, "sparse": row["sparse"]} for name, row in MEASURED.items()]
print(f"State after one step on a float32 {SHAPE[0]} x {SHAPE[1]} parameter ({elements} elements):")
print(f"{'optimizer':<11}{'B/elem':>7}  scalar state (0-d float32 tensors unless marked)")
for row in state_table:
    cell = textwrap.wrap(row["scalars"], width=52) or [""]
    print(f"{row['torch.optim']:<11}{row['bytes']:>7g}  {cell[0]}")
    for more in cell[1:]:
        print(" " * 20 + more)
momentum_bytes, _ = state_size("SGD", momentum=MOMENTUM)
print(f"SGD with momentum={MOMENTUM:g} keeps {momentum_bytes:g} B/elem (its momentum_buffer).")
print()
print(f"{'optimizer':<11}{'foreach':<11}{'fused':<11}sparse gradient")
for name, row in MEASURED.items():
    print(f"{name:<11}{row['foreach']:<11}{row['fused']:<11}{row['sparse']}")
print()

# %% What the state holds: the step counter, Adafactor's factors, LBFGS's first step
_, adam = one_step("Adam")
step_bytes = next(iter(adam.state.values()))["step"].nbytes
_, adafactor = one_step("Adafactor")
adafactor_shapes = {key: list(value.shape) for key, value in next(iter(adafactor.state.values())).items() if isinstance(value, torch.Tensor) and value.dim() > 0}
_, lbfgs = one_step("LBFGS")
lbfgs_first = {key: next(iter(lbfgs.state.values()))[key] for key in ("n_iter", "func_evals")}
lbfgs_first["pairs"] = len(next(iter(lbfgs.state.values()))["old_dirs"])
print(f"Adam's step counter: {step_bytes} bytes, whatever the size of the parameter")
print("Adafactor's factored state: " + ", ".join(f"{key} {' x '.join(map(str, shape))}" for key, shape in adafactor_shapes.items()))
print(f"LBFGS's one step() ran {lbfgs_first['n_iter']} iterations and kept {lbfgs_first['pairs']} pairs")
print()


# %% fused=True against the for-loop, and sparse steps against dense ones
def fused_against_for_loop(name, steps=FUSED_STEPS, **kwargs):
    """(elements that differ, largest relative difference) after `steps` steps with fused=True and
    with the plain for-loop implementation (foreach=False)."""
    fused, _ = one_step(name, steps=steps, fused=True, **kwargs)
    loop, _ = one_step(name, steps=steps, fused=False, foreach=False, **kwargs)
    difference = (fused - loop).detach().abs()
    return int((difference > 0).sum()), (difference / loop.detach().abs()).max().item()


def sparse_against_dense(name):
    """Largest |difference| between the step a sparse gradient gives and the one the same gradient, dense, gives."""
    sparse, _ = one_step(name, sparse=True)
    dense, _ = one_step(name)
    return (sparse - dense).detach().abs().max().item()


cpu_kernels = torch.backends.cpu.get_cpu_capability()
FUSED = [name for name, row in MEASURED.items() if row["fused"] == "yes"]
fused_gap = {}
for name in FUSED:
    kwargs = {"momentum": MOMENTUM} if name == "SGD" else {}
    differ, relative = fused_against_for_loop(name, **kwargs)
    fused_gap[name] = {"differ": differ, "relative": relative}
fused_gap_max = max(gap["relative"] for gap in fused_gap.values())
print(f"fused=True against the for-loop after {FUSED_STEPS} steps ({cpu_kernels} kernels):")
for name, gap in fused_gap.items():
    if gap["differ"] == 0:
        print(f"    {name:<8} bit for bit the same")
    else:
        print(f"    {name:<8} {gap['differ']} of {elements} elements differ, by {gap['relative']:.2g} relative at most")

SPARSE = [name for name, row in MEASURED.items() if row["sparse"] == "yes" and name != "SparseAdam"]
sparse_gap = {name: sparse_against_dense(name) for name in SPARSE}
sparse_refused = {
    name: {"weight_decay": try_step(name, sparse=True, weight_decay=WEIGHT_DECAY), "fused": try_step(name, sparse=True, fused=True)}
    for name in ("SGD", "Adagrad")
}
print("A sparse gradient against the same gradient, dense: largest difference")
print("    " + ", ".join(f"{name} {gap:.2g}" for name, gap in sparse_gap.items()))
for name, refused in sparse_refused.items():
    print(f"    {name} with weight_decay={WEIGHT_DECAY:g}: {refused['weight_decay']}, with fused=True: {refused['fused']}")
print()


# %% LBFGS keeps a history that grows with the iterations
def lbfgs_memory(iterations, shape=SHAPE):
    """(iterations run, pairs kept, bytes of state per element) after one LBFGS step() of up to
    `iterations` iterations on a loss it cannot finish fast."""
    generator = torch.Generator().manual_seed(0)
    p = torch.nn.Parameter(torch.randn(shape, generator=generator))
    curvature = torch.logspace(0, 3, p.numel()).reshape(shape)  # 1 ... 1000, every element different
    optimizer = torch.optim.LBFGS([p], max_iter=iterations, max_eval=2 * iterations, tolerance_change=0)

    def closure():
        optimizer.zero_grad()
        loss = (curvature * (p - 1) ** 2).sum() / 2 + (p**4).sum() / 4
        loss.backward()
        return loss

    optimizer.step(closure)
    state = optimizer.state[p]
    return state["n_iter"], len(state["old_dirs"]), buffer_bytes(state, p.numel())


lbfgs_growth = []
for iterations in LBFGS_ITERATIONS:
    done, pairs, per_element = lbfgs_memory(iterations)
    lbfgs_growth.append({"iterations": done, "pairs": pairs, "bytes": per_element})
    print(f"LBFGS after {done:>3} iterations: {pairs:>3} stored pairs, {per_element:g} B/elem")
lbfgs_full_bytes = lbfgs_growth[-1]["bytes"]
lbfgs_pair_bytes = (lbfgs_growth[1]["bytes"] - lbfgs_growth[0]["bytes"]) / (lbfgs_growth[1]["pairs"] - lbfgs_growth[0]["pairs"])
lbfgs_over_adam = lbfgs_full_bytes / MEASURED["Adam"]["bytes"]
print(f"At its full history LBFGS keeps {lbfgs_over_adam:g} times Adam's state.")
print()

# %% Defaults
defaults = {name: key_defaults(name) for name in NAMES}
for name, settings in defaults.items():
    shown = ", ".join(f"{key}={value}" for key, value in settings.items())
    print(textwrap.fill(shown, width=72, initial_indent=f"{name:<11}", subsequent_indent=" " * 11))
