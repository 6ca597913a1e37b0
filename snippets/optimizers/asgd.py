"""ASGD: defaults, state, and a from-scratch implementation checked against torch.optim

Reads the defaults of torch.optim.ASGD from its signature, measures the state it keeps for a
parameter, and runs a short from-scratch ASGD beside torch.optim.ASGD on a small problem for
several hyperparameter settings, comparing both the iterates and their running average ax.
"""

# %%
import inspect

import torch

SHAPE = (3, 4)  # the parameter whose state we measure, and that the comparison optimizes
STEPS = 30
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.05},
    {"lr": 0.05, "lambd": 0.01, "alpha": 0.5},
    {"lr": 0.05, "t0": 5},
    {"lr": 0.05, "t0": 5, "weight_decay": 0.1},
]

torch.manual_seed(0)
A = torch.randn(8, SHAPE[0], dtype=torch.float64)
B = torch.randn(8, SHAPE[1], dtype=torch.float64)
W0 = torch.randn(SHAPE, dtype=torch.float64)


def loss_fn(w):
    """A small smooth loss: least squares plus a quartic term, so the gradient is not linear in w."""
    return ((A @ w - B) ** 2).mean() + 0.1 * (w**4).sum()


def grad_fn(w):
    w = w.detach().requires_grad_(True)
    loss_fn(w).backward()
    return w.grad


def defaults(cls):
    """The keyword defaults of an optimizer class, read from its signature."""
    return {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}


def state_of(cls, shape=SHAPE, dtype=torch.float32, **hyperparameters):
    """optimizer.state of one parameter after one step: name -> (shape, dtype, bytes)."""
    p = torch.zeros(shape, dtype=dtype, requires_grad=True)
    optimizer = cls([p], **hyperparameters)
    p.grad = torch.ones_like(p)
    optimizer.step()
    return {
        name: (tuple(value.shape), value.dtype, value.numel() * value.element_size())
        for name, value in optimizer.state[p].items()
    }


# %% [markdown]
# ## ASGD from scratch
#
# The update as torch 2.13 computes it (`_single_tensor_asgd`), one tensor at a time.

# %%
# --8<-- [start:scratch]
def asgd(w0, steps, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6,
         weight_decay=0.0, grad=grad_fn, scalar_dtype=torch.float64):
    """Iterates w_0 ... w_steps of ASGD and their averages ax_0 ... ax_steps.
    torch.optim stores eta and mu in float32 tensors:
    scalar_dtype=torch.float32 rounds them the same way."""
    def stored(x):
        return torch.tensor(x, dtype=scalar_dtype).item()
    w, ax = w0.clone(), torch.zeros_like(w0)
    eta, mu = stored(lr), 1.0                # the values used in step 1
    iterates, averages = [w.clone()], [ax.clone()]
    for t in range(1, steps + 1):
        g = grad(w) + weight_decay * w
        w = (1 - lambd * eta) * w - eta * g    # lambd shrinks w as well
        ax = ax + mu * (w - ax)                # mean of w from step t0 + 2 on
        eta = stored(lr / (1 + lambd * lr * t) ** alpha)  # for step t + 1
        mu = stored(1 / max(1, t - t0))
        iterates.append(w.clone())
        averages.append(ax.clone())
    return iterates, averages
# --8<-- [end:scratch]


def torch_iterates(w0, steps, **hyperparameters):
    """The same iterates and averages from torch.optim.ASGD."""
    w = w0.clone().requires_grad_(True)
    optimizer = torch.optim.ASGD([w], **hyperparameters)
    iterates, averages = [w.detach().clone()], [torch.zeros_like(w0)]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(w).backward()
        optimizer.step()
        iterates.append(w.detach().clone())
        averages.append(optimizer.state[w]["ax"].clone())
    return iterates, averages


def max_difference(ours, theirs):
    return max((a - b).abs().max().item() for a, b in zip(ours, theirs, strict=True))


# %% Defaults and state
print(f"torch.optim.ASGD defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.ASGD).items():
    print(f"  {name:<16} {value}")
print(f"\nstate of a {SHAPE[0]} x {SHAPE[1]} float32 parameter after one step:")
state = state_of(torch.optim.ASGD)
for name, (shape, dtype, nbytes) in state.items():
    print(f"  {name:<5} shape {str(shape):<8} {str(dtype):<14} {nbytes:>3} bytes")
per_element = sum(b for s, _, b in state.values() if s == SHAPE) / (SHAPE[0] * SHAPE[1])
print(f"  bytes per parameter element: {per_element:g}")
state64 = state_of(torch.optim.ASGD, dtype=torch.float64)
print("  for a float64 parameter: "
      + ", ".join(f"{name} {str(state64[name][1])[6:]}" for name in ("step", "eta", "mu")))

# %% From scratch against torch.optim.ASGD
print(f"\nfrom scratch vs torch.optim.ASGD, {STEPS} steps, float64 parameter:")
print(f"  {'hyperparameters':<40} {'iterates':>9} {'averages':>9}")
for setting in SETTINGS:
    (w_ours, ax_ours), (w_theirs, ax_theirs) = asgd(W0, STEPS, **setting), torch_iterates(W0, STEPS, **setting)
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<40} {max_difference(w_ours, w_theirs):>9.1e} "
          f"{max_difference(ax_ours, ax_theirs):>9.1e}")
worst = 0.0
for setting in SETTINGS:
    ours = asgd(W0, STEPS, **setting, scalar_dtype=torch.float32)
    theirs = torch_iterates(W0, STEPS, **setting)
    worst = max(worst, max_difference(ours[0], theirs[0]), max_difference(ours[1], theirs[1]))
print(f"  {'all five, eta and mu rounded to float32':<40} {worst:>9.1e}")
