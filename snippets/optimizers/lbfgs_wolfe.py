"""LBFGS with and without the strong Wolfe line search, on the Rosenbrock function

From the classic start (-1.2, 1), one call of torch.optim.LBFGS's step() runs up to 200
iterations: once with a fixed step (line_search_fn=None, the default) and once with
line_search_fn="strong_wolfe". The closure records every evaluation, so the snippet can count
iterations and evaluations until the loss is below 1e-8, and how often the loss went up.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

START = (-1.2, 1.0)
TARGET = 1e-8
MAX_ITERATIONS = 200


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def evaluations(line_search_fn=None, start=START):
    """Every closure call of one step(): (iteration, x, y, loss)."""
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([w], max_iter=MAX_ITERATIONS, max_eval=10 * MAX_ITERATIONS,
                                  line_search_fn=line_search_fn)
    calls = []

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(w[0], w[1])
        loss.backward()
        calls.append((optimizer.state[w].get("n_iter", 0), w[0].item(), w[1].item(), loss.item()))
        return loss

    optimizer.step(closure)
    return calls


def iterates(line_search_fn=None, start=START, iterations=MAX_ITERATIONS):
    """The accepted points, one per step() with max_iter=1, until the loss is below TARGET."""
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([w], max_iter=1, max_eval=25, line_search_fn=line_search_fn)

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(w[0], w[1])
        loss.backward()
        return loss

    points = [tuple(w.tolist())]
    while rosenbrock(*points[-1]) >= TARGET and len(points) <= iterations:
        optimizer.step(closure)
        points.append(tuple(w.tolist()))
    return points


def first_below(calls, target=TARGET):
    """(iterations, closure calls) when the loss first drops below target."""
    for number, (iteration, _, _, loss) in enumerate(calls, start=1):
        if loss < target:
            return iteration, number
    return None


# %% Fixed step against strong Wolfe
LINE_SEARCHES = {"fixed": None, "strong_wolfe": "strong_wolfe"}  # name -> line_search_fn
LABELS = {"fixed": "fixed step (default)", "strong_wolfe": "strong_wolfe"}
runs = {name: evaluations(fn) for name, fn in LINE_SEARCHES.items()}
paths = {name: iterates(fn) for name, fn in LINE_SEARCHES.items()}
below = {name: first_below(calls) for name, calls in runs.items()}  # (iterations, closure calls)
path_losses = {name: [rosenbrock(*point) for point in path] for name, path in paths.items()}
rises = {name: sum(b > a for a, b in zip(losses, losses[1:])) for name, losses in path_losses.items()}
worst = max(range(len(path_losses["fixed"])), key=path_losses["fixed"].__getitem__)
spike = [path_losses["fixed"][i] for i in (worst - 1, worst, worst + 1)]  # the largest loss and its neighbours
print(f"LBFGS on Rosenbrock from {START}, loss below {TARGET:g} after:")
print(f"  {'line search':<22} {'iterations':>10} {'closure calls':>14} {'loss rose':>10}")
for name in runs:
    iterations, number = below[name]
    print(f"  {LABELS[name]:<22} {iterations:>10} {number:>14} {rises[name]:>4} times")
print(f"largest loss on the fixed-step path: {spike[1]:.3g}, between {spike[0]:.2g} and {spike[2]:.2g}")

# %% Plot
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), num="line-search")
xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
left.contour(xs, ys, np.log10(rosenbrock(xs, ys)), levels=20, cmap="Greys", linewidths=0.6)
for index, (name, calls) in enumerate(runs.items()):
    points = np.array(paths[name])
    left.plot(points[:, 0], points[:, 1], "-o", markersize=3, color=f"C{index}", label=LABELS[name])
    losses = [loss for *_, loss in calls]
    right.semilogy(range(1, len(losses) + 1), np.maximum(losses, 1e-20), "-o", markersize=2,
                   color=f"C{index}", label=LABELS[name])
left.plot(1, 1, "*", color="black", markersize=12, label="minimum (1, 1)")
left.set_xlim(-2, 2)
left.set_ylim(-1, 3)
left.set_xlabel("x")
left.set_ylabel("y")
left.set_title("iterates on Rosenbrock's valley")
left.legend(loc="upper left")
right.axhline(TARGET, color="gray", linestyle="--", linewidth=1)
right.set_xlabel("closure call")
right.set_ylabel("loss at that call")
right.set_title(f"one step() with max_iter = {MAX_ITERATIONS}")
right.grid(alpha=0.3, which="both")
right.legend()
fig.tight_layout()
plt.show()
