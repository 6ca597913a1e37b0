"""Ten learning rates from 0.01 to 0.2, the edge at 0.25, and the condition for convergence

On f(x) = 4x^2 every gradient step multiplies x by the same factor, 1 - 8 * lr, so the loss
shrinks by (1 - 8 * lr)^2 per iteration. The sweep runs 100 iterations from x0 = 2 for ten
evenly spaced learning rates, prints that factor beside the loss reached, and plots the loss
on a log scale. A second run shows what happens at and just above lr = 0.25, and a third runs
5000 iterations for learning rates on both sides of 0 and 0.25.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

X0 = 2.0
L = 8.0  # the curvature f''(x) of f(x) = 4x^2 = (L/2) x^2
ITERATIONS = 100
SWEEP_FROM, SWEEP_TO, SWEEP_COUNT = 0.01, 0.2, 10
SWEEP = np.linspace(SWEEP_FROM, SWEEP_TO, num=SWEEP_COUNT)
LOOKS_LIKE_ZERO = 0.01  # on a linear axis from 0 to the start, a loss below this share of it
EDGE = (0.24, 0.25, 0.26)
EDGE_ITERATIONS = 30
TRIED = (-0.01, 0.0, 0.001, 0.1, 0.2499, 0.25, 0.2501, 0.5)  # the condition for convergence, tried
LONG_RUN = 5000
CONVERGED = 1e-3  # converged: the loss fell below this share of its start


def f(x):
    return L / 2 * x**2


def factor(lr):
    """What each gradient step multiplies x by on f: x - lr * L * x = (1 - lr L) x."""
    return 1 - lr * L


def losses(lr, x0=X0, iterations=ITERATIONS):
    """Loss f(x_k) for k = 0 ... iterations - 1 of gradient descent with autograd."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    history = []
    for _ in range(iterations):
        loss = f(x)
        loss.backward()
        history.append(loss.item())
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    return history


def first_all_below(curves, level):
    """The first iteration from which every curve stays below `level`."""
    k = len(curves[0])
    while k > 0 and all(curve[k - 1] < level for curve in curves):
        k -= 1
    return k


# %% The sweep
rates = [float(lr) for lr in SWEEP]
runs = [losses(lr) for lr in rates]
finals = [history[-1] for history in runs]
start = runs[0][0]
print(f"{'lr':>8} {'1 - 8 lr':>9} {f'loss at iteration {ITERATIONS - 1}':>21}")
for lr, final in zip(rates, finals):
    print(f"{lr:>8.4f} {factor(lr):>9.4f} {final:>21.3e}")

fastest = rates[finals.index(min(finals))]
fastest_factor = abs(factor(fastest))
fastest_shrink = runs[rates.index(fastest)][0] / runs[rates.index(fastest)][1]  # per step
by_speed = sorted(rates, key=lambda lr: abs(factor(lr)))  # steepest line first
print(f"fastest in the sweep: lr = {fastest:.4f}, the loss shrinks {fastest_shrink:.0f}-fold per step")

largest = rates[-1]
largest_factor, largest_final = abs(factor(largest)), finals[-1]
overtaking = min(lr for lr, final in zip(rates, finals) if final < largest_final)
overtaking_factor, overtaking_final = abs(factor(overtaking)), finals[rates.index(overtaking)]
larger_over_smaller = largest_final / overtaking_final
print(f"lr = {largest:.4f} ends {larger_over_smaller:.0f} times higher than lr = {overtaking:.4f}")

hidden_from = first_all_below(runs[1:], LOOKS_LIKE_ZERO * start)
print(f"from iteration {hidden_from} every curve but lr = {rates[0]:.4f} is below "
      f"{LOOKS_LIKE_ZERO:.0%} of the start;")
print(f"  lr = {rates[0]:.4f} is at {runs[0][hidden_from]:.3g}")

plt.figure("sweep", figsize=(5.2, 4.4))
for lr, history in zip(rates, runs):
    plt.semilogy(np.maximum(history, 1e-300), label=f"{lr:.3f}")
plt.xlabel("iteration")
plt.ylabel("loss (log scale)")
plt.grid(alpha=0.3, which="both")
plt.legend(title="lr", ncol=2, loc="lower left")
plt.show()

# %% At the edge: lr = 0.25 and just above
edge_losses = [losses(lr, iterations=EDGE_ITERATIONS) for lr in EDGE]
edge_steps = EDGE_ITERATIONS - 1
above_edge_by = EDGE[2] / EDGE[1] - 1
above_edge_factor = abs(factor(EDGE[2]))
above_edge_growth = edge_losses[2][1] / edge_losses[2][0]  # per step
plt.figure("edge", figsize=(5.2, 3.4))
for lr, history in zip(EDGE, edge_losses):
    print(f"lr = {lr}: loss {history[0]:g} -> {history[-1]:.4g} after {edge_steps} steps")
    plt.semilogy(history, "-o", markersize=3, label=f"lr = {lr}")
plt.xlabel("iteration")
plt.ylabel("loss (log scale)")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()

# %% Which learning rates converge: 5000 iterations on both sides of 0 and 2 / L
limit = 2 / L
tried = []
for lr in TRIED:
    history = losses(lr, iterations=LONG_RUN)
    tried.append({
        "lr": lr,
        "final": history[-1],
        "converged": history[-1] < CONVERGED * history[0],
        "below start": any(loss < history[0] for loss in history[1:]),
    })
converging = [row["lr"] for row in tried if row["converged"]]
print(f"{LONG_RUN} iterations; converged: loss below {CONVERGED:g} of its start")
print(f"{'lr':>7} {'final loss':>11} {'converged':>10} {'ever below start':>17}")
for row in tried:
    print(f"{row['lr']:>7g} {row['final']:>11.3g} {str(row['converged']):>10} {str(row['below start']):>17}")
