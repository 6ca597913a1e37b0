"""Rprop: defaults, state, and a from-scratch implementation checked against torch.optim

Reads the defaults of torch.optim.Rprop from its signature, measures the state it keeps for
a parameter, runs a short from-scratch Rprop beside torch.optim.Rprop on a small problem for
several hyperparameter settings, and traces one element through a sign change.
"""

# %%
import inspect

import torch

SHAPE = (3, 4)  # the parameter whose state we measure, and that the comparison optimizes
STEPS = 30
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.1},
    {"lr": 0.1, "etas": (0.3, 1.5)},
    {"lr": 0.01, "step_sizes": (1e-3, 0.05)},
    {"lr": 0.5, "step_sizes": (1e-6, 0.2)},
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
# ## Rprop from scratch
#
# The update as torch 2.13 computes it (`_single_tensor_rprop`), one tensor at a time.

# %%
# --8<-- [start:scratch]
def rprop(w0, steps, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50),
          grad=grad_fn):
    """Iterates w_0 ... w_steps of Rprop."""
    eta_minus, eta_plus = etas
    smallest, largest = step_sizes
    w = w0.clone()
    prev = torch.zeros_like(w)                 # last gradient, 0 after a flip
    step_size = torch.full_like(w, lr)         # one step size per element
    iterates = [w.clone()]
    for _ in range(steps):
        g = grad(w)
        agree = torch.sign(g * prev)           # +1 same sign, -1 flipped, 0
        factor = torch.ones_like(w)
        factor[agree > 0] = eta_plus
        factor[agree < 0] = eta_minus
        step_size = (step_size * factor).clamp(smallest, largest)
        g = torch.where(agree < 0, 0.0, g)     # flipped: no move this step
        w = w - step_size * torch.sign(g)
        prev = g
        iterates.append(w.clone())
    return iterates
# --8<-- [end:scratch]


def torch_iterates(w0, steps, loss=loss_fn, **hyperparameters):
    """The same iterates from torch.optim.Rprop."""
    w = w0.clone().requires_grad_(True)
    optimizer = torch.optim.Rprop([w], **hyperparameters)
    iterates = [w.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss(w).backward()
        optimizer.step()
        iterates.append(w.detach().clone())
    return iterates


def max_difference(ours, theirs):
    return max((a - b).abs().max().item() for a, b in zip(ours, theirs, strict=True))


def trace_sign_change(x0=1.0, lr=1.5, steps=4):
    """torch.optim.Rprop on f(x) = x^2: rows of (x, gradient, step size) after each step."""
    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Rprop([x], lr=lr)
    rows = []
    for _ in range(steps):
        optimizer.zero_grad()
        (x**2).sum().backward()
        gradient = x.grad.item()
        optimizer.step()
        rows.append((gradient, optimizer.state[x]["step_size"].item(), x.item()))
    return rows


# %% Defaults and state
print(f"torch.optim.Rprop defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.Rprop).items():
    print(f"  {name:<16} {value}")
print(f"\nstate of a {SHAPE[0]} x {SHAPE[1]} float32 parameter after one step:")
state = state_of(torch.optim.Rprop)
for name, (shape, dtype, nbytes) in state.items():
    print(f"  {name:<10} shape {str(shape):<8} {str(dtype):<14} {nbytes:>3} bytes")
per_element = sum(b for s, _, b in state.values() if s == SHAPE) / (SHAPE[0] * SHAPE[1])
print(f"  bytes per parameter element: {per_element:g}")

# %% From scratch against torch.optim.Rprop
print(f"\nfrom scratch vs torch.optim.Rprop, {STEPS} steps, float64 parameter:")
print(f"  {'hyperparameters':<40} max |diff|")
for setting in SETTINGS:
    difference = max_difference(rprop(W0, STEPS, **setting), torch_iterates(W0, STEPS, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<40} {difference:.1e}")
scaled = torch_iterates(W0, STEPS, loss=lambda w: 1000 * loss_fn(w))
print(f"loss multiplied by 1000, torch.optim.Rprop: max |diff| "
      f"{max_difference(scaled, torch_iterates(W0, STEPS)):.1e}")

# %% One element through a sign change
print("\ntorch.optim.Rprop(lr=1.5) on f(x) = x^2 from x = 1:")
print(f"  {'step':>4} {'gradient':>9} {'step size':>10} {'x after':>8}")
for step, (gradient, size, x) in enumerate(trace_sign_change(), start=1):
    print(f"  {step:>4} {gradient:>9g} {size:>10g} {x:>8g}")
