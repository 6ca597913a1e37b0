"""The fifteen optimizers of torch.optim, measured

Builds every optimizer class that torch.optim exports on one float32 64 x 32 parameter and
finds out, by running it rather than by reading its signature: how many bytes of state it keeps
per parameter element after one step, which scalars it keeps besides, whether it runs with
foreach=True and with fused=True on this CPU, and whether it accepts a sparse gradient.
It then prints the main defaults each constructor sets.
"""

# %%
import inspect
import textwrap
import warnings

import torch

SHAPE = (64, 32)  # a 2-D parameter: Muon accepts nothing else, Adafactor factors it
NAMES = [
    "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam",
    "RAdam", "SparseAdam", "ASGD", "Rprop", "LBFGS", "Adafactor", "Muon",
]  # fmt: skip
FLAGS = ("foreach", "maximize", "capturable", "differentiable", "fused")  # switches, not hyperparameters

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


def one_step(name, sparse=False, shape=SHAPE, dtype=torch.float32, **kwargs):
    """Build optimizer `name` on one parameter, take one step, return (parameter, optimizer).

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


def state_size(name, **kwargs):
    """(bytes of non-scalar state per parameter element, {key: kind} of the scalar entries)."""
    p, optimizer = one_step(name, **kwargs)
    state = optimizer.state[p]
    buffers = sum(t.nbytes for value in state.values() for t in tensors(value) if t.dim() > 0)
    scalars = {}
    for key, value in state.items():
        if isinstance(value, torch.Tensor) and value.dim() == 0:
            scalars[key] = f"0-d {str(value.dtype).removeprefix('torch.')}"
        elif not isinstance(value, (torch.Tensor, list)):
            scalars[key] = type(value).__name__
    return buffers / p.numel(), scalars


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


# %% The classes torch.optim exports
classes = optimizer_classes()
print(f"torch {torch.__version__}: {len(classes)} optimizer classes in torch.optim")
print(textwrap.fill(", ".join(classes), width=72))
print()

# %% State, foreach, fused and sparse support, measured
ROWS = measure()
print(f"{'optimizer':<11}{'B/elem':>7}  {'foreach':<10}{'fused':<10}{'sparse grad':<13}scalar state")
for name, row in ROWS.items():
    scalars = [key if kind == "0-d float32" else f"{key} ({kind})" for key, kind in row["scalars"].items()]
    print(f"{name:<11}{row['bytes']:>7g}  {row['foreach']:<10}{row['fused']:<10}{row['sparse']:<13}{', '.join(scalars) or 'none'}")
momentum_bytes, _ = state_size("SGD", momentum=0.9)
print(f"SGD with momentum=0.9 keeps {momentum_bytes:g} B/elem (its momentum_buffer).")

# %% LBFGS keeps a history that grows with the iterations
LBFGS_ITERATIONS = (1, 5, 20, 120)


def lbfgs_memory(iterations, shape=SHAPE):
    """Bytes of LBFGS state per element after `iterations` iterations on a loss it cannot finish fast."""
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
    buffers = sum(t.nbytes for value in state.values() for t in tensors(value) if t.dim() > 0)
    return state["n_iter"], len(state["old_dirs"]), buffers / p.numel()


for iterations in LBFGS_ITERATIONS:
    done, pairs, per_element = lbfgs_memory(iterations)
    print(f"LBFGS after {done:>3} iterations: {pairs:>3} stored pairs, {per_element:g} B/elem")
print()

# %% Defaults
for name in NAMES:
    settings = ", ".join(f"{key}={value}" for key, value in key_defaults(name).items())
    print(textwrap.fill(settings, width=72, initial_indent=f"{name:<11}", subsequent_indent=" " * 11))
