"""Where momentum pays: an ill-conditioned quadratic in two dimensions

f(x, y) = 4x^2 + 0.04y^2 has curvature L = 8 along x (the learning-rate chapter's function) and
mu = 0.08 along y: condition number 100. A learning rate small enough for x crawls along y.
The snippet tunes plain gradient descent (lr), heavy ball and Nesterov momentum (lr and m) on a
grid for the fewest iterations to bring the loss below 1e-6 for good, starting from (2, 20),
then runs the tuned settings with torch.optim.SGD and draws the paths and the losses.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

CURVATURES = (8.0, 0.08)  # f(x, y) = (8/2) x^2 + (0.08/2) y^2
START = (2.0, 20.0)
TOLERANCE = 1e-6  # the loss starts at 32
HORIZON = 1000  # iterations tried on the grid
GD_LRS = np.round(np.arange(0.005, 0.2501, 0.005), 3)
MOMENTUM_LRS = np.round(np.arange(0.01, 0.5001, 0.01), 2)
MOMENTA = np.round(np.arange(0.0, 0.9901, 0.01), 2)
METHODS = ("gradient descent", "heavy ball", "Nesterov")


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


def tune(method):
    """The grid point with the fewest iterations (ties: the smaller lr, then the smaller m)."""
    if method == "gradient descent":
        lrs, momenta = GD_LRS, np.zeros_like(GD_LRS)
    else:
        lrs, momenta = (grid.ravel() for grid in np.meshgrid(MOMENTUM_LRS, MOMENTA))
    counts = iterations_to(grid_losses(lrs, momenta, nesterov=method == "Nesterov")).tolist()
    best = min(range(len(counts)), key=lambda i: (counts[i], lrs[i], momenta[i]))
    return float(lrs[best]), float(momenta[best]), counts[best]


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


def rate(losses, first=600, last=1000):
    """Average shrink per step of the distance to the minimum: (loss ratio)^(1 / (2 (last - first)))."""
    return (losses[last] / losses[first]).item() ** (1 / (2 * (last - first)))


def classical(method):
    """Textbook settings for L = 8, mu = 0.08 (kappa = 100)."""
    big, small = (math.sqrt(c) for c in CURVATURES)
    root_kappa = big / small
    if method == "gradient descent":
        return 2 / sum(CURVATURES), 0.0  # best contraction (kappa - 1) / (kappa + 1)
    if method == "heavy ball":  # Polyak: rate (sqrt(kappa) - 1) / (sqrt(kappa) + 1)
        return 4 / (big + small) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2
    return 1 / CURVATURES[0], (root_kappa - 1) / (root_kappa + 1)  # Nesterov, strongly convex


# %% Tune on the grid, then run the tuned settings with torch.optim.SGD
tuned = {method: tune(method) for method in METHODS}
runs = {}
for method, (lr, momentum, count) in tuned.items():
    path, loss = sgd_path(lr, momentum, nesterov=method == "Nesterov")
    runs[method] = (path, loss)
    sgd_count = int(iterations_to(loss[:, None])[0])
    print(f"{method:>16}: lr = {lr:g}, m = {momentum:g}: loss below {TOLERANCE:g} from iteration "
          f"{count} (grid), {sgd_count} (torch.optim.SGD)")
for method in METHODS:
    lr, momentum = classical(method)
    losses = grid_losses([lr], [momentum], nesterov=method == "Nesterov")[:, 0]
    count = int(iterations_to(losses[:, None])[0])
    print(f"{method:>16}, textbook lr = {lr:.4f}, m = {momentum:.4f}: {count} iterations, "
          f"rate over iterations 600-1000: {rate(losses):.4f}")

_, plain = sgd_path(0.38, 0.0, steps=100)
_, heavy = sgd_path(0.38, 0.69, steps=100)
print(f"lr = 0.38 after 100 iterations: loss {plain[-1].item():.1e} without momentum, "
      f"{heavy[-1].item():.1e} with m = 0.69")

# %% The paths on the contours of f
fig, ax = plt.subplots(figsize=(9, 3.8), num="paths")
ys, xs = np.meshgrid(np.linspace(-6, 22, 300), np.linspace(-2.6, 2.6, 200))
ax.contour(ys, xs, 4 * xs**2 + 0.04 * ys**2, levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32], colors="0.75",
           linewidths=0.8)
for (method, (path, _)), style in zip(runs.items(), ("-", "-o", "-s")):
    shown = path[:80].numpy()
    ax.plot(shown[:, 1], shown[:, 0], style, markersize=2.5, linewidth=1, label=f"{method} (first 80 steps)")
ax.plot([START[1]], [START[0]], "k*", markersize=10, label="start (2, 20)")
ax.set_xlabel("y (curvature 0.08)")
ax.set_ylabel("x (curvature 8)")
ax.legend(fontsize="small", loc="lower left")
plt.show()

# %% The losses on a log scale
plt.figure("losses", figsize=(7, 3.6))
for method, (_, loss) in runs.items():
    lr, momentum, _ = tuned[method]
    plt.semilogy(loss[:500].numpy(), label=f"{method}: lr = {lr:g}, m = {momentum:g}")
plt.axhline(TOLERANCE, color="0.5", linestyle=":", linewidth=1, label=f"tolerance {TOLERANCE:g}")
plt.ylim(1e-12, 100)
plt.xlabel("iteration")
plt.ylabel("loss (log scale)")
plt.grid(alpha=0.3, which="both")
plt.legend(fontsize="small")
plt.show()
