"""RMSprop from scratch, checked against torch.optim.RMSprop

rmsprop_step applies the update rule of the page to one tensor, with no in-place tricks. The
snippet runs it and torch.optim.RMSprop side by side on a seeded least-squares problem (a 3x5
weight and a bias of 3, float64) for several hyperparameter settings, and prints the loss
before and after and the largest difference between the two sets of iterates.
"""

# %%
import torch

SEED = 0
STEPS = 30
SETTINGS = {  # name -> keyword arguments of torch.optim.RMSprop
    "defaults": {},
    "weight_decay=0.1 (L2)": {"weight_decay": 0.1},
    "momentum=0.9": {"lr": 0.001, "momentum": 0.9},
    "centered": {"centered": True},
    "centered, momentum=0.9": {"lr": 0.001, "centered": True, "momentum": 0.9},
    "maximize": {"maximize": True},
    "alpha=0.9, eps=0.1": {"alpha": 0.9, "eps": 0.1},
}


# %% The update rule, one tensor at a time
# --8<-- [start:step]
def rmsprop_step(theta, grad, state, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0, centered=False, maximize=False):
    """One RMSprop step for one tensor. `state` (a dict, empty at first) is updated; returns the new theta."""
    g = -grad if maximize else grad
    if weight_decay:
        g = g + weight_decay * theta  # L2: add lambda * theta to the gradient
    v = state["v"] = alpha * state.get("v", 0) + (1 - alpha) * g * g  # average of g^2
    if centered:
        g_avg = state["g_avg"] = alpha * state.get("g_avg", 0) + (1 - alpha) * g  # average of g
        v = v - g_avg * g_avg  # a variance instead of a second moment
    step = g / (v.sqrt() + eps)
    if momentum > 0:
        step = state["b"] = momentum * state.get("b", 0) + step  # momentum on the normalised step
    return theta - lr * step
# --8<-- [end:step]


# %% The problem and the two runs
def predict(W, b, X):
    """X @ W.T + b, written elementwise: on tensors this small, a multithreaded BLAS call
    can cost more than the arithmetic."""
    return (X.unsqueeze(1) * W).sum(-1) + b


def problem(dtype=torch.float64):
    """Seeded least squares: X (32x5), Y (32x3) and the starting point [W (3x5), b (3)]."""
    generator = torch.Generator().manual_seed(SEED)
    X = torch.randn(32, 5, generator=generator, dtype=dtype)
    W_true = torch.randn(3, 5, generator=generator, dtype=dtype)
    Y = predict(W_true, 0, X) + 0.1 * torch.randn(32, 3, generator=generator, dtype=dtype)
    start = [0.5 * torch.randn(3, 5, generator=generator, dtype=dtype), torch.zeros(3, dtype=dtype)]
    return X, Y, start


def objective(params, X, Y, maximize=False):
    """Mean squared error, negated when maximizing (so that both directions head to the same point)."""
    W, b = params
    loss = ((predict(W, b, X) - Y) ** 2).mean()
    return -loss if maximize else loss


def run_scratch(options, steps=STEPS, dtype=torch.float64):
    """Iterates [W, b] for steps 0..steps of rmsprop_step."""
    X, Y, params = problem(dtype)
    states = [{} for _ in params]
    history = [params]
    for _ in range(steps):
        leaves = [p.detach().requires_grad_() for p in params]
        grads = torch.autograd.grad(objective(leaves, X, Y, options.get("maximize", False)), leaves)
        params = [rmsprop_step(p, g, s, **options) for p, g, s in zip(params, grads, states)]
        history.append(params)
    return history


def run_torch(options, steps=STEPS, dtype=torch.float64):
    """Iterates [W, b] for steps 0..steps of torch.optim.RMSprop."""
    X, Y, start = problem(dtype)
    params = [p.clone().requires_grad_() for p in start]
    optimizer = torch.optim.RMSprop(params, **options)
    history = [start]
    for _ in range(steps):
        optimizer.zero_grad()
        objective(params, X, Y, options.get("maximize", False)).backward()
        optimizer.step()
        history.append([p.detach().clone() for p in params])
    return history


def max_difference(first, second):
    """Largest absolute difference between two runs, over all steps and all elements."""
    return max((a - b).abs().max().item() for xs, ys in zip(first, second) for a, b in zip(xs, ys))


def loss(params, dtype=torch.float64):
    X, Y, _ = problem(dtype)
    return objective(params, X, Y).item()


# %% From scratch against torch.optim.RMSprop
print(f"{STEPS} steps, float64   {'setting':<30} {'loss: start -> end':>20} {'max |difference|':>17}")
for name, options in SETTINGS.items():
    scratch, reference = run_scratch(options), run_torch(options)
    print(f"{'':<20}{name:<30} {loss(reference[0]):>8.4f} -> {loss(reference[-1]):<8.4f} "
          f"{max_difference(scratch, reference):>17.1e}")
