"""Gradient descent on f(x) = 4x², one step at a time

Autograd computes f'(x) = 8x; the loop applies x <- x - lr * f'(x) from x0 = 2.
It draws the curve, prints every iterate for lr = 1, and shows for lr = 1, 0.2 and 0.125
the loss per iteration beside the path the iterates take on the curve.
"""

# %%
import matplotlib.pyplot as plt
import torch

X0 = 2.0
RUNS = {1.0: 3, 0.2: 12, 0.125: 3}  # learning rate -> number of updates to show


def f(x):
    """The running example: f(x) = 4x^2 = (2x)^2, minimum f(0) = 0."""
    return 4 * x**2


def descend(lr, x0=X0, steps=10):
    """Gradient descent with autograd. Returns (iteration, x, f'(x), f(x)) for x_0 ... x_steps."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    history = []
    for iteration in range(steps + 1):
        loss = f(x)
        loss.backward()
        history.append((iteration, x.item(), x.grad.item(), loss.item()))
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
    return history


# %% The curve
grid = torch.linspace(-3, 3, 201)
plt.figure("parabola", figsize=(5, 3.2))
plt.plot(grid, f(grid), label="f(x) = 4x²")
plt.scatter([X0], [f(torch.tensor(X0))], color="C3", zorder=3, label="start x₀ = 2")
plt.xlabel("x")
plt.ylabel("f(x)")
plt.grid(alpha=0.3)
plt.legend()
plt.show()

# %% lr = 1: the iterates grow without bound
print(f"{'iter':>4} {'x':>10} {'grad':>10} {'loss':>12}")
for iteration, x, grad, loss in descend(lr=1.0, steps=RUNS[1.0]):
    print(f"{iteration:>4} {x:>10g} {grad:>10g} {loss:>12g}")

# %% Loss per iteration beside the path on the curve
for lr, steps in RUNS.items():
    history = descend(lr, steps=steps)
    iterations = [row[0] for row in history]
    xs = [row[1] for row in history]
    losses = [row[3] for row in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), num=f"lr-{lr:g}".replace(".", "-"))
    fig.suptitle(f"lr = {lr}")
    left.plot(iterations, losses, "-o", color="C3")
    left.set_xlabel("iteration")
    left.set_ylabel("loss f(x)")
    left.grid(alpha=0.3)
    reach = max(3.0, 1.1 * max(abs(x) for x in xs))
    grid = torch.linspace(-reach, reach, 401)
    right.plot(grid, f(grid), color="C0", label="f(x) = 4x²")
    right.plot(xs, losses, "-o", color="C3", label="iterates")
    right.set_xlabel("x")
    right.set_ylabel("f(x)")
    right.grid(alpha=0.3)
    right.legend()
    plt.show()
