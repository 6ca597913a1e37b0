"""Where momentum pays: an ill-conditioned quadratic in two dimensions

f(x, y) = 4x^2 + 0.04y^2 has curvature L = 8 along x (the learning-rate chapter's function) and
mu = 0.08 along y: condition number 100. A learning rate small enough for x crawls along y.
The snippet tunes plain gradient descent (lr), heavy ball and Nesterov momentum (lr and m) on a
grid for the fewest iterations to bring the loss below 1e-6 for good, starting from (2, 20),
then runs the tuned settings with torch.optim.SGD, compares them with the textbook settings,
and draws the paths and the losses.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

CURVATURES = (8.0, 0.08)  # f(x, y) = (8/2) x^2 + (0.08/2) y^2
START = (2.0, 20.0)
TOLERANCE = 1e-6
HORIZON = 1000  # iterations tried on the grid
GD_LR_STEP, GD_LR_MAX = 0.005, 0.25
MOMENTUM_LR_STEP, MOMENTUM_LR_MAX = 0.01, 0.5
MOMENTUM_STEP, MOMENTUM_MAX = 0.01, 0.99
GD_LRS = np.round(np.arange(GD_LR_STEP, GD_LR_MAX + 1e-9, GD_LR_STEP), 3)
MOMENTUM_LRS = np.round(np.arange(MOMENTUM_LR_STEP, MOMENTUM_LR_MAX + 1e-9, MOMENTUM_LR_STEP), 2)
MOMENTA = np.round(np.arange(0.0, MOMENTUM_MAX + 1e-9, MOMENTUM_STEP), 2)
METHODS = {"gd": "gradient descent", "heavy": "heavy ball", "nesterov": "Nesterov"}
CHECK_STEPS = 100  # the tuned heavy ball's lr, with and without its momentum
RATE_WINDOW = (600, 1000)  # the textbook settings' rates are measured between these iterations
RATE_CLOSE = 0.002  # how close a measured rate is to the theoretical one
SHOWN_PATH = 80  # steps drawn on the contours
SHOWN_LOSSES = 500  # iterations drawn in the loss plot


def f(w):
    """The loss for w = (..., 2): 4x^2 + 0.04y^2."""
    return 0.5 * (torch.tensor(CURVATURES, dtype=w.dtype) * w**2).sum(-1)


def grid_losses(lrs, momenta, nesterov=False, steps=HORIZON):
    """SGD's update written out, for many (lr, m) pairs at once (float64).

    Returns the losses, shape (steps + 1, pairs). Same recurrence as torch.optim.SGD:
    b_1 = g_1, b_t = m b_(t-1) + g_t; step along b_t (heavy ball) or g_t + m b_t (Nesterov).
    """
    lr = torch.as_tensor(np.asarray(lrs, dtype=float))[:, None]
    m = torch.as_tensor(np.asarray(momenta, dtype=float))[:, None]
    c = torch.tensor(CURVATURES, dtype=torch.float64)
    w = torch.tensor(START, dtype=torch.float64).repeat(len(lr), 1)
    buffer = None
    history = [f(w)]
    for _ in range(steps):
        g = c * w
        buffer = g.clone() if buffer is None else m * buffer + g
        w = w - lr * (g + m * buffer if nesterov else buffer)
        history.append(f(w))
    return torch.stack(history)


def iterations_to(losses, tolerance=TOLERANCE):
    """Per column: the first iteration from which the loss stays below tolerance (huge if never)."""
    below = (losses < tolerance).flip(0).cumprod(0).flip(0).bool()  # below from here to the end
    never = torch.full((losses.shape[1],), 10**9)
    return torch.where(below.any(0), below.float().argmax(0), never)


def grid(method):
    """The grid of `method` ("gd", "heavy" or "nesterov"): lrs, momenta and iterations for each point."""
    if method == "gd":
        lrs, momenta = GD_LRS, np.zeros_like(GD_LRS)
    else:
        lrs, momenta = (points.ravel() for points in np.meshgrid(MOMENTUM_LRS, MOMENTA))
    counts = iterations_to(grid_losses(lrs, momenta, nesterov=method == "nesterov")).tolist()
    return [float(lr) for lr in lrs], [float(m) for m in momenta], counts


def tune(lrs, momenta, counts):
    """The grid point with the fewest iterations (ties: the smaller lr, then the smaller m)."""
    best = min(range(len(counts)), key=lambda i: (counts[i], lrs[i], momenta[i]))
    return lrs[best], momenta[best], counts[best]


def sgd_path(lr, momentum, nesterov=False, steps=HORIZON):
    """torch.optim.SGD from START. Returns the iterates, shape (steps + 1, 2), and the losses."""
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr, momentum=momentum, nesterov=nesterov)
    path = [w.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        f(w).backward()
        optimizer.step()
        path.append(w.detach().clone())
    path = torch.stack(path)
    return path, f(path)


def rate(losses, first=RATE_WINDOW[0], last=RATE_WINDOW[1]):
    """Average shrink per step of the distance to the minimum: (loss ratio)^(1 / (2 (last - first)))."""
    return (losses[last] / losses[first]).item() ** (1 / (2 * (last - first)))


def classical(method):
    """Textbook settings for the curvatures L and mu (kappa = L / mu), and the rate theory gives them."""
    big, small = (math.sqrt(c) for c in CURVATURES)
    root_kappa = big / small
    kappa = root_kappa**2
    if method == "gd":  # the best fixed lr balances both directions
        return 2 / sum(CURVATURES), 0.0, (kappa - 1) / (kappa + 1)
    if method == "heavy":  # Polyak
        momentum = ((root_kappa - 1) / (root_kappa + 1)) ** 2
        return 4 / (big + small) ** 2, momentum, (root_kappa - 1) / (root_kappa + 1)
    return 1 / CURVATURES[0], (root_kappa - 1) / (root_kappa + 1), 1 - 1 / root_kappa  # Nesterov


# %% The valley
coefficients = [c / 2 for c in CURVATURES]
condition_number = CURVATURES[0] / CURVATURES[1]
start_loss = f(torch.tensor(START, dtype=torch.float64)).item()
gd_limit = 2 / CURVATURES[0]  # above it gradient descent diverges along x
slowest_factor = 1 - CURVATURES[1] * gd_limit  # ... and below it y shrinks by more than this per step
best_contraction = (condition_number - 1) / (condition_number + 1)
print(f"f(x, y) = {coefficients[0]:g}x^2 + {coefficients[1]:g}y^2: condition number {condition_number:.0f}")
print(f"loss at the start {START}: {start_loss:g}")

# %% Tune on the grid, then run the tuned settings with torch.optim.SGD
grids = {method: grid(method) for method in METHODS}
best, runs = {}, {}
for method, label in METHODS.items():
    lr, momentum, count = tune(*grids[method])
    path, loss = sgd_path(lr, momentum, nesterov=method == "nesterov")
    runs[method] = (path, loss)
    sgd_count = int(iterations_to(loss[:, None])[0])
    best[method] = {"lr": lr, "momentum": momentum, "iterations": count, "sgd_iterations": sgd_count}
    print(f"{label:>16}: lr = {lr:g}, m = {momentum:g}: loss below {TOLERANCE:g} from iteration")
    print(f"{'':>18}{count} on the grid, {sgd_count} with torch.optim.SGD")
lrs, momenta, counts = grids["heavy"]
heavy_ties = sorted([lr, m] for lr, m, count in zip(lrs, momenta, counts)
                    if count == best["heavy"]["iterations"] and (lr, m) != (best["heavy"]["lr"], best["heavy"]["momentum"]))
heavy_tie_count = len(heavy_ties)
print(f"heavy ball: {heavy_tie_count} other grid points need as few: {heavy_ties}")
heavy_speedup = best["gd"]["iterations"] / best["heavy"]["iterations"]
nesterov_speedup = best["gd"]["iterations"] / best["nesterov"]["iterations"]
print(f"fewer iterations than gradient descent: heavy ball {heavy_speedup:.2g} times, "
      f"Nesterov {nesterov_speedup:.2g} times")

# %% The tuned heavy ball's lr, without momentum
heavy_lr, heavy_m = best["heavy"]["lr"], best["heavy"]["momentum"]
heavy_eta_l = heavy_lr * CURVATURES[0]
heavy_bound = 2 * (1 + heavy_m)  # both roots inside the unit circle: 0 < lr L < 2 (1 + m)
plain_at_heavy_lr = sgd_path(heavy_lr, 0.0, steps=CHECK_STEPS)[1][-1].item()
heavy_at_heavy_lr = sgd_path(heavy_lr, heavy_m, steps=CHECK_STEPS)[1][-1].item()
print(f"lr = {heavy_lr:g} after {CHECK_STEPS} iterations: loss {plain_at_heavy_lr:.1e} without momentum,")
print(f"  {heavy_at_heavy_lr:.1e} with m = {heavy_m:g}")

# %% The textbook settings
textbook = {}
for method, label in METHODS.items():
    lr, momentum, theory = classical(method)
    losses = grid_losses([lr], [momentum], nesterov=method == "nesterov")[:, 0]
    count = int(iterations_to(losses[:, None])[0])
    textbook[method] = {"lr": lr, "momentum": momentum, "iterations": count, "rate": rate(losses), "theory": theory}
    print(f"{label:>16}, textbook lr = {lr:.4f}, m = {momentum:.4f}: {count} iterations,")
    print(f"{'':>18}rate over {RATE_WINDOW[0]}-{RATE_WINDOW[1]}: {rate(losses):.4f} (theory {theory:.4f})")

# %% The paths on the contours of f
shown = {method: path[: SHOWN_PATH + 1].numpy() for method, (path, _) in runs.items()}
x_reach = 1.1 * max(abs(points[:, 0]).max() for points in shown.values())
y_low = min(points[:, 1].min() for points in shown.values()) - 1
gd_after_shown = shown["gd"][-1].tolist()
heavy_widest = float(shown["heavy"][:, 0].min())
fig, ax = plt.subplots(figsize=(5.2, 4), num="paths")
ys, xs = np.meshgrid(np.linspace(y_low, START[1] + 2, 300), np.linspace(-x_reach, x_reach, 200))
ax.contour(ys, xs, coefficients[0] * xs**2 + coefficients[1] * ys**2, levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32, 64],
           colors="0.75", linewidths=0.8)
for (method, points), style in zip(shown.items(), ("-", "-o", "-s")):
    ax.plot(points[:, 1], points[:, 0], style, markersize=2.5, linewidth=1, label=METHODS[method])
ax.plot([START[1]], [START[0]], "k*", markersize=10, label="start")
ax.set_xlabel(f"y (curvature {CURVATURES[1]:g})")
ax.set_ylabel(f"x (curvature {CURVATURES[0]:g})")
ax.set_title(f"the first {SHOWN_PATH} steps")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
plt.show()

# %% The losses on a log scale
plt.figure("losses", figsize=(5.2, 4.2))
for method, (_, loss) in runs.items():
    plt.semilogy(loss[: SHOWN_LOSSES + 1].numpy(), label=METHODS[method])
plt.axhline(TOLERANCE, color="0.5", linestyle=":", linewidth=1, label=f"tolerance {TOLERANCE:g}")
plt.ylim(1e-12, 100)
plt.xlabel("iteration")
plt.ylabel("loss (log scale)")
plt.grid(alpha=0.3, which="both")
plt.legend(loc="upper right")
plt.show()
