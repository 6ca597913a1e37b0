"""AdamW from scratch, checked against torch.optim.AdamW

adamw_step applies the update rule of the page to one tensor, with no in-place tricks. The
snippet runs it and torch.optim.AdamW side by side on a seeded least-squares problem (a 3x5
weight and a bias of 3, float64) for several hyperparameter settings, and prints the loss
before and after and the largest difference between the two sets of iterates.
"""

# %%
import torch

SEED = 0
STEPS = 30
SETTINGS = {  # name -> keyword arguments of torch.optim.AdamW
    "defaults": {},
    "lr=0.05": {"lr": 0.05},
    "weight_decay=0": {"lr": 0.05, "weight_decay": 0.0},
    "weight_decay=1": {"lr": 0.05, "weight_decay": 1.0},
    # beta2 = 0.9 lets v fall within 30 steps, so that the running maximum makes a difference
    "amsgrad, betas=(0.9, 0.9)": {"lr": 0.05, "betas": (0.9, 0.9), "amsgrad": True},
    "maximize": {"lr": 0.05, "maximize": True},
}


# %% The update rule, one tensor at a time
# --8<-- [start:step]
def adamw_step(theta, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
               amsgrad=False, maximize=False):
    """One AdamW step for one tensor. `state` (a dict, empty at first) is updated; returns the new theta."""
    beta1, beta2 = betas
    g = -grad if maximize else grad
    theta = theta * (1 - lr * weight_decay)  # decoupled: shrink theta, leave g alone
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * g * g
    if amsgrad:
        v = state["v_max"] = torch.maximum(state.get("v_max", v), v)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (v_hat.sqrt() + eps)
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
    """Iterates [W, b] for steps 0..steps of adamw_step."""
    X, Y, params = problem(dtype)
    states = [{} for _ in params]
    history = [params]
    for _ in range(steps):
        leaves = [p.detach().requires_grad_() for p in params]
        grads = torch.autograd.grad(objective(leaves, X, Y, options.get("maximize", False)), leaves)
        params = [adamw_step(p, g, s, **options) for p, g, s in zip(params, grads, states)]
        history.append(params)
    return history


def run_torch(options, steps=STEPS, dtype=torch.float64, optimizer_class=torch.optim.AdamW):
    """Iterates [W, b] for steps 0..steps of torch.optim.AdamW (or of another optimizer class)."""
    X, Y, start = problem(dtype)
    params = [p.clone().requires_grad_() for p in start]
    optimizer = optimizer_class(params, **options)
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


# %% From scratch against torch.optim.AdamW
print(f"{STEPS} steps, float64   {'setting':<30} {'loss: start -> end':>20} {'max |difference|':>17}")
for name, options in SETTINGS.items():
    scratch, reference = run_scratch(options), run_torch(options)
    print(f"{'':<20}{name:<30} {loss(reference[0]):>8.4f} -> {loss(reference[-1]):<8.4f} "
          f"{max_difference(scratch, reference):>17.1e}")
