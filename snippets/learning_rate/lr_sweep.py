"""Ten learning rates from 0.01 to 0.2, and the edge at 0.25

On f(x) = 4x^2 every gradient step multiplies x by the same factor, 1 - 8 * lr, so the loss
shrinks by (1 - 8 * lr)^2 per iteration. The sweep runs 100 iterations from x0 = 2 for ten
evenly spaced learning rates, prints that factor beside the loss reached, and plots the loss
on a log scale. A second run shows what happens at and just above lr = 0.25.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

X0 = 2.0
ITERATIONS = 100
SWEEP = np.linspace(0.01, 0.2, num=10)
EDGE = (0.24, 0.25, 0.26)


def f(x):
    return 4 * x**2


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


# %% The sweep
runs = {lr: losses(lr) for lr in SWEEP}
print(f"{'lr':>8} {'1 - 8 lr':>9} {'loss at iteration 99':>21}")
for lr, history in runs.items():
    print(f"{lr:>8.4f} {1 - 8 * lr:>9.4f} {history[-1]:>21.3e}")
fastest = min(runs, key=lambda lr: runs[lr][-1])
print(f"fastest in the sweep: lr = {fastest:.4f}")

plt.figure("sweep", figsize=(7, 4))
for lr, history in runs.items():
    plt.semilogy(np.maximum(history, 1e-300), label=f"lr = {lr:.4f}")
plt.xlabel("iteration")
plt.ylabel("loss (log scale)")
plt.grid(alpha=0.3, which="both")
plt.legend(ncol=2, fontsize="small")
plt.show()

# %% At the edge: lr = 0.25 and just above
plt.figure("edge", figsize=(7, 3.2))
for lr in EDGE:
    history = losses(lr, iterations=30)
    print(f"lr = {lr}: loss {history[0]:g} -> {history[-1]:.4g} after 29 steps")
    plt.semilogy(history, "-o", markersize=3, label=f"lr = {lr}")
plt.xlabel("iteration")
plt.ylabel("loss (log scale)")
plt.grid(alpha=0.3, which="both")
plt.legend()
plt.show()
