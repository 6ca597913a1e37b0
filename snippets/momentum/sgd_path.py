"""torch.optim.SGD on f(x) = 4x², step by step: the reference for the playground

The interactive playground on the learning-rate and momentum pages computes SGD in JavaScript.
This snippet computes the same thing with PyTorch itself: `torch.optim.SGD` with a learning rate,
momentum and Nesterov switch, in float64, from x0. Its table of (step, x, loss) is what the
browser test compares the playground's table with; `sgd_plane_path` does the same on the momentum
page's f(x, y) = 4x² + 0.04y² from (x0, 10·x0). It prints the table for plain gradient descent
and for momentum, and plots the momentum path.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch

X0 = 2.0
STEPS = 20
SETTINGS = [  # (lr, momentum, nesterov) of the printed tables
    (0.2, 0.0, False),
    (0.01, 0.9, False),
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


# %% The tables
for lr, momentum, nesterov in SETTINGS:
    print(f"lr = {lr}, momentum = {momentum}, nesterov = {nesterov}")
    print(f"{'step':>4} {'x':>24} {'loss':>24}")
    for step, x, loss in sgd_path(lr, momentum, nesterov):
        print(f"{step:>4} {x:>24.17g} {loss:>24.17g}")
    print()

# %% The momentum path on the parabola and its loss per step
lr, momentum, nesterov = SETTINGS[1]
path = sgd_path(lr, momentum, nesterov, steps=60)
steps = [row[0] for row in path]
xs = [row[1] for row in path]
losses = [row[2] for row in path]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), num="paths")
fig.suptitle(f"torch.optim.SGD, lr = {lr}, momentum = {momentum}")
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
