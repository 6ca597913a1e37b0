"""LBFGS: defaults, the closure it needs, its state, and a from-scratch implementation

Reads the defaults of torch.optim.LBFGS from its signature, shows the error step() raises
without a closure, counts the closure calls of one step(), measures the state after the
history has filled, and runs a from-scratch L-BFGS (fixed step, no line search) beside
torch.optim.LBFGS on the Rosenbrock function for several hyperparameter settings.
"""

# %%
import inspect

import torch

W0 = torch.tensor([-1.2, 1.0], dtype=torch.float64)  # the classic start on Rosenbrock
ITERATIONS = 20
SETTINGS = [  # hyperparameter settings for the comparison (unlisted ones keep their defaults)
    {},
    {"lr": 0.5},
    {"lr": 0.8, "history_size": 5},
    {"history_size": 2},
    {"history_size": 1},
]


def loss_fn(w):
    """The Rosenbrock function: a curved valley with its minimum 0 at (1, 1)."""
    x, y = w[0], w[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def grad_fn(w):
    w = w.detach().requires_grad_(True)
    loss_fn(w).backward()
    return w.grad


def defaults(cls):
    """The keyword defaults of an optimizer class, read from its signature."""
    return {name: p.default for name, p in inspect.signature(cls).parameters.items() if name != "params"}


def error_without_closure():
    w = torch.zeros(3, requires_grad=True)
    optimizer = torch.optim.LBFGS([w])
    try:
        optimizer.step()
    except Exception as error:  # noqa: BLE001 - we print whatever it raises
        return error
    return None


def closure_calls(**hyperparameters):
    """How many times one optimizer.step(closure) calls the closure on loss_fn."""
    w = W0.clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([w], **hyperparameters)
    calls = []

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(w)
        loss.backward()
        calls.append(loss.item())
        return loss

    optimizer.step(closure)
    return len(calls)


def state_after(history_size, iterations=40):
    """LBFGS after `iterations` iterations on a quadratic in two parameters, 30 + 20 elements."""
    torch.manual_seed(0)
    q = torch.randn(50, 50, dtype=torch.float64)
    h = q @ q.T / 50 + 0.01 * torch.eye(50, dtype=torch.float64)
    first = torch.randn(5, 6, dtype=torch.float64, requires_grad=True)
    second = torch.randn(20, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([first, second], history_size=history_size, max_iter=iterations)

    def closure():
        optimizer.zero_grad()
        x = torch.cat([first.flatten(), second])
        loss = 0.5 * x @ h @ x
        loss.backward()
        return loss

    optimizer.step(closure)
    return optimizer, first


def vectors_in(state, n):
    """The distinct tensors of n elements held in a state dict (lists searched too)."""
    found = {}

    def walk(value):
        if torch.is_tensor(value) and value.numel() == n:
            found[value.data_ptr()] = value
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for value in state.values():
        walk(value)
    return list(found.values())


# %% [markdown]
# ## L-BFGS from scratch
#
# One iteration of torch 2.13's `LBFGS.step` without a line search, repeated: the two-loop
# recursion computes the direction, and the step is lr (min(1, 1 / |g|_1) * lr the first time).

# %%
# --8<-- [start:scratch]
def lbfgs(w0, iterations, lr=1.0, history_size=100, grad=grad_fn):
    """Iterates w_0 ... w_iterations of L-BFGS with a fixed step."""
    w = w0.clone().flatten()
    shape = w0.shape
    g = grad(w.view(shape)).flatten()
    pairs = []                  # (s, y, 1 / y.s), oldest first
    gamma = 1.0                 # scale of the initial inverse Hessian
    iterates = [w0.clone()]
    for k in range(iterations):
        if k == 0:
            d = -g
            t = min(1.0, 1.0 / g.abs().sum().item()) * lr
        else:
            s, y = t * d, g - g_prev
            if y @ s > 1e-10:           # keep pairs with positive curvature
                if len(pairs) == history_size:
                    pairs.pop(0)        # drop the oldest
                pairs.append((s, y, 1.0 / (y @ s)))
                gamma = (y @ s) / (y @ y)
            q, alphas = -g, []
            for s_i, y_i, rho_i in reversed(pairs):   # newest to oldest
                alpha = rho_i * (s_i @ q)
                q = q - alpha * y_i
                alphas.append(alpha)
            d = gamma * q
            for (s_i, y_i, rho_i), alpha in zip(pairs, reversed(alphas)):
                beta = rho_i * (y_i @ d)
                d = d + (alpha - beta) * s_i
            t = lr
        g_prev = g
        w = w + t * d
        g = grad(w.view(shape)).flatten()
        iterates.append(w.view(shape).clone())
    return iterates
# --8<-- [end:scratch]


def torch_iterates(w0, iterations, **hyperparameters):
    """The same iterates from torch.optim.LBFGS, one iteration per step() (max_iter=1)."""
    w = w0.clone().requires_grad_(True)
    optimizer = torch.optim.LBFGS([w], max_iter=1, **hyperparameters)

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(w)
        loss.backward()
        return loss

    iterates = [w.detach().clone()]
    for _ in range(iterations):
        optimizer.step(closure)
        iterates.append(w.detach().clone())
    return iterates


def max_difference(ours, theirs):
    return max((a - b).abs().max().item() for a, b in zip(ours, theirs, strict=True))


# %% Defaults, the closure, the state
print(f"torch.optim.LBFGS defaults (torch {torch.__version__}):")
for name, value in defaults(torch.optim.LBFGS).items():
    print(f"  {name:<18} {value}")
error = error_without_closure()
print(f"\noptimizer.step() without a closure:\n  {type(error).__name__}: {error}")
print(f"closure calls in one optimizer.step(closure): {closure_calls()} (defaults), "
      f"{closure_calls(line_search_fn='strong_wolfe')} (strong_wolfe)")

print("\nstate after 40 iterations on a quadratic in a 5 x 6 and a 20-element parameter,")
print("history_size = 3:")
optimizer, first = state_after(history_size=3)
print(f"  optimizer.state holds {len(optimizer.state)} entry, for the first parameter "
      f"{tuple(first.shape)}:")
for name, value in optimizer.state[first].items():
    if isinstance(value, list):
        kinds = sorted({f"{tuple(v.shape)} {v.dtype}" for v in value})
        print(f"    {name:<15} list of {len(value)}: {', '.join(kinds)}")
    elif torch.is_tensor(value):
        print(f"    {name:<15} tensor {tuple(value.shape)} {value.dtype}")
    else:
        print(f"    {name:<15} {type(value).__name__} {value:.3g}")
for history_size in (3, 10):
    optimizer, first = state_after(history_size)
    count = len(vectors_in(optimizer.state[first], 50))
    print(f"  history_size = {history_size:>2}: {count:>2} vectors of 50 elements "
          f"(docstring: history_size + 1, {history_size + 1})")

# %% From scratch against torch.optim.LBFGS
print(f"\nfrom scratch vs torch.optim.LBFGS, {ITERATIONS} iterations, float64 parameter:")
print(f"  {'hyperparameters':<30} max |diff|")
for setting in SETTINGS:
    difference = max_difference(lbfgs(W0, ITERATIONS, **setting), torch_iterates(W0, ITERATIONS, **setting))
    label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults"
    print(f"  {label:<30} {difference:.1e}")
