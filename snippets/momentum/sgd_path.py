"""torch.optim.SGD on f(x) = 4x², step by step: the reference for the playground

The interactive playground on the learning-rate and momentum pages computes SGD in JavaScript.
This snippet computes the same thing with PyTorch itself: `torch.optim.SGD` with a learning rate,
momentum and Nesterov switch, in float64, from x0. Its table of (step, x, loss) is what the
browser test compares the playground's table with, for the runs listed in PLAYGROUND_CHECKS;
`sgd_plane_path` does the same on the momentum page's f(x, y) = 4x² + 0.04y² from (x0, 10·x0).
It prints plain gradient descent beside momentum, and plots the momentum path.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch

X0 = 2.0
STEPS = 20
SETTINGS = [  # (lr, momentum, nesterov) of the printed table
    (0.2, 0.0, False),
    (0.01, 0.9, False),
]
PATH_STEPS = 60  # the plotted momentum run
# What the playground's browser test checks (tests/test_playground.py): its table equals PyTorch's
# to within PLAYGROUND_TOLERANCE (relative) for these runs; it refuses more steps or a farther start
# than the limits; and it reports where these runs leave the range of double precision.
PLAYGROUND_TOLERANCE = 1e-6
PLAYGROUND_MAX_STEPS = 1000
PLAYGROUND_MAX_START = 1000.0
PLAYGROUND_CHECKS = [
    {"lr": 0.125, "momentum": 0.0, "nesterov": False, "steps": 20, "x0": 2.0},
    {"lr": 1.0, "momentum": 0.0, "nesterov": False, "steps": 20, "x0": 2.0},
    {"lr": 0.25, "momentum": 0.0, "nesterov": False, "steps": 20, "x0": 2.0},
    {"lr": 0.01, "momentum": 0.9, "nesterov": False, "steps": 300, "x0": 2.0},
    {"lr": 0.01, "momentum": 0.63, "nesterov": False, "steps": 300, "x0": 2.0},
    {"lr": 0.01, "momentum": 0.9, "nesterov": True, "steps": 300, "x0": 2.0},
    {"lr": 0.2, "momentum": 0.0, "nesterov": False, "steps": 1000, "x0": -3.0},
]
PLAYGROUND_DIVERGING = [  # run for PLAYGROUND_MAX_STEPS steps from X0
    {"lr": 1.0, "momentum": 0.0, "nesterov": False},
    {"lr": 0.5, "momentum": 0.9, "nesterov": True},
    {"lr": 0.6, "momentum": 0.5, "nesterov": False},
]


def f(x):
    """The running example: f(x) = 4x^2, f'(x) = 8x, minimum f(0) = 0."""
    return 4 * x**2


def sgd_path(lr, momentum=0.0, nesterov=False, steps=STEPS, x0=X0):
    """Run torch.optim.SGD on f in float64. Returns [(step, x, loss)] for steps 0 ... steps.

    Step 0 is the start x0. Values are PyTorch's own, inf or nan included when a run diverges.
    """
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum, nesterov=nesterov)
    path = []
    for step in range(steps + 1):
        optimizer.zero_grad()
        loss = f(x)
        loss.backward()
        path.append((step, x.item(), loss.item()))
        if step < steps:
            optimizer.step()
    return path


def sgd_plane_path(lr, momentum=0.0, nesterov=False, steps=STEPS, x0=X0):
    """torch.optim.SGD on f(x, y) = 4x² + 0.04y² (curvatures 8 and 0.08) from (x0, 10·x0), in float64.

    Returns [(step, x, y, loss)] for steps 0 ... steps.
    """
    halves = torch.tensor([4.0, 0.04], dtype=torch.float64)
    w = torch.tensor([x0, 10 * x0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr, momentum=momentum, nesterov=nesterov)
    path = []
    for step in range(steps + 1):
        optimizer.zero_grad()
        loss = (halves * w**2).sum()
        loss.backward()
        path.append((step, w[0].item(), w[1].item(), loss.item()))
        if step < steps:
            optimizer.step()
    return path


def first_non_finite_step(path):
    """The first step with an inf or nan among its values (a diverged run), or None."""
    for step, *values in path:
        if not all(math.isfinite(value) for value in values):
            return step
    return None


# %% Plain gradient descent beside momentum
tables = [sgd_path(lr, momentum, nesterov) for lr, momentum, nesterov in SETTINGS]
print(f"{'':>4} " + " ".join(f"{f'lr {lr:g}, m {momentum:g}':>21}" for lr, momentum, _ in SETTINGS))
print(f"{'step':>4} " + " ".join(f"{'x':>11} {'loss':>9}" for _ in SETTINGS))
for rows in zip(*tables):
    cells = " ".join(f"{x:>11.4g} {loss:>9.3g}" for _, x, loss in rows)
    print(f"{rows[0][0]:>4} {cells}")

# %% Where the playground's runs leave double precision
overflow_steps = [
    first_non_finite_step(sgd_path(run["lr"], run["momentum"], run["nesterov"], steps=PLAYGROUND_MAX_STEPS))
    for run in PLAYGROUND_DIVERGING
]
overflow_step = overflow_steps[0]
for run, step in zip(PLAYGROUND_DIVERGING, overflow_steps):
    nesterov = ", Nesterov" if run["nesterov"] else ""
    print(f"lr {run['lr']:g}, m {run['momentum']:g}{nesterov}, {PLAYGROUND_MAX_STEPS} steps: "
          f"loss not finite from step {step}")

# %% The momentum path on the parabola and its loss per step
lr, momentum, nesterov = SETTINGS[1]
path = sgd_path(lr, momentum, nesterov, steps=PATH_STEPS)
steps = [row[0] for row in path]
xs = [row[1] for row in path]
losses = [row[2] for row in path]
path_lowest = min(xs)
path_sign_changes = sum(a * b < 0 for a, b in zip(xs, xs[1:]))
path_final_loss = losses[-1]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), num="paths")
fig.suptitle(f"torch.optim.SGD, lr = {lr:g}, momentum = {momentum:g}")
reach = 1.1 * max(abs(x) for x in xs)
grid = torch.linspace(-reach, reach, 401)
left.plot(grid, f(grid), color="C0", label="f(x) = 4x²")
left.plot(xs, losses, "-o", markersize=3, color="C3", label="iterates")
left.set_xlabel("x")
left.set_ylabel("f(x)")
left.grid(alpha=0.3)
left.legend()
right.semilogy(steps, losses, "-o", markersize=3, color="C3")
right.set_xlabel("step")
right.set_ylabel("loss (log scale)")
right.grid(alpha=0.3, which="both")
plt.show()
print(f"lr {lr:g}, m {momentum:g}, {PATH_STEPS} steps: x changes sign {path_sign_changes} times,")
print(f"  lowest x {path_lowest:.3g}, loss {losses[0]:g} -> {path_final_loss:.2g}")
