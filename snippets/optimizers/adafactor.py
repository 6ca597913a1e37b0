"""Adafactor: defaults, factored state, and a from-scratch implementation checked against torch.optim

Reads the defaults of torch.optim.Adafactor from its signature (and compares them with its
docstring), measures the state it keeps for a matrix, a vector and a 3-d tensor, and runs a
short from-scratch Adafactor beside torch.optim.Adafactor on a matrix and a vector parameter
for several hyperparameter settings.
"""

# %%
import inspect
import math
import re

import torch

STEPS = 20
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.05},
    {"lr": 0.05, "beta2_decay": -0.5},
    {"lr": 0.05, "d": 2.0},
    {"lr": 0.05, "weight_decay": 0.1, "eps": (1e-3, 1e-3)},
]

torch.manual_seed(0)
A = torch.randn(8, 3, dtype=torch.float64)
B = torch.randn(8, 4, dtype=torch.float64)
PARAMS0 = [torch.randn(3, 4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)]  # W, b


def loss_fn(w, b):
    """A small smooth loss: least squares with a bias, plus a quartic term."""
    return ((A @ w + b - B) ** 2).mean() + 0.1 * (w**4).sum()


def grad_fn(params):
    params = [p.detach().requires_grad_(True) for p in params]
    loss_fn(*params).backward()
    return [p.grad for p in params]


def defaults(cls):
    """The keyword defaults of an optimizer class, read from its signature."""
    return {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}


def documented_default(cls, argument):
    """The default an optimizer's docstring states for an argument."""
    text = " ".join(cls.__doc__.split())
    return re.search(rf"{argument} \(.*?\(default: ([^)]*)\)", text).group(1)


def state_of(shape, dtype=torch.float32):
    """Adafactor's state for one parameter of this shape after one step: name -> (shape, dtype, bytes)."""
    p = torch.zeros(shape, dtype=dtype, requires_grad=True)
    optimizer = torch.optim.Adafactor([p])
    p.grad = torch.ones_like(p)
    optimizer.step()
    return {
        name: (tuple(value.shape), value.dtype, value.numel() * value.element_size())
        for name, value in optimizer.state[p].items()
    }


# %% [markdown]
# ## Adafactor from scratch
#
# The update as torch 2.13 computes it (`_single_tensor_adafactor`), one tensor at a time.

# %%
# --8<-- [start:scratch]
def rms(x):
    return (x.norm() / math.sqrt(x.numel())).item()


def adafactor(params0, steps, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3),
              d=1.0, weight_decay=0.0, grad=grad_fn):
    """Iterates of Adafactor for a list of parameters."""
    eps1, eps2 = eps
    params = [p.clone() for p in params0]
    moments = [None] * len(params)      # (R, C) for matrices, V for vectors
    iterates = [[p.clone() for p in params]]
    for t in range(1, steps + 1):
        grads = grad(params)
        for i, (p, g) in enumerate(zip(params, grads)):
            e1 = torch.finfo(p.dtype).eps if eps1 is None else eps1
            weight = t ** beta2_decay                 # 1 - beta2_t
            alpha = max(eps2, rms(p)) * min(lr, 1 / math.sqrt(t))
            p = p * (1 - lr * weight_decay)
            if p.dim() > 1:                           # factored second moment
                R, C = moments[i] if moments[i] is not None else (0.0, 0.0)
                R = R + weight * ((g * g).mean(-1, keepdim=True) - R)
                C = C + weight * ((g * g).mean(-2, keepdim=True) - C)
                moments[i] = (R, C)
                V = R @ C / R.mean(-2, keepdim=True).clamp(min=e1)
            else:                                     # full second moment
                V = moments[i] if moments[i] is not None else 0.0
                V = V + weight * (g * g - V)
                moments[i] = V
            U = g / V.clamp(min=e1 * e1).sqrt()
            U = U / max(1.0, rms(U) / d)              # clip the update's RMS
            params[i] = p - alpha * U
        iterates.append([p.clone() for p in params])
    return iterates
# --8<-- [end:scratch]


def torch_iterates(params0, steps, **hyperparameters):
    """The same iterates from torch.optim.Adafactor."""
    params = [p.clone().requires_grad_(True) for p in params0]
    optimizer = torch.optim.Adafactor(params, **hyperparameters)
    iterates = [[p.detach().clone() for p in params]]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(*params).backward()
        optimizer.step()
        iterates.append([p.detach().clone() for p in params])
    return iterates


def max_difference(ours, theirs):
    return max((a - b).abs().max().item()
               for mine, its in zip(ours, theirs, strict=True) for a, b in zip(mine, its, strict=True))


# %% Defaults and state
print(f"torch.optim.Adafactor defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.Adafactor).items():
    print(f"  {name:<13} {value}")
documented = documented_default(torch.optim.Adafactor, "weight_decay")
print(f"  (the docstring says weight_decay defaults to {documented})")
for shape in ((64, 32), (64,), (4, 6, 5)):
    state = state_of(shape)
    total = sum(nbytes for _, _, nbytes in state.values())
    print(f"\n{' x '.join(map(str, shape))} float32 parameter, state after one step:"
          f" {total} bytes for {math.prod(shape)} elements")
    for name, (shape_, dtype, nbytes) in state.items():
        print(f"  {name:<9} shape {str(shape_):<11} {str(dtype):<14} {nbytes:>4} bytes")

# %% From scratch against torch.optim.Adafactor
print(f"\nfrom scratch vs torch.optim.Adafactor, {STEPS} steps, float64 3 x 4 and 4:")
print(f"  {'hyperparameters':<50} max |diff|")
for setting in SETTINGS:
    difference = max_difference(adafactor(PARAMS0, STEPS, **setting), torch_iterates(PARAMS0, STEPS, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<50} {difference:.1e}")
