"""RAdam: defaults, state, and a from-scratch implementation checked against torch.optim

Reads the defaults of torch.optim.RAdam from its signature, measures the state it keeps for
a parameter, and runs a short from-scratch RAdam beside torch.optim.RAdam on a small problem
for several hyperparameter settings, printing the largest difference between the iterates.
"""

# %%
import inspect
import math

import torch

SHAPE = (3, 4)  # the parameter whose state we measure, and that the comparison optimizes
STEPS = 30  # with the default beta2, steps 1-5 take the un-rectified branch, 6-30 the other
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.05, "betas": (0.8, 0.99)},
    {"lr": 0.01, "betas": (0.9, 0.8)},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
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
# ## RAdam from scratch
#
# The update as torch 2.13 computes it (`_single_tensor_radam`), one tensor at a time.

# %%
# --8<-- [start:scratch]
def rho(t, beta2):
    """Length of the approximated simple moving average at step t."""
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def rectifier(t, beta2):
    """r_t, defined only where rho_t > 5."""
    rho_inf, rho_t = 2 / (1 - beta2) - 1, rho(t, beta2)
    return math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                     / ((rho_inf - 4) * (rho_inf - 2) * rho_t))


def radam(w0, steps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
          weight_decay=0.0, decoupled_weight_decay=False, grad=grad_fn):
    """Iterates w_0 ... w_steps of RAdam."""
    beta1, beta2 = betas
    w = w0.clone()
    m, v = torch.zeros_like(w), torch.zeros_like(w)
    iterates = [w.clone()]
    for t in range(1, steps + 1):
        g = grad(w)
        if weight_decay and decoupled_weight_decay:
            w = w * (1 - lr * weight_decay)  # shrink w, leave g alone
        elif weight_decay:
            g = g + weight_decay * w         # L2 penalty in the gradient
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        if rho(t, beta2) > 5:    # variance tractable: rectified Adam step
            adaptive = math.sqrt(1 - beta2**t) / (v.sqrt() + eps)
            w = w - lr * m_hat * adaptive * rectifier(t, beta2)
        else:                    # too few samples: SGD with momentum
            w = w - lr * m_hat
        iterates.append(w.clone())
    return iterates
# --8<-- [end:scratch]


def torch_iterates(w0, steps, **hyperparameters):
    """The same iterates from torch.optim.RAdam."""
    w = w0.clone().requires_grad_(True)
    optimizer = torch.optim.RAdam([w], **hyperparameters)
    iterates = [w.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(w).backward()
        optimizer.step()
        iterates.append(w.detach().clone())
    return iterates


def max_difference(ours, theirs):
    return max((a - b).abs().max().item() for a, b in zip(ours, theirs, strict=True))


# %% Defaults and state
print(f"torch.optim.RAdam defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.RAdam).items():
    print(f"  {name:<24} {value}")
print(f"\nstate of a {SHAPE[0]} x {SHAPE[1]} float32 parameter after one step:")
state = state_of(torch.optim.RAdam)
for name, (shape, dtype, nbytes) in state.items():
    print(f"  {name:<12} shape {str(shape):<8} {str(dtype):<14} {nbytes:>3} bytes")
per_element = sum(b for s, _, b in state.values() if s == SHAPE) / (SHAPE[0] * SHAPE[1])
print(f"  bytes per parameter element: {per_element:g}")

# %% From scratch against torch.optim.RAdam
print(f"\nfrom scratch vs torch.optim.RAdam, {STEPS} steps, float64 parameter:")
print(f"  {'hyperparameters':<55} max |diff|")
for setting in SETTINGS:
    difference = max_difference(radam(W0, STEPS, **setting), torch_iterates(W0, STEPS, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<55} {difference:.1e}")
