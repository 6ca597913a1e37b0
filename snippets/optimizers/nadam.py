"""NAdam: defaults, state, and a from-scratch implementation checked against torch.optim

Reads the defaults of torch.optim.NAdam from its signature, measures the state it keeps for
a parameter, and runs a short from-scratch NAdam beside torch.optim.NAdam on a small problem
for several hyperparameter settings, printing the largest difference between the iterates.
"""

# %%
import inspect

import torch

SHAPE = (3, 4)  # the parameter whose state we measure, and that the comparison optimizes
STEPS = 30
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.05, "betas": (0.8, 0.99)},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"lr": 0.01, "momentum_decay": 0.5},
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
# ## NAdam from scratch
#
# The update as torch 2.13 computes it (`_single_tensor_nadam`), one tensor at a time.

# %%
# --8<-- [start:scratch]
def nadam(w0, steps, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
          weight_decay=0.0, momentum_decay=4e-3,
          decoupled_weight_decay=False, grad=grad_fn,
          mu_product_dtype=torch.float64):
    """Iterates w_0 ... w_steps of NAdam. torch.optim stores mu_product
    in float32: mu_product_dtype=torch.float32 rounds it the same way."""
    beta1, beta2 = betas
    w = w0.clone()
    m, v = torch.zeros_like(w), torch.zeros_like(w)
    mu_product = torch.tensor(1.0, dtype=mu_product_dtype)
    iterates = [w.clone()]
    for t in range(1, steps + 1):
        g = grad(w)
        if weight_decay and decoupled_weight_decay:
            w = w * (1 - lr * weight_decay)  # shrink w, leave g alone
        elif weight_decay:
            g = g + weight_decay * w         # L2 penalty in the gradient
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_product *= mu
        product = mu_product.item()
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        denom = (v / (1 - beta2**t)).sqrt() + eps
        numer = ((1 - mu) / (1 - product) * g
                 + mu_next / (1 - product * mu_next) * m)
        w = w - lr * numer / denom
        iterates.append(w.clone())
    return iterates
# --8<-- [end:scratch]


def torch_iterates(w0, steps, **hyperparameters):
    """The same iterates from torch.optim.NAdam."""
    w = w0.clone().requires_grad_(True)
    optimizer = torch.optim.NAdam([w], **hyperparameters)
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
print(f"torch.optim.NAdam defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.NAdam).items():
    print(f"  {name:<24} {value}")
print(f"\nstate of a {SHAPE[0]} x {SHAPE[1]} float32 parameter after one step:")
state = state_of(torch.optim.NAdam)
for name, (shape, dtype, nbytes) in state.items():
    print(f"  {name:<12} shape {str(shape):<8} {str(dtype):<14} {nbytes:>3} bytes")
per_element = sum(b for s, _, b in state.values() if s == SHAPE) / (SHAPE[0] * SHAPE[1])
print(f"  bytes per parameter element: {per_element:g}")
state64 = state_of(torch.optim.NAdam, dtype=torch.float64)
print("  for a float64 parameter: "
      + ", ".join(f"{name} {state64[name][1]}" for name in ("step", "mu_product")))

# %% From scratch against torch.optim.NAdam
print(f"\nfrom scratch vs torch.optim.NAdam, {STEPS} steps, float64 parameter:")
print(f"  {'hyperparameters':<55} max |diff|")
for setting in SETTINGS:
    difference = max_difference(nadam(W0, STEPS, **setting), torch_iterates(W0, STEPS, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<55} {difference:.1e}")
rounded = max(
    max_difference(nadam(W0, STEPS, **setting, mu_product_dtype=torch.float32), torch_iterates(W0, STEPS, **setting))
    for setting in SETTINGS
)
print(f"  {'all five, mu_product rounded to float32 as in torch':<55} {rounded:.1e}")
