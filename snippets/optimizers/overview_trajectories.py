"""All fifteen optimizers on two 2-D test functions

Runs every optimizer in torch.optim from the same start on an ill-conditioned quadratic and on
the Rosenbrock function, each at PyTorch's defaults except the learning rate (and LBFGS's
iteration settings, see LBFGS below), and draws the paths as small multiples over the contours.
The parameter is one 1 x 2 matrix (x, y) in float64: Muon takes only 2-D parameters. Then it
looks closer at a few of the paths: how the order of SGD and Adam changes with the learning
rate, what turning the quadratic does, RAdam's and Muon's first steps.
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
ROSENBROCK_B = 100.0  # f = (1 - x)^2 + ROSENBROCK_B (y - x^2)^2
QUADRATIC = {"start": (-4.0, 1.5), "minimum": (0.0, 0.0), "steps": 100}
ROSENBROCK = {"start": (-1.5, 2.0), "minimum": (1.0, 1.0), "steps": 200}
SPARSEADAM_ATOL = 1e-7  # SparseAdam given every entry against Adam: how close the paths stay
CONVERGED = 1e-6  # "reaches the minimum" on Rosenbrock: f below this
RANKING_LRS = (0.03, 0.05, 0.1)  # SGD against Adam on the quadratic at these learning rates
ANGLE = 45.0  # the quadratic and the start turned together by this many degrees
ROTATION_RTOL = 1e-9  # SGD's losses on the turned quadratic against the axis-aligned ones
MUON_SIZES = (1e-3, 1e3)  # one Muon step on a 1 x 2 matrix, for random gradients of sizes in this range
MUON_SAMPLES = 200
MUON_BAND = (0.65, 0.75)  # the page's bound on the length of those steps, in units of lr


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
    """f = (1 - x)^2 + ROSENBROCK_B (y - x^2)^2; minimum 0 at (1, 1) at the end of a curved, flat-bottomed valley."""
    return (1 - p[..., 0]) ** 2 + ROSENBROCK_B * (p[..., 1] - p[..., 0] ** 2) ** 2


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
    fig, axes = plt.subplots(5, 3, figsize=(8.5, 12.5), sharex=True, sharey=True, num=label, layout="constrained")
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
        verdict = f"f = {final:.1e}" if math.isfinite(final) and final < 1e6 else "diverged"
        ax.set_title(f"{name}\n{verdict}", fontsize=11)
        ax.set_xlim(*box[0])
        ax.set_ylim(*box[1])
    for ax in axes[-1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    fig.suptitle(title)
    plt.show()


def report(runs, function, minimum):
    print(f"{'optimizer':<11}{'lr':>7}{'final f':>11}{'distance to minimum':>21}{'evaluations':>13}")
    for name, (path, losses, evaluations) in runs.items():
        distance = torch.linalg.vector_norm(path[-1] - torch.tensor(minimum, dtype=torch.float64)).item()
        print(f"{name:<11}{learning_rate(name, function):>7g}{losses[-1].item():>11.2e}{distance:>21.2e}{evaluations:>13}")


def finals(runs):
    """name -> final f (NaN or inf for a run that diverged)."""
    return {name: losses[-1].item() for name, (_, losses, _) in runs.items()}


# %% The ill-conditioned quadratic
quadratic_runs = run_all(quadratic, QUADRATIC["start"], QUADRATIC["steps"])
quadratic_final = finals(quadratic_runs)
quadratic_first = {name: losses[0].item() for name, (_, losses, _) in quadratic_runs.items()}
sgd_limit = 2 / CONDITION  # plain gradient descent diverges for lr above 2 / largest curvature
print(f"Quadratic (x^2 + {CONDITION:g} y^2) / 2 from {QUADRATIC['start']}, {QUADRATIC['steps']} steps:")
report(quadratic_runs, quadratic, QUADRATIC["minimum"])
draw(
    quadratic, quadratic_runs, ((-4.5, 4.5), (-2.2, 2.2)), QUADRATIC["minimum"],
    f"(x² + {CONDITION:g}y²)/2 from {QUADRATIC['start']}, {QUADRATIC['steps']} steps", "quadratic",
)  # fmt: skip

# %% The order of SGD and Adam depends on the learning rate
ranking = {
    f"{lr:g}": {name: descend(name, quadratic, QUADRATIC["start"], QUADRATIC["steps"], lr=lr)[1][-1].item() for name in ("SGD", "Adam")}
    for lr in RANKING_LRS
}
print()
print(f"Final f on the quadratic (SGD diverges above lr = 2 / {CONDITION:g} = {sgd_limit:g}):")
for lr, final in ranking.items():
    print(f"    lr = {lr:<5} SGD {final['SGD']:.2e}   Adam {final['Adam']:.2e}")

# %% Turn the quadratic by 45 degrees, and the start with it
rotation = {}
for name in ("SGD", "Adam", "Rprop"):
    _, plain, _ = descend(name, quadratic, QUADRATIC["start"], QUADRATIC["steps"])
    _, rotated, _ = descend(
        name, lambda p: quadratic(p, angle=ANGLE), turned(QUADRATIC["start"], ANGLE), QUADRATIC["steps"],
        lr=learning_rate(name, quadratic),
    )  # fmt: skip
    gap = ((rotated - plain).abs() / plain.abs()).max().item()
    rotation[name] = {"aligned": plain[-1].item(), "turned": rotated[-1].item(), "largest relative gap": gap}
adam_rotation_cost = rotation["Adam"]["turned"] / rotation["Adam"]["aligned"]
print()
print(f"Quadratic and start both turned by {ANGLE:g} degrees: final f after {QUADRATIC['steps']} steps")
for name, result in rotation.items():
    print(f"    {name:<6} axis-aligned {result['aligned']:.2e}   turned {result['turned']:.2e}")
print(f"    SGD's losses differ by {rotation['SGD']['largest relative gap']:.1e} relative at most")

# %% Rosenbrock
rosenbrock_runs = run_all(rosenbrock, ROSENBROCK["start"], ROSENBROCK["steps"])
rosenbrock_final = finals(rosenbrock_runs)
rosenbrock_evaluations = {name: evaluations for name, (_, _, evaluations) in rosenbrock_runs.items()}
converged = [name for name, final in rosenbrock_final.items() if final < CONVERGED]
diverged = [name for name, final in rosenbrock_final.items() if not math.isfinite(final)]
lowest_other = min(final for name, final in rosenbrock_final.items() if name not in converged + diverged)
print()
print(f"Rosenbrock (1 - x)^2 + {ROSENBROCK_B:g} (y - x^2)^2 from {ROSENBROCK['start']}, {ROSENBROCK['steps']} steps:")
report(rosenbrock_runs, rosenbrock, ROSENBROCK["minimum"])
print(f"Below f = {CONVERGED:g}: {', '.join(converged)}; diverged: {', '.join(diverged)}; lowest other f: {lowest_other:.3g}")
draw(
    rosenbrock, rosenbrock_runs, ((-2.0, 2.0), (-1.0, 3.0)), ROSENBROCK["minimum"],
    f"Rosenbrock from {ROSENBROCK['start']}, {ROSENBROCK['steps']} steps", "rosenbrock",
)  # fmt: skip

# %% SparseAdam given every entry follows Adam
sparseadam_gap = {
    label: (runs["SparseAdam"][0] - runs["Adam"][0]).abs().max().item()
    for label, runs in (("quadratic", quadratic_runs), ("rosenbrock", rosenbrock_runs))
}
sparseadam_gap_max = max(sparseadam_gap.values())
print()
print("SparseAdam against Adam, largest coordinate difference along the path:")
print("    " + ", ".join(f"{label} {gap:.1e}" for label, gap in sparseadam_gap.items()))


# %% RAdam's first step on Rosenbrock, and Adam's
def first_step(name, function, start):
    """(gradient at the start, the first step) of `name` on `function`, at its lr on that function."""
    p = torch.tensor([start], dtype=torch.float64, requires_grad=True)
    function(p).sum().backward()
    path, _, _ = descend(name, function, start, 1)
    return p.grad[0].tolist(), (path[1] - path[0]).tolist()


rosenbrock_start_gradient, radam_first_step = first_step("RAdam", rosenbrock, ROSENBROCK["start"])
_, adam_first_step = first_step("Adam", rosenbrock, ROSENBROCK["start"])
radam_first_point = rosenbrock_runs["RAdam"][0][1].tolist()
radam_steps_taken = len(rosenbrock_runs["RAdam"][0]) - 1
print()
print(f"Rosenbrock's gradient at {ROSENBROCK['start']}: ({', '.join(f'{g:g}' for g in rosenbrock_start_gradient)})")
print(f"    RAdam's first step ({', '.join(f'{d:g}' for d in radam_first_step)}), to ({', '.join(f'{x:g}' for x in radam_first_point)})")
print(f"    Adam's first step  ({', '.join(f'{d:.3g}' for d in adam_first_step)})")
print(f"    RAdam's f is no longer finite after {radam_steps_taken} steps")


# %% Muon on a 1 x 2 matrix: one step of the same length whatever the gradient
def muon_step(gradient, lr=COMMON_LR):
    """One Muon step (no weight decay) from 0 on a 1 x 2 matrix: (length / lr, cosine with minus the gradient)."""
    w = torch.nn.Parameter(torch.zeros(1, 2, dtype=torch.float64))
    optimizer = torch.optim.Muon([w], lr=lr, weight_decay=0)
    w.grad = torch.tensor([gradient], dtype=torch.float64)
    optimizer.step()
    step, g = w.detach()[0], w.grad[0]
    return torch.linalg.vector_norm(step).item() / lr, -(step @ g / (step.norm() * g.norm())).item()


def muon_gradients_of(sizes=MUON_SIZES, count=MUON_SAMPLES, seed=0):
    """`count` random 2-vectors in random directions, their lengths spread evenly on a log scale over `sizes`."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.logspace(math.log10(sizes[0]), math.log10(sizes[1]), count, dtype=torch.float64)
    angles = 2 * math.pi * torch.rand(count, generator=generator, dtype=torch.float64)
    return [(length * math.cos(angle), length * math.sin(angle)) for length, angle in zip(lengths.tolist(), angles.tolist())]


muon_gradients = muon_gradients_of()
muon_steps = [muon_step(gradient) for gradient in muon_gradients]
muon_length_range = [min(length for length, _ in muon_steps), max(length for length, _ in muon_steps)]
muon_worst_cosine = min(cosine for _, cosine in muon_steps)
print()
print(f"One Muon step on a 1 x 2 matrix, {MUON_SAMPLES} gradients of sizes {MUON_SIZES[0]:g} to {MUON_SIZES[1]:g}:")
print(f"    length {muon_length_range[0]:.3f} lr to {muon_length_range[1]:.3f} lr, cosine with -gradient >= {muon_worst_cosine:.6f}")
