"""All fifteen optimizers on two 2-D test functions

Runs every optimizer in torch.optim from the same start on an ill-conditioned quadratic and on
the Rosenbrock function, each at PyTorch's defaults except the learning rate (and LBFGS's
iteration settings, see LBFGS below), and draws the paths as small multiples over the contours.
The parameter is one 1 x 2 matrix (x, y) in float64: Muon takes only 2-D parameters.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

NAMES = [
    "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam",
    "RAdam", "SparseAdam", "ASGD", "Rprop", "LBFGS", "Adafactor", "Muon",
]  # fmt: skip
COMMON_LR = 0.1  # every optimizer not listed in LR below
LR = {  # optimizer -> (lr on the quadratic, lr on Rosenbrock)
    "SGD": (0.03, 0.001),  # plain gradient steps: lr must stay below 2 / largest curvature
    "ASGD": (0.03, 0.001),
    "Adadelta": (1.0, 1.0),  # its default; its steps are sized by its own running averages
    "Rprop": (0.01, 0.01),  # its default: lr is only the initial step size
    "LBFGS": (1.0, 1.0),  # its default
}
LBFGS = {"max_iter": 1, "max_eval": 10, "line_search_fn": "strong_wolfe"}  # one iteration per step()
CONDITION = 25.0
QUADRATIC = {"start": (-4.0, 1.5), "minimum": (0.0, 0.0), "steps": 100}
ROSENBROCK = {"start": (-1.5, 2.0), "minimum": (1.0, 1.0), "steps": 200}


def quadratic(p, angle=0.0):
    """f = (u^2 + CONDITION v^2) / 2 where (u, v) is (x, y) turned by `angle` degrees; minimum 0 at 0."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    u, v = c * p[..., 0] + s * p[..., 1], -s * p[..., 0] + c * p[..., 1]
    return (u**2 + CONDITION * v**2) / 2


def turned(point, angle):
    """The point that plays the role of `point` once the quadratic is turned by `angle` degrees."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    x, y = point
    return (c * x - s * y, s * x + c * y)


def rosenbrock(p):
    """f = (1 - x)^2 + 100 (y - x^2)^2; minimum 0 at (1, 1) at the end of a curved, flat-bottomed valley."""
    return (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2


def learning_rate(name, function):
    return LR.get(name, (COMMON_LR, COMMON_LR))[0 if function is quadratic else 1]


def descend(name, function, start, steps, lr=None, **kwargs):
    """Path (steps + 1) x 2, losses and closure evaluations of optimizer `name` on `function`."""
    p = torch.nn.Parameter(torch.tensor([start], dtype=torch.float64))  # a 1 x 2 matrix
    settings = {"lr": learning_rate(name, function) if lr is None else lr, **kwargs}
    if name == "LBFGS":
        settings = {**LBFGS, **settings}
    optimizer = getattr(torch.optim, name)([p], **settings)
    evaluations = 0

    def closure():
        nonlocal evaluations
        evaluations += 1
        optimizer.zero_grad()
        loss = function(p).sum()
        loss.backward()
        if name == "SparseAdam":  # SparseAdam refuses dense gradients
            p.grad = p.grad.to_sparse()
        return loss

    path = [p.detach()[0].clone()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            optimizer.step(closure)
            path.append(p.detach()[0].clone())
            if not torch.isfinite(p).all():
                break
    path = torch.stack(path)
    return path, function(path), evaluations


def run_all(function, start, steps, names=NAMES):
    return {name: descend(name, function, start, steps) for name in names}


def draw(function, runs, box, minimum, title, label):
    fig, axes = plt.subplots(5, 3, figsize=(8.5, 12.5), sharex=True, sharey=True, num=label)
    xs, ys = np.meshgrid(np.linspace(*box[0], 100), np.linspace(*box[1], 100))
    grid = function(torch.tensor(np.stack([xs, ys], axis=-1))).numpy()
    levels = np.logspace(np.log10(max(grid.min(), 1e-3)), np.log10(grid.max()), 14)
    for ax, (name, (path, losses, _)) in zip(axes.flat, runs.items()):
        ax.contour(xs, ys, grid, levels=levels, colors="0.75", linewidths=0.6)
        ax.plot(path[:, 0], path[:, 1], "-", color="C3", linewidth=1.2)
        ax.plot(*path[0], "o", color="C0", markersize=4)
        ax.plot(*path[-1], "x", color="C3", markersize=6)
        ax.plot(*minimum, "*", color="k", markersize=8)
        final = losses[-1].item()
        verdict = f"f = {final:.2g}" if math.isfinite(final) and final < 1e6 else "diverged"
        ax.set_title(f"{name} (lr {learning_rate(name, function):g}): {verdict}", fontsize=11)
        ax.set_xlim(*box[0])
        ax.set_ylim(*box[1])
    for ax in axes[-1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()


def report(runs, minimum):
    print(f"{'optimizer':<11}{'lr':>7}{'final f':>11}{'distance to minimum':>21}{'evaluations':>13}")
    for name, (path, losses, evaluations) in runs.items():
        distance = torch.linalg.vector_norm(path[-1] - torch.tensor(minimum, dtype=torch.float64)).item()
        lr = learning_rate(name, quadratic if runs is quadratic_runs else rosenbrock)
        print(f"{name:<11}{lr:>7g}{losses[-1].item():>11.2e}{distance:>21.2e}{evaluations:>13}")


# %% The ill-conditioned quadratic
quadratic_runs = run_all(quadratic, QUADRATIC["start"], QUADRATIC["steps"])
print(f"Quadratic (x^2 + {CONDITION:g} y^2) / 2 from {QUADRATIC['start']}, {QUADRATIC['steps']} steps:")
report(quadratic_runs, QUADRATIC["minimum"])
draw(
    quadratic, quadratic_runs, ((-4.5, 4.5), (-2.2, 2.2)), QUADRATIC["minimum"],
    f"(x² + {CONDITION:g}y²)/2 from {QUADRATIC['start']}, {QUADRATIC['steps']} steps", "quadratic",
)  # fmt: skip

# %% Turn the quadratic by 45 degrees, and the start with it
ANGLE = 45.0
print()
print(f"Same quadratic and start, both turned by {ANGLE:g} degrees: final f after {QUADRATIC['steps']} steps")
for name in ("SGD", "Adam", "Rprop"):
    _, plain, _ = descend(name, quadratic, QUADRATIC["start"], QUADRATIC["steps"])
    _, rotated, _ = descend(
        name, lambda p: quadratic(p, angle=ANGLE), turned(QUADRATIC["start"], ANGLE), QUADRATIC["steps"],
        lr=learning_rate(name, quadratic),
    )  # fmt: skip
    print(f"{name:<6} axis-aligned {plain[-1].item():.2e}   turned {rotated[-1].item():.2e}")

# %% Rosenbrock
rosenbrock_runs = run_all(rosenbrock, ROSENBROCK["start"], ROSENBROCK["steps"])
print()
print(f"Rosenbrock (1 - x)^2 + 100 (y - x^2)^2 from {ROSENBROCK['start']}, {ROSENBROCK['steps']} steps:")
report(rosenbrock_runs, ROSENBROCK["minimum"])
draw(
    rosenbrock, rosenbrock_runs, ((-2.0, 2.0), (-1.0, 3.0)), ROSENBROCK["minimum"],
    f"Rosenbrock from {ROSENBROCK['start']}, {ROSENBROCK['steps']} steps", "rosenbrock",
)  # fmt: skip
